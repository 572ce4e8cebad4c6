"""Opening tickets (durable, idempotent intake, R-PROC-1) and reading them.

`open_ticket` does the whole intake in one unit of work: find or create the customer, triage,
route, link a repeat contact (R-ESC-5), start the clocks, record the events and queue the
automatic receipt in the outbox. The caller may acknowledge the customer once it returns: the
ticket and its receipt are committed. An idempotency key or a channel's message id yields
exactly one ticket however often a request is retried, including concurrent retries.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tierdesk.domain import model
from tierdesk.domain.decisions import TriageDecision
from tierdesk.domain.events import SYSTEM, EventKind, TicketEvent
from tierdesk.domain.routing import route
from tierdesk.domain.signals import detect_language
from tierdesk.domain.templates import plain_name
from tierdesk.domain.triage import triage
from tierdesk.services import clocks, escalations, notify
from tierdesk.services.customers import Contact, find_or_create_new, history_ids
from tierdesk.services.env import Env
from tierdesk.services.errors import IdempotencyKeyReused, InvalidInput, ServiceError
from tierdesk.services.ports import DuplicateKey, UnitOfWork
from tierdesk.services.records import (
    CustomerRecord,
    IdentityRecord,
    MessageRecord,
    OutboxRecord,
    TicketRecord,
    new_id,
)
from tierdesk.services.unit import TicketChange, finish
from tierdesk.services.users import TICKET_ROLES, actor

log = logging.getLogger("tierdesk.intake")

CHANNELS = model.CHANNELS
MAX_TEXT = 100_000
MAX_KEY = 200


@dataclass(frozen=True)
class Opened:
    """The ticket; `created` is False when the key named a ticket opened before."""

    ticket: TicketRecord
    created: bool
    decision: TriageDecision | None = None


@dataclass(frozen=True)
class Intake:
    """One ticket to open (see `open_ticket` for the fields)."""

    channel: str
    text: str
    contact: Contact
    subject: str = ""
    language: str | None = None
    idempotency_key: str | None = None
    channel_message_id: str | None = None
    related_to: str | None = None
    actor_id: str | None = None
    team: str | None = None  # the team the channel address belongs to (an email mailbox's)
    brand: str | None = None  # the brand it was written to, recorded on the opened event


def open_ticket(
    env: Env,
    *,
    channel: str,
    text: str,
    contact: Contact,
    subject: str = "",
    language: str | None = None,
    idempotency_key: str | None = None,
    channel_message_id: str | None = None,
    related_to: str | None = None,
    actor_id: str | None = None,
    team: str | None = None,
    brand: str | None = None,
) -> Opened:
    """Open a ticket from any channel (see the module doc). `related_to` links it explicitly
    to an earlier ticket of the same issue; `actor_id` is the agent who logged it (a phone
    call), None when the customer wrote. `team`: the team the address written to belongs to
    (an email mailbox's): a tier of the policy works the ticket in that tier, a policy team
    gets it in its queue; one the policy does not define is noted and ignored. `brand` is
    recorded on the opened event. Raises InvalidInput naming the field."""
    return open_intake(
        env,
        Intake(
            channel,
            text,
            contact,
            subject,
            language,
            idempotency_key,
            channel_message_id,
            related_to,
            actor_id,
            team,
            brand,
        ),
    )


def open_intake(env: Env, intake: Intake) -> Opened:
    """`open_ticket` for an `Intake`."""
    _validate(intake)
    for attempt in range(2):
        try:
            with env.uow() as uow:
                opened = _open_one(uow, env, intake, _Shared(uow))
                uow.commit()
                return opened
        except DuplicateKey:
            # A concurrent request with the same key (or a new customer's identity) won the
            # race: the retry finds its ticket (or customer) committed.
            if attempt == 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def open_tickets(env: Env, intakes: Sequence[Intake]) -> list[Opened | Exception]:
    """Open many tickets in one commit (group commit: one fsync for a batch of concurrent
    requests), each result in the order given: the ticket, or the error of that intake.
    When the shared commit fails for any reason (a race on a key, one intake refused mid-way,
    a database error such as a value the database refuses) every intake is opened on its own
    instead, so one bad request never sinks the others: it alone gets its error (a
    ServiceError, or the unexpected exception, logged here)."""
    results: list[Opened | Exception] = []
    try:
        with env.uow() as uow:
            shared = _Shared(uow)
            for intake in intakes:
                results.append(_validated_open(uow, env, intake, shared))
            uow.commit()
        return results
    except Exception:  # noqa: S110 - every intake is retried on its own below
        pass
    out: list[Opened | Exception] = []
    for intake in intakes:
        try:
            out.append(open_intake(env, intake))
        except ServiceError as exc:
            out.append(exc)
        except Exception as exc:  # this intake alone fails (its caller answers 500)
            log.error("intake on %s failed on its own", intake.channel, exc_info=exc)
            out.append(exc)
    return out


class _Shared:
    """What the intakes of one unit of work share, read once and only when needed: the id of
    the effective policy version (intake never changes policies)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._read = False
        self._policy_id: str | None = None

    def policy_id(self) -> str | None:
        if not self._read:
            effective = self._uow.policies.effective()
            self._policy_id = effective.id if effective is not None else None
            self._read = True
        return self._policy_id


def _validated_open(
    uow: UnitOfWork, env: Env, intake: Intake, shared: _Shared
) -> Opened | ServiceError:
    try:
        _validate(intake)
    except ServiceError as exc:
        return exc  # refused before it wrote anything: the batch goes on
    return _open_one(uow, env, intake, shared)


def request_hash(intake: Intake) -> str:
    """SHA-256 of what an intake asks for (channel, text, contact, subject, language, link),
    stored with its idempotency key: a retry must ask for the same thing."""
    c = intake.contact
    asked: list[str | None] = [intake.channel, intake.text, c.kind, c.value, c.name]
    asked += [intake.subject, intake.language, intake.related_to]
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()


def _open_one(uow: UnitOfWork, env: Env, intake: Intake, shared: _Shared) -> Opened:
    existing = _existing(uow, intake.channel, intake.idempotency_key, intake.channel_message_id)
    if existing is not None:
        if intake.idempotency_key is not None and existing.idempotency_key is not None:
            _same_request(uow, existing, intake)
        return Opened(existing, created=False)
    if intake.actor_id is not None:
        actor(uow, intake.actor_id, TICKET_ROLES, "log tickets")
    return _open(uow, env, intake, shared)


def _validate(intake: Intake) -> None:
    channel, text = intake.channel, intake.text
    if channel not in CHANNELS:
        raise InvalidInput("channel", f"must be one of {', '.join(CHANNELS)}", value=channel)
    if not text.strip():
        raise InvalidInput("text", "the customer's message is empty")
    if len(text) > MAX_TEXT:
        raise InvalidInput("text", f"longer than {MAX_TEXT} characters")
    for name, key in (
        ("idempotency_key", intake.idempotency_key),
        ("channel_message_id", intake.channel_message_id),
    ):
        if key is not None and not 1 <= len(key) <= MAX_KEY:
            raise InvalidInput(name, f"must be 1-{MAX_KEY} characters")


def _request_facts(intake: Intake) -> dict[str, Any]:
    """The request hash an opened event keeps with an idempotency key (none without one)."""
    return {"request_hash": request_hash(intake)} if intake.idempotency_key else {}


def _brand_facts(intake: Intake) -> dict[str, Any]:
    """The brand the customer wrote to, on the opened event (none without one)."""
    return {"brand": intake.brand} if intake.brand else {}


def _same_request(uow: UnitOfWork, existing: TicketRecord, intake: Intake) -> None:
    """IdempotencyKeyReused unless `intake` asks for what the ticket's first request did
    (tickets opened before request hashes were stored are taken as the same request)."""
    events = uow.events.for_ticket(existing.id)
    stored = events[0].data.get("request_hash") if events else None
    if stored is not None and stored != request_hash(intake):
        raise IdempotencyKeyReused(
            "idempotency_key",
            "this Idempotency-Key was used with a different request; the first one is "
            "stored unchanged: use a new key for a new request",
        )


def _existing(
    uow: UnitOfWork, channel: str, key: str | None, message_id: str | None
) -> TicketRecord | None:
    if key is not None:
        found = uow.tickets.find_by_idempotency_key(key)
        if found is not None:
            return found
    if message_id is not None:
        return uow.tickets.find_by_channel_message(channel, message_id)
    return None


def _open(uow: UnitOfWork, env: Env, i: Intake, shared: _Shared) -> Opened:
    now = env.now()
    language = i.language or detect_language(i.text)
    customer, identity = find_or_create_new(
        uow, Contact(i.contact.kind, i.contact.value, plain_name(i.contact.name), language), now
    )
    decision = _triage(env, i.text, 1)
    first_tier = env.rules.category(decision.category).tier
    root, count = _prior_contacts(
        uow, env, customer, identity, decision.category, i.related_to, now
    )
    if count > 1:
        decision = _triage(env, i.text, count)
    routed = route(decision, env.rules, channel=i.channel, language=language)
    tier, queue, reasons = _team_route(env, i.team, routed.tier, routed.reasons)
    change = TicketChange(new_id("t"), None, i.actor_id or f"customer:{customer.id}", now)
    opened = change.emit(
        EventKind.OPENED,
        f"received by {i.channel}",
        customer_id=customer.id,
        channel=i.channel,
        subject=i.subject.strip() or _subject(i.text),
        language=language,
        idempotency_key=i.idempotency_key,
        channel_message_id=i.channel_message_id,
        policy_version_id=shared.policy_id(),
        **_request_facts(i),
        **_brand_facts(i),
    )
    _add_message(uow, change, i.channel, i.text, i.channel_message_id)
    change.actor = SYSTEM
    _record_triage(change, decision, tier, routed.priority, reasons, queue)
    if root is not None:
        change.emit(
            EventKind.CONTACT_LINKED,
            f"contact {count} on the same issue as ticket {root}",
            changes={"related_to": root, "contact_count": count},
        )
    _receipt(uow, env, change, opened, customer, identity)
    if decision.escalate_to:
        escalations.at_intake(uow, env, change, decision, from_tier=first_tier)
    record = finish(uow, env, change)
    return Opened(record, created=True, decision=decision)


def _triage(env: Env, text: str, contact_count: int) -> TriageDecision:
    return triage(
        text,
        env.rules,
        contact_count=contact_count,
        classifier=env.classifier,
        intent_map=env.intent_map,
    )


def _subject(text: str) -> str:
    first = text.strip().splitlines()[0]
    return first if len(first) <= 120 else first[:119] + "…"


def _add_message(
    uow: UnitOfWork, change: TicketChange, channel: str, text: str, channel_message_id: str | None
) -> None:
    message_id = new_id("m")
    event = change.emit(
        EventKind.MESSAGE_ADDED, "customer wrote", author="customer", message_id=message_id
    )
    uow.messages.add(
        MessageRecord(
            id=message_id,
            ticket_id=change.ticket_id,
            kind="customer",
            channel=channel,
            body=text,
            created_at=change.at,
            event_seq=event.seq,
            channel_message_id=channel_message_id,
        )
    )


def _record_triage(
    change: TicketChange,
    d: TriageDecision,
    tier: str,
    priority: str,
    route_reasons: Sequence[str],
    queue: str | None = None,
) -> None:
    change.emit(
        EventKind.TRIAGED,
        "; ".join(d.reasons),
        changes={
            "category": d.category,
            "priority": d.priority,
            "tier": d.tier,
            "signals": tuple(s.value for s in d.signals),
            "escalate_to": d.escalate_to,
            "refund_amount": d.refund.amount if d.refund is not None else None,
            "refund_currency": d.refund.currency if d.refund is not None else None,
            "needs_human": d.needs_human,
        },
        confidence=round(d.confidence, 4),
        intent=d.intent,
    )
    change.emit(
        EventKind.ROUTED,
        "; ".join(route_reasons) or f"category {d.category} is worked by {tier}",
        changes={"tier": tier, "priority": priority, "queue": queue or tier},
    )


def _team_route(
    env: Env, team: str | None, tier: str, reasons: Sequence[str]
) -> tuple[str, str, tuple[str, ...]]:
    """(tier, queue, routing reasons) once the team of the address written to is applied:
    a tier of the policy takes the ticket, a policy team gets it in its queue (the tier
    stays), anything else is noted and ignored."""
    if not team:
        return tier, tier, tuple(reasons)
    if team in env.rules.tier_order:
        return team, team, (*reasons, f"written to a mailbox of {team}")
    if team in dict(env.rules.teams):
        return tier, team, (*reasons, f"written to a mailbox of team {team}")
    return tier, tier, (*reasons, f"mailbox team {team!r} is not in the policy; ignored")


def _prior_contacts(
    uow: UnitOfWork,
    env: Env,
    customer: CustomerRecord,
    new_identity: IdentityRecord | None,
    category: str,
    related_to: str | None,
    now: datetime,
) -> tuple[str | None, int]:
    """(first ticket of the issue, this contact's number) for R-ESC-5: an explicit link, or
    the same customer (merged identities included) in the same category within the window.
    `new_identity` is set when this intake created the customer."""
    if related_to is not None:
        linked = uow.tickets.get(related_to)
        if linked is None:
            raise InvalidInput("related_to", f"ticket {related_to} does not exist")
        return next_contact(uow, linked)
    if new_identity is not None:
        return None, 1  # a customer created just now has no tickets and no merged customers
    since = now - env.repeat_window
    recent = uow.tickets.recent_for_customers(history_ids(uow, customer.id), since)
    same = [t for t in recent if t.category == category and t.merged_into is None]
    if not same:
        return None, 1
    return next_contact(uow, same[-1])


def next_contact(
    uow: UnitOfWork, linked: TicketRecord, exclude: str | None = None
) -> tuple[str, int]:
    """(first ticket of `linked`'s issue, the number of a new contact on it)."""
    root_id = linked.related_to or linked.id
    # `linked` read in this unit of work is its own root as stored: no need to read it again.
    root = linked if root_id == linked.id else (uow.tickets.get(root_id) or linked)
    ids = history_ids(uow, linked.customer_id)
    chain = [
        t
        for t in uow.tickets.recent_for_customers(ids, root.created_at)
        if root_id in (t.id, t.related_to) and t.id != exclude
    ]
    return root_id, max([linked.contact_count, *(t.contact_count for t in chain)]) + 1


def _receipt(
    uow: UnitOfWork,
    env: Env,
    change: TicketChange,
    opened: TicketEvent,
    customer: CustomerRecord,
    new_identity: IdentityRecord | None,
) -> OutboxRecord | None:
    """The automatic receipt (R-PROC-1), with the first-response due time. `new_identity`:
    the only identity of a customer created by this intake (None: read them)."""
    values = clocks.due_values(env.rules, change.state)
    identities = None if new_identity is None else (new_identity,)
    return notify.queue(
        uow,
        env.rules,
        change.state,
        opened,
        "receipt",
        values=values,
        customer=customer,
        identities=identities,
        customer_link=env.customer_link,
    )
