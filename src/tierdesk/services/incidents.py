"""Incidents: emergencies and outages (seed 003 10.1: notify supervisor/manager immediately,
document the incident), the tickets they caused, and one reply to all of them on resolution.

Every change is written to the incident's timeline (who, when, what) in the same unit of work:
declaring it (and who the policy's `incident` rules notified), notes, linking and unlinking
tickets, resolving it, and each reply sent (or why a ticket got none). The replies go through
the reply service (`conversation.reply`), one ticket at a time, each in its customer's language
from the template the resolver picks; a ticket that cannot take a reply (closed, resolved) is
skipped and the reason kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tierdesk.domain.notify_rules import NoticeEvent
from tierdesk.domain.rulebook import Template
from tierdesk.domain.templates import render
from tierdesk.services import conversation, notify, staff_notices
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, InvalidTransition, NotFound, ServiceError
from tierdesk.services.ports import (
    IncidentEntryRecord,
    IncidentRecord,
    IncidentTicketRecord,
    UnitOfWork,
)
from tierdesk.services.records import UserRecord, new_id
from tierdesk.services.unit import to_state
from tierdesk.services.users import LEAD_ROLES, NOTE_ROLES, TICKET_ROLES, actor

KINDS: tuple[str, ...] = ("outage", "emergency", "security", "other")
STATUSES: tuple[str, ...] = ("open", "resolved")
DECLARE_ROLES = TICKET_ROLES  # anyone working tickets may declare (seed 003: tell at once)
RESOLVE_ROLES = LEAD_ROLES | {"admin"}  # resolving replies to every linked customer
READ_ROLES = NOTE_ROLES
DEFAULT_TEMPLATE = "incident_resolved"
TITLE_MAX, TEXT_MAX = 200, 10_000


@dataclass(frozen=True)
class IncidentView:
    incident: IncidentRecord
    tickets: list[IncidentTicketRecord]
    timeline: list[IncidentEntryRecord]


@dataclass(frozen=True)
class Resolution:
    """A resolved incident, the tickets replied to and those skipped (ticket id, reason)."""

    incident: IncidentRecord
    replied: list[str]
    skipped: list[tuple[str, str]]


def _entry(
    uow: UnitOfWork,
    incident_id: str,
    actor_id: str,
    kind: str,
    at: datetime,
    text: str = "",
    **data: Any,
) -> None:
    uow.incidents.add_entry(
        IncidentEntryRecord(new_id("ie"), incident_id, at, actor_id, kind, text, dict(data))
    )


def _text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput(field, "must not be empty")
    if len(text) > limit:
        raise InvalidInput(field, f"at most {limit} characters")
    return text


def _open(uow: UnitOfWork, incident_id: str) -> IncidentRecord:
    incident = uow.incidents.get(incident_id)
    if incident is None:
        raise NotFound("incident", incident_id)
    return incident


def declare(
    env: Env,
    *,
    actor_id: str,
    title: str,
    description: str = "",
    severity: str,
    kind: str = "outage",
    ticket_ids: Sequence[str] = (),
) -> IncidentView:
    """Open an incident, link `ticket_ids`, and notify whom the policy's `incident` rules name
    (recorded on the timeline with the time). InvalidInput for an empty title, an unknown
    severity (a priority of the policy) or kind; NotFound for an unknown ticket."""
    title = _text("title", title, TITLE_MAX)
    description = _text("description", description, TEXT_MAX, required=False)
    if severity not in {p.id for p in env.rules.priorities}:
        known = ", ".join(p.id for p in env.rules.priorities)
        raise InvalidInput("severity", f"must be a priority of the policy: {known}")
    if kind not in KINDS:
        raise InvalidInput("kind", f"must be one of {', '.join(KINDS)}")
    with env.uow() as uow:
        user = actor(uow, actor_id, DECLARE_ROLES, "declare incidents")
        now = env.now()
        incident = IncidentRecord(
            id=new_id("inc"),
            title=title,
            description=description,
            severity=severity,
            kind=kind,
            status="open",
            created_at=now,
            created_by=user.id,
        )
        uow.incidents.add(incident)
        _entry(uow, incident.id, user.id, "opened", now, title, severity=severity, type=kind)
        for ticket_id in dict.fromkeys(ticket_ids):
            _link(uow, incident.id, ticket_id, user, now)
        event = NoticeEvent(
            "incident", now, incident.id, priority=severity, subject=title, actor_id=user.id
        )
        told = staff_notices.record(uow, env, [event])
        names = {u.id: u.username for u in uow.users.search()}
        _entry(
            uow,
            incident.id,
            user.id,
            "notified",
            now,
            ", ".join(names.get(n.user_id, n.user_id) for n in told),
            users=[names.get(n.user_id, n.user_id) for n in told],
            urgent=any(n.urgent for n in told),
        )
        uow.commit()
        return _view(uow, incident.id)


def _link(
    uow: UnitOfWork, incident_id: str, ticket_id: str, user: UserRecord, at: datetime
) -> bool:
    if uow.tickets.get(ticket_id) is None:
        raise NotFound("ticket", ticket_id)
    linked = uow.incidents.link(IncidentTicketRecord(incident_id, ticket_id, at, user.id))
    if linked:
        _entry(uow, incident_id, user.id, "linked", at, ticket_id, ticket_id=ticket_id)
    return linked


def link(env: Env, *, incident_id: str, ticket_id: str, actor_id: str) -> bool:
    """Link a ticket (False when it was linked already). Conflict once resolved."""
    with env.uow() as uow:
        user = actor(uow, actor_id, DECLARE_ROLES, "link tickets to incidents")
        incident = _open(uow, incident_id)
        _require_open(incident, "link tickets to")
        linked = _link(uow, incident_id, ticket_id, user, env.now())
        uow.commit()
        return linked


def unlink(env: Env, *, incident_id: str, ticket_id: str, actor_id: str) -> None:
    """Unlink a ticket; NotFound when it is not linked. Conflict once resolved."""
    with env.uow() as uow:
        user = actor(uow, actor_id, DECLARE_ROLES, "unlink tickets from incidents")
        incident = _open(uow, incident_id)
        _require_open(incident, "unlink tickets from")
        if not uow.incidents.unlink(incident_id, ticket_id):
            raise NotFound("linked ticket", ticket_id)
        now = env.now()
        _entry(uow, incident_id, user.id, "unlinked", now, ticket_id, ticket_id=ticket_id)
        uow.commit()


def add_note(env: Env, *, incident_id: str, actor_id: str, text: str) -> None:
    """A line on the timeline (what happened, what was done)."""
    body = _text("text", text, TEXT_MAX)
    with env.uow() as uow:
        user = actor(uow, actor_id, DECLARE_ROLES, "write on incidents")
        _open(uow, incident_id)
        _entry(uow, incident_id, user.id, "note", env.now(), body)
        uow.commit()


def _require_open(incident: IncidentRecord, command: str) -> None:
    if incident.status != "open":
        raise InvalidTransition(
            f"cannot {command} incident {incident.id}: it is {incident.status}",
            incident_id=incident.id,
            status=incident.status,
        )


def resolve(
    env: Env,
    *,
    incident_id: str,
    actor_id: str,
    resolution: str | Mapping[str, str],
    template_id: str | None = DEFAULT_TEMPLATE,
) -> Resolution:
    """Resolve the incident and reply to every linked ticket with `template_id` (None: no
    replies) in the ticket's language, `{action}` filled with `resolution` (text, or text by
    language). Conflict when it is resolved already; InvalidInput for an empty resolution or
    an unknown template."""
    texts = {"en": resolution} if isinstance(resolution, str) else dict(resolution)
    texts = {lang: _text("resolution", t, TEXT_MAX) for lang, t in texts.items()}
    if not texts:
        raise InvalidInput("resolution", "must not be empty")
    template = None
    if template_id is not None:
        template = env.rules.template(template_id)
        if template is None:
            raise InvalidInput("template_id", f"the policy has no template {template_id!r}")
    with env.uow() as uow:
        user = actor(uow, actor_id, RESOLVE_ROLES, "resolve incidents")
        incident = _open(uow, incident_id)
        _require_open(incident, "resolve")
        now = env.now()
        summary = texts.get("en") or next(iter(texts.values()))
        resolved = replace(
            incident, status="resolved", resolved_at=now, resolved_by=user.id, resolution=summary
        )
        uow.incidents.save(resolved)
        _entry(uow, incident_id, user.id, "resolved", now, summary, resolution=texts)
        linked = [r.ticket_id for r in uow.incidents.tickets(incident_id)]
        uow.commit()
    replied: list[str] = []
    skipped: list[tuple[str, str]] = []
    if template is not None:
        for ticket_id in linked:
            try:
                body = _reply_body(env, ticket_id, template, texts, user)
                conversation.reply(
                    env, ticket_id=ticket_id, actor_id=user.id, body=body, template_id=template.id
                )
                replied.append(ticket_id)
            except ServiceError as exc:
                skipped.append((ticket_id, str(exc)))
    with env.uow() as uow:
        now = env.now()
        for ticket_id in replied:
            _entry(uow, incident_id, user.id, "replied", now, ticket_id, ticket_id=ticket_id)
        for ticket_id, reason in skipped:
            _entry(uow, incident_id, user.id, "not_replied", now, reason, ticket_id=ticket_id)
        uow.commit()
    return Resolution(resolved, replied, skipped)


def _reply_body(
    env: Env, ticket_id: str, template: Template, texts: Mapping[str, str], user: UserRecord
) -> str:
    """The template for the ticket, in its language, with the resolution as `{action}`."""
    with env.reader() as uow:
        record = uow.tickets.get(ticket_id)
        if record is None:
            raise NotFound("ticket", ticket_id)
        customer = uow.customers.get(record.customer_id)
    state = to_state(record)
    lang = state.language
    action = texts.get(lang) or texts.get("en") or next(iter(texts.values()))
    values = notify.base_values(env.rules, state, customer) | {
        "action": action,
        "agent": user.display_name,
    }
    return render(template.body.get(lang), values, lang)


def _view(uow: UnitOfWork, incident_id: str) -> IncidentView:
    incident = _open(uow, incident_id)
    return IncidentView(
        incident, uow.incidents.tickets(incident_id), uow.incidents.timeline(incident_id)
    )


def get(env: Env, *, incident_id: str, actor_id: str) -> IncidentView:
    """The incident with its tickets and timeline. NotFound for an unknown id."""
    with env.reader() as uow:
        actor(uow, actor_id, READ_ROLES, "read incidents")
        return _view(uow, incident_id)


def list_incidents(
    env: Env, *, actor_id: str, status: str | None = None, limit: int = 100
) -> list[IncidentRecord]:
    """Incidents, newest first (of one status when given)."""
    if status is not None and status not in STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}")
    with env.reader() as uow:
        actor(uow, actor_id, READ_ROLES, "read incidents")
        return uow.incidents.search(status, limit)


def for_ticket(env: Env, ticket_id: str) -> list[str]:
    """Ids of the incidents a ticket is linked to."""
    with env.reader() as uow:
        return uow.incidents.for_ticket(ticket_id)
