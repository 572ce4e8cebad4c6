"""The conversation on a ticket: public replies, internal notes, customer follow-ups, and
waiting on the customer (clocks pause, R-SLA-2).

A reply may start from a template (R-TPL-1). A reply still holding a placeholder (`{name}`,
`{action}` ...) is refused (`unfilled_placeholders`, naming them) and nothing is sent. Templates
are starting points: a reply whose text is the rendered template unchanged is sent but flagged
(`template_unedited` on the message and the event), so QA and reports can count it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from tierdesk.domain.events import EventKind
from tierdesk.domain.state import ACTIVE_STATUSES, TicketStatus
from tierdesk.domain.templates import unfilled
from tierdesk.services import notify
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound, UnfilledPlaceholders
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import MessageRecord, TicketRecord, new_id
from tierdesk.services.tickets import MAX_TEXT
from tierdesk.services.unit import TicketChange, act_on, finish, load, require_status
from tierdesk.services.users import NOTE_ROLES, TICKET_ROLES, actor

_SPACE = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")  # captured: split keeps them
_OPEN = frozenset({TicketStatus.NEW, TicketStatus.OPEN})


def _body(body: str) -> str:
    if not body.strip():
        raise InvalidInput("body", "the message is empty")
    if len(body) > MAX_TEXT:
        raise InvalidInput("body", f"longer than {MAX_TEXT} characters")
    return body.strip()


def reply(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    body: str,
    template_id: str | None = None,
    expected_version: int | None = None,
) -> TicketRecord:
    """Send a public reply (queued in the outbox). The first reply stops the first-response
    clock. With `template_id`, the body is compared with the template rendered for this
    ticket: unchanged, the reply is flagged as an unedited template (R-TPL-1). A reply to a
    ticket pending the customer keeps it pending; to a resolved or closed one it is refused."""
    text = _body(body)
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "reply to customers")
        change = act_on(uow, user, ticket_id, env, expected_version, "reply to")
        require_status(change, ACTIVE_STATUSES, "reply to")
        _refuse_unfilled(text)
        unedited = _template_check(uow, env, change, template_id, text)
        message_id = new_id("m")
        status = TicketStatus.OPEN if change.state.status == TicketStatus.NEW else None
        event = change.emit(
            EventKind.MESSAGE_ADDED,
            "unedited template" if unedited else "reply",
            changes={"status": status} if status else None,
            author="agent",
            message_id=message_id,
            template_id=template_id,
            template_unedited=unedited,
        )
        _store(
            uow,
            change,
            event.seq,
            message_id,
            "reply",
            text,
            template_id=template_id,
            unedited=unedited,
        )
        notify.queue(
            uow, env.rules, change.state, event, "reply", text=text, customer_link=env.customer_link
        )
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def _store(
    uow: UnitOfWork,
    change: TicketChange,
    seq: int,
    message_id: str,
    kind: Literal["customer", "reply", "note"],
    text: str,
    channel: str | None = None,
    channel_message_id: str | None = None,
    template_id: str | None = None,
    unedited: bool = False,
) -> None:
    """Keep a message's text (the event holds only its id)."""
    uow.messages.add(
        MessageRecord(
            id=message_id,
            ticket_id=change.ticket_id,
            kind=kind,
            channel=channel or ("internal" if kind == "note" else change.state.channel),
            body=text,
            created_at=change.at,
            author_id=None if kind == "customer" else change.actor,
            template_id=template_id,
            template_unedited=unedited,
            event_seq=seq,
            channel_message_id=channel_message_id,
        )
    )


def _refuse_unfilled(text: str) -> None:
    """A reply still holding `{name}`, `{action}` ... never reaches the customer (R-TPL-1)."""
    left = unfilled(text)
    if left:
        shown = ", ".join("{" + p + "}" for p in left)
        raise UnfilledPlaceholders(f"fill in {shown} before sending", placeholders=left)


def _template_check(
    uow: UnitOfWork, env: Env, change: TicketChange, template_id: str | None, text: str
) -> bool:
    """Whether a reply from `template_id` was sent unedited.

    Unedited means the agent added nothing of their own: the template's fixed text is all
    there, unchanged but for white space, and every placeholder was left as is or holds only
    what the system fills in by itself (name, ticket id, business, category, subject ...)."""
    if template_id is None:
        return False
    template = env.rules.template(template_id)
    if template is None:
        raise InvalidInput("template_id", f"the policy has no template {template_id!r}")
    state = change.state
    auto = notify.base_values(env.rules, state, uow.customers.get(state.customer_id))
    body = _norm(template.body.get(state.language))
    # Each placeholder may only be left as is, blank, or hold what the system fills in; white
    # space is loose, since a blank placeholder collapses the spaces around it.
    pattern = "".join(
        re.escape(part).replace(r"\ ", r"\s*") if i % 2 == 0 else _untouched(part, auto)
        for i, part in enumerate(_PLACEHOLDER.split(body))
    )
    return re.fullmatch(pattern, _norm(text), flags=re.DOTALL) is not None


def _untouched(placeholder: str, auto: Mapping[str, str]) -> str:
    """A pattern for `{placeholder}` as the system would leave it."""
    name = placeholder[1:-1]
    values = [placeholder, *([_norm(auto[name])] if auto.get(name) else [])]
    return "(?:" + "|".join(re.escape(v) for v in values) + ")?"


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def add_note(
    env: Env, *, ticket_id: str, actor_id: str, body: str, expected_version: int | None = None
) -> TicketRecord:
    """Add an internal note (never sent to the customer). QA may note too."""
    text = _body(body)
    with env.uow() as uow:
        user = actor(uow, actor_id, NOTE_ROLES, "add notes")
        change = load(uow, ticket_id, user.id, env.now(), expected_version)
        message_id = new_id("m")
        event = change.emit(EventKind.NOTE_ADDED, "internal note", message_id=message_id)
        _store(uow, change, event.seq, message_id, "note", text)
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def customer_message(
    env: Env,
    *,
    ticket_id: str,
    body: str,
    channel: str | None = None,
    channel_message_id: str | None = None,
) -> TicketRecord:
    """A follow-up from the customer on an existing ticket: clocks paused for them resume; a
    resolved ticket reopens (the customer says it is not fixed); a closed one is refused.
    A `channel_message_id` seen before changes nothing (a retried webhook, a re-read mail)."""
    text = _body(body)
    with env.uow() as uow:
        record = _thread(uow, ticket_id)
        via = channel or record.channel
        if channel_message_id is not None and uow.messages.find_by_channel_message(
            via, channel_message_id
        ):
            return record
        change = load(uow, record.id, f"customer:{record.customer_id}", env.now())
        _wake(change)
        message_id = new_id("m")
        event = change.emit(
            EventKind.MESSAGE_ADDED, "customer wrote", author="customer", message_id=message_id
        )
        _store(uow, change, event.seq, message_id, "customer", text, via, channel_message_id)
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def _thread(uow: UnitOfWork, ticket_id: str) -> TicketRecord:
    """The ticket a customer's message belongs to: a merged duplicate's lives on in the kept
    ticket. NotFound for an unknown id."""
    record = uow.tickets.get(ticket_id)
    if record is not None and record.merged_into is not None:
        record = uow.tickets.get(record.merged_into)
    if record is None:
        raise NotFound("ticket", ticket_id)
    return record


def _wake(change: TicketChange) -> None:
    """A customer's message resumes a paused ticket and reopens a resolved one."""
    require_status(change, ACTIVE_STATUSES | {TicketStatus.RESOLVED}, "add a message to")
    if change.state.status == TicketStatus.PENDING_CUSTOMER:
        change.emit(EventKind.CLOCK_RESUMED, "the customer replied", changes={"status": "open"})
    elif change.state.status == TicketStatus.RESOLVED:
        change.emit(
            EventKind.REOPENED, "the customer wrote after resolution", changes={"status": "open"}
        )


def set_pending(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    reason: str,
    expected_version: int | None = None,
) -> TicketRecord:
    """Wait on the customer: status pending_customer, the SLA clocks pause (R-SLA-2)."""
    if not reason.strip():
        raise InvalidInput("reason", "say what the customer is asked for")
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "set tickets pending")
        change = act_on(uow, user, ticket_id, env, expected_version, "set pending")
        require_status(change, _OPEN, "set pending")
        change.emit(EventKind.CLOCK_PAUSED, reason.strip(), changes={"status": "pending_customer"})
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def resume(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    reason: str = "resumed by agent",
    expected_version: int | None = None,
) -> TicketRecord:
    """Stop waiting on the customer: status open, the clocks run again."""
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "resume tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "resume")
        require_status(change, frozenset({TicketStatus.PENDING_CUSTOMER}), "resume")
        change.emit(EventKind.CLOCK_RESUMED, reason, changes={"status": "open"})
        saved = finish(uow, env, change)
        uow.commit()
        return saved
