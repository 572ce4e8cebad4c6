"""The policy's `notifications:` section: compiled to the domain's `NotificationSpec` and
checked (every audience a rule names must mean someone)."""

from __future__ import annotations

from collections.abc import Iterator

from tierdesk.domain.model import LocalText
from tierdesk.domain.notify_rules import AUDIENCES, USER_PREFIX, NoticeRule, NotificationSpec
from tierdesk.policy.loader import Severity
from tierdesk.policy.schema import NotificationSettings, Policy, Text


def _text(value: Text | None) -> LocalText:
    if value is None:
        return LocalText()
    if isinstance(value, str):
        return LocalText((("en", value),))
    return LocalText(tuple(value.items()))


def compile_notifications(n: NotificationSettings) -> NotificationSpec:
    """The domain's spec of the section."""
    return NotificationSpec(
        rules=tuple(
            NoticeRule(
                id=r.id,
                on=r.on,
                notify=tuple(r.notify),
                priorities=tuple(r.priorities),
                targets=tuple(r.targets),
                signals=tuple(str(s) for s in r.signals),
                urgent=r.urgent,
                description=_text(r.description),
            )
            for r in n.rules
        ),
        fold_within=n.fold_within,
        urgent_priorities=tuple(n.urgent_priorities),
        urgent_signals=tuple(str(s) for s in n.urgent_signals),
        teams=tuple((team, tuple(members)) for team, members in n.teams.items()),
    )


Issue = tuple[Severity, tuple[str | int, ...], str]


def check_notifications(p: Policy, known_roles: frozenset[str]) -> Iterator[Issue]:
    """Errors for a rule that names nobody the helpdesk knows, a priority the policy lacks, a
    duplicate rule id or an empty team; a warning for a team the policy's escalations use
    that no rule tells."""
    n = p.notifications
    base: tuple[str | int, ...] = ("notifications",)
    plain = known_roles | set(p.tiers) | set(AUDIENCES)
    for team, members in n.teams.items():
        if not members:
            yield "error", (*base, "teams", team), f"team {team!r} names nobody"
        for j, m in enumerate(members):
            if m not in plain and not _user(m):
                msg = f"{m!r} is not a role, tier, audience or user:NAME"
                yield "error", (*base, "teams", team, j), msg
    seen: set[str] = set()
    for i, rule in enumerate(n.rules):
        at: tuple[str | int, ...] = (*base, "rules", i)
        if rule.id in seen:
            yield "error", (*at, "id"), f"duplicate rule id {rule.id}"
        seen.add(rule.id)
        for j, audience in enumerate(rule.notify):
            if audience not in plain and audience not in n.teams and not _user(audience):
                msg = (
                    f"{audience!r} is not a role, tier, audience ({', '.join(AUDIENCES)}), "
                    "user:NAME or a team of notifications.teams"
                )
                yield "error", (*at, "notify", j), msg
        for j, pid in enumerate(rule.priorities):
            if pid not in p.priorities:
                yield "error", (*at, "priorities", j), f"priority {pid} is not defined"
        if rule.on == "escalation":
            targets = set(p.tiers) | set(p.teams) | set(p.authority.ladder) | known_roles
            for j, t in enumerate(rule.targets):
                if t not in targets:
                    msg = f"target {t!r} is not a tier, team or role of the policy"
                    yield "error", (*at, "targets", j), msg
        elif rule.targets:
            yield "error", (*at, "targets"), "targets narrow only escalation rules"
    for j, pid in enumerate(n.urgent_priorities):
        if pid not in p.priorities:
            yield "error", (*base, "urgent_priorities", j), f"priority {pid} is not defined"
    told = {t for r in n.rules if r.on == "escalation" for t in r.targets}
    for team in p.teams:
        escalated = any(team in r.target for r in p.escalation.rules)
        if escalated and n.rules and team not in told:
            msg = f"escalations go to team {team!r} but no notification rule tells anyone"
            yield "warning", (*base, "rules"), msg


def _user(audience: str) -> bool:
    return audience.startswith(USER_PREFIX) and len(audience) > len(USER_PREFIX)
