"""Staff notifications: who on the staff is told what, when, and whether quiet hours hold it.

Pure standard library, time passed in. The policy's `notifications:` section compiles to a
`NotificationSpec`; `decide(event, spec, staff)` names the users an event (a ticket event, a
sweep result, an approval, a policy version, an incident) notifies and whether each notice is
urgent; `deliver_at` holds a notice until a user's quiet hours end unless it is urgent;
`folds` says whether a new notice about a ticket is folded into a user's earlier one.

Audiences a rule may name (`AUDIENCES`, beside roles, tiers and the policy's teams):
`assignee` (the ticket's), `deciders` (the role an approval waits for), `agents` (every agent
role), `staff` (everyone), `user:NAME` (one user by username). The person whose action caused
the event is never told about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from tierdesk.domain.events import SYSTEM, EventKind, TicketEvent
from tierdesk.domain.model import LocalText
from tierdesk.domain.state import TicketState

NoticeKind = Literal[
    "ticket_priority",  # a ticket opened with (or moved to) a priority
    "escalation",  # a ticket escalated (to a tier, role or team)
    "sla_warning",  # an SLA target is near (the priority's warn_at)
    "sla_breach",  # an SLA target was missed
    "approval",  # an approval request waits for a decision
    "policy_version",  # a new policy version is in force and must be acknowledged
    "incident",  # an incident (emergency, outage) was declared
]
NOTICE_KINDS: tuple[NoticeKind, ...] = get_args(NoticeKind)
AGENT_ROLES: tuple[str, ...] = ("agent_l1", "agent_l2", "agent_l3")
AUDIENCES: tuple[str, ...] = ("assignee", "deciders", "agents", "staff")
USER_PREFIX = "user:"


@dataclass(frozen=True)
class NoticeRule:
    """One rule of the policy: on events of `on` (narrowed by `priorities`, `targets`,
    `signals`; empty means any), tell `notify`. `urgent` notices ignore quiet hours."""

    id: str
    on: NoticeKind
    notify: tuple[str, ...]
    priorities: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    urgent: bool = False
    description: LocalText = field(default_factory=LocalText)


@dataclass(frozen=True)
class NotificationSpec:
    """The compiled `notifications:` section."""

    rules: tuple[NoticeRule, ...] = ()
    fold_within: timedelta = timedelta(minutes=30)
    urgent_priorities: tuple[str, ...] = ("P1",)
    urgent_signals: tuple[str, ...] = ("safety_issue",)
    teams: tuple[tuple[str, tuple[str, ...]], ...] = ()  # team id -> roles / user:NAME

    def members(self, team: str) -> tuple[str, ...] | None:
        return dict(self.teams).get(team)


@dataclass(frozen=True)
class NoticeEvent:
    """Something staff may need to hear about. `ref` tells events apart (a ticket event's
    seq, a version or incident id); `actor_id` caused it and is never told."""

    kind: NoticeKind
    at: datetime
    ref: str
    ticket_id: str | None = None
    priority: str | None = None
    signals: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    assignee_id: str | None = None
    required_role: str | None = None
    subject: str = ""
    detail: str = ""
    actor_id: str | None = None


@dataclass(frozen=True)
class StaffMember:
    """An active user as the rules see one: `tier` is the tier an agent role works."""

    user_id: str
    username: str
    role: str
    tier: str | None = None


@dataclass(frozen=True)
class Notice:
    """One user told of one event, by the rules `rule_ids`."""

    user_id: str
    event: NoticeEvent
    rule_ids: tuple[str, ...]
    urgent: bool


def matches(rule: NoticeRule, event: NoticeEvent) -> bool:
    """Whether `rule` applies to `event`."""
    if rule.on != event.kind:
        return False
    if rule.priorities and event.priority not in rule.priorities:
        return False
    if rule.targets and not set(rule.targets) & set(event.targets):
        return False
    return not (rule.signals and not set(rule.signals) & set(event.signals))


def is_urgent(rule: NoticeRule, event: NoticeEvent, spec: NotificationSpec) -> bool:
    """An urgent notice ignores quiet hours: the rule says so, or the ticket's priority or one
    of its signals is urgent (seed 004: Critical within 15 minutes; safety first, seed 003)."""
    return (
        rule.urgent
        or (event.priority is not None and event.priority in spec.urgent_priorities)
        or bool(set(event.signals) & set(spec.urgent_signals))
    )


def decide(
    event: NoticeEvent,
    spec: NotificationSpec,
    staff: Sequence[StaffMember],
    ladder: Sequence[str] = (),
) -> list[Notice]:
    """The notices `event` makes: one per user (several rules naming one user make one notice,
    urgent when any of them is), in the order of `staff`. `ladder` (the policy's authority
    ladder) finds the deciders of an approval when nobody holds the role it names."""
    picked: dict[str, tuple[list[str], bool]] = {}
    for rule in spec.rules:
        if not matches(rule, event):
            continue
        urgent = is_urgent(rule, event, spec)
        for user_id in resolve(rule.notify, event, spec, staff, ladder):
            if user_id == event.actor_id:
                continue
            ids, was_urgent = picked.get(user_id, ([], False))
            picked[user_id] = ([*ids, rule.id], was_urgent or urgent)
    return [
        Notice(m.user_id, event, tuple(picked[m.user_id][0]), picked[m.user_id][1])
        for m in staff
        if m.user_id in picked
    ]


def resolve(
    audiences: Iterable[str],
    event: NoticeEvent,
    spec: NotificationSpec,
    staff: Sequence[StaffMember],
    ladder: Sequence[str] = (),
) -> set[str]:
    """The user ids `audiences` name for `event` (see the module doc)."""
    found: set[str] = set()
    for audience in audiences:
        members = spec.members(audience)
        if members is not None:
            found |= resolve(members, event, spec, staff, ladder)
        elif audience == "assignee":
            found |= {m.user_id for m in staff if m.user_id == event.assignee_id}
        elif audience == "deciders":
            found |= _deciders(event.required_role, staff, ladder)
        elif audience == "agents":
            found |= {m.user_id for m in staff if m.role in AGENT_ROLES}
        elif audience == "staff":
            found |= {m.user_id for m in staff}
        elif audience.startswith(USER_PREFIX):
            name = audience.removeprefix(USER_PREFIX)
            found |= {m.user_id for m in staff if m.username == name}
        else:  # a role, or a tier (its agents)
            found |= {m.user_id for m in staff if audience in (m.role, m.tier)}
    return found


def _deciders(role: str | None, staff: Sequence[StaffMember], ladder: Sequence[str]) -> set[str]:
    """Holders of `role`; when nobody holds it, of the first role above it on the ladder that
    somebody holds (they may decide too)."""
    if role is None:
        return set()
    above = list(ladder[ladder.index(role) :]) if role in ladder else [role]
    for candidate in above:
        holders = {m.user_id for m in staff if m.role == candidate}
        if holders:
            return holders
    return set()


# --- events of a ticket command -----------------------------------------------------------------


def ticket_events(
    base: TicketState | None, state: TicketState, events: Sequence[TicketEvent]
) -> list[NoticeEvent]:
    """The notice events of one command on a ticket: its priority set or changed (from
    `base`, None for a new ticket), escalations, SLA warnings and breaches, approval requests."""
    out: list[NoticeEvent] = []
    if events and (base is None or base.priority != state.priority):
        last = events[-1]
        out.append(_about(state, "ticket_priority", last))
    for e in events:
        if e.kind is EventKind.ESCALATED:
            targets = tuple(str(t) for t in e.data.get("targets", ()))
            out.append(_about(state, "escalation", e, targets=targets, detail=e.reason))
        elif e.kind is EventKind.SLA_WARNING:
            out.append(_about(state, "sla_warning", e, detail=str(e.data.get("clock", ""))))
        elif e.kind is EventKind.SLA_BREACHED:
            out.append(_about(state, "sla_breach", e, detail=str(e.data.get("clock", ""))))
        elif e.kind is EventKind.APPROVAL_REQUESTED:
            role = e.data.get("required_role")
            out.append(
                _about(
                    state,
                    "approval",
                    e,
                    required_role=str(role) if role else None,
                    detail=str(e.data.get("action", "")),
                )
            )
    return out


def _about(
    state: TicketState,
    kind: NoticeKind,
    event: TicketEvent,
    *,
    targets: tuple[str, ...] = (),
    required_role: str | None = None,
    detail: str = "",
) -> NoticeEvent:
    return NoticeEvent(
        kind,
        event.at,
        f"{state.id}:{event.seq}",
        ticket_id=state.id,
        priority=state.priority,
        signals=state.signals,
        targets=targets,
        assignee_id=state.assignee_id,
        required_role=required_role,
        subject=state.subject,
        detail=detail,
        actor_id=None if event.actor == SYSTEM else event.actor,
    )


# --- quiet hours and folding --------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """A user's quiet hours, local time in `timezone`; `end` before `start` spans midnight
    (22:00-07:00). Equal start and end: no quiet hours."""

    start: time
    end: time
    timezone: str


def quiet_until(quiet: QuietHours | None, now: datetime) -> datetime | None:
    """When the quiet hours `now` falls in end (aware UTC-comparable), or None when `now` is
    not in quiet hours."""
    if quiet is None or quiet.start == quiet.end:
        return None
    zone = ZoneInfo(quiet.timezone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
        end_day = local.date()
    else:
        inside = clock >= quiet.start or clock < quiet.end
        end_day = local.date() + timedelta(days=1 if clock >= quiet.start else 0)
    if not inside:
        return None
    return datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(now.tzinfo)


def deliver_at(urgent: bool, quiet: QuietHours | None, now: datetime) -> datetime:
    """When a notice made `now` goes out by email or LINE: now, or at the end of the user's
    quiet hours unless it is urgent."""
    if urgent:
        return now
    return quiet_until(quiet, now) or now


def folds(last_at: datetime, read_at: datetime | None, now: datetime, window: timedelta) -> bool:
    """Whether a new notice about a ticket folds into the user's earlier notice about it,
    last added to at `last_at`: it does while that one is unread and within `window`."""
    return read_at is None and now - last_at < window
