"""Messages to customers queued in the outbox, in the same unit of work as their cause.

Texts come from the policy's templates (by `use`: receipt, escalation_notice, resolution,
survey), in the customer's language. The dedupe key `{ticket}:{event seq}:{kind}` means one event
never queues the same kind of message twice, however often a command or the sweeper is retried.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tierdesk.domain.durations import local_time
from tierdesk.domain.events import TicketEvent
from tierdesk.domain.rulebook import Rulebook, Template
from tierdesk.domain.state import TicketState
from tierdesk.domain.templates import render
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import CustomerRecord, IdentityRecord, OutboxRecord, new_id

# Which identity answers a channel: a web form or chat writes back by email.
REPLY_IDENTITY: Mapping[str, str] = {
    "email": "email",
    "web": "email",
    "chat": "email",
    "api": "email",
    "line": "line",
    "phone": "phone",
    "sms": "phone",
}


SHORT_HEX = 10  # 40 bits of the ticket id: ambiguous ones are told apart by the sender


_REFERENCE = re.compile(rf"#?\s*T-([0-9a-f]{{{SHORT_HEX}}})", re.IGNORECASE)


def reference_prefix(text: str) -> str | None:
    """The ticket id prefix a short reference stands for ("T-3f9c1a2b7e", "#T-3F9C1A2B7E" ->
    "t_3f9c1a2b7e"), or None when `text` is not one: what an agent types to find a ticket a
    customer quotes."""
    found = _REFERENCE.fullmatch(text.strip())
    return f"t_{found.group(1).lower()}" if found else None


def short_reference(ticket_id: str) -> str:
    """The short reference of a ticket id, `T-3f9c1a2b7e` (its first 40 bits; the full id
    of anything that is not a `t_` id): what customers read as `{ticket_id}` in a message and
    in the subject token (`email_intake.ticket_token`), and what their reply threads by."""
    if re.fullmatch(r"t_[0-9a-f]{32}", ticket_id):
        return f"T-{ticket_id[2 : 2 + SHORT_HEX]}"
    return ticket_id


def template_for(rules: Rulebook, use: str) -> Template | None:
    """The policy's first template for `use` (receipt, escalation_notice, resolution, survey)."""
    return next((t for t in rules.templates if t.use == use), None)


def base_values(
    rules: Rulebook, state: TicketState, customer: CustomerRecord | None
) -> dict[str, str]:
    """Placeholder values every message of a ticket can use."""
    category = next((c for c in rules.categories if c.id == state.category), None)
    priority = next((p for p in rules.priorities if p.id == state.priority), None)
    lang = state.language
    return {
        "name": customer.name if customer is not None and customer.name else "",
        "ticket_id": short_reference(state.id),  # the customer's reference, as in the subject
        "business": rules.business,
        "category": category.label.get(lang) if category is not None else state.category,
        "priority": priority.name.get(lang) if priority is not None else state.priority,
        "tier": state.tier,
        "issue": state.subject,
    }


def recipient(
    uow: UnitOfWork,
    customer_id: str,
    channel: str,
    identities: Sequence[IdentityRecord] | None = None,
) -> tuple[str, str]:
    """(channel, address) to reach the customer: the identity matching the ticket's channel,
    else any identity (email first). ("", "") when the customer has none. `identities`: all
    of the customer's, when the caller knows them (they are read otherwise)."""
    if identities is None:
        identities = uow.customers.identities(customer_id)
    wanted = REPLY_IDENTITY.get(channel, "email")
    for kind in (wanted, "email", "line", "phone"):
        found = next((i for i in identities if i.kind == kind), None)
        if found is not None:
            return (channel if kind == wanted else _channel_of(kind)), found.value
    return "", ""


def _channel_of(identity_kind: str) -> str:
    return {"email": "email", "line": "line", "phone": "sms"}.get(identity_kind, identity_kind)


def delivery_channel(channel: str) -> str:
    """The channel a message queued with `channel` travels on: "email" for email, web form,
    chat and API tickets, "line", "sms" for phone; anything else as given (e.g. "webhook")."""
    identity = REPLY_IDENTITY.get(channel)
    return _channel_of(identity) if identity is not None else channel


def queue(
    uow: UnitOfWork,
    rules: Rulebook,
    state: TicketState,
    event: TicketEvent,
    kind: str,
    *,
    use: str | None = None,
    values: Mapping[str, str] | None = None,
    text: str | None = None,
    extra: Mapping[str, Any] | None = None,
    customer: CustomerRecord | None = None,
    identities: Sequence[IdentityRecord] | None = None,
    customer_link: Callable[[str], str] | None = None,
) -> OutboxRecord | None:
    """Queue one message caused by `event`: `text` as given, or the template for `use`
    rendered with the ticket's values and `values`. None when the customer cannot be reached
    or the policy has no such template (nothing to send is not an error). `customer` (the
    ticket's) and `identities` (all of its), when the caller holds them, save reading them.
    `customer_link` (`Env.customer_link`): a mail carries the link to the customer's page
    (payload `customer_link`, in the customer's language), printed in its footer."""
    channel, address = recipient(uow, state.customer_id, state.channel, identities)
    if not address:
        return None
    if customer_link is not None and delivery_channel(channel) == "email":
        link = f"{customer_link(state.customer_id)}?lang={state.language}"
        extra = {"customer_link": link, **(extra or {})}
    body, template_id = text, None
    if body is None:
        template = template_for(rules, use or kind)
        if template is None:
            return None
        body = _render(uow, rules, state, template, values or {}, customer)
        template_id = template.id
    message = OutboxRecord(
        id=new_id("o"),
        kind=kind,
        channel=channel,
        recipient=address,
        payload={
            "text": body,
            "language": state.language,
            "template_id": template_id,
            "ticket_id": state.id,
            "event_seq": event.seq,
            "subject": state.subject,
            **_thread_of(state),
            **(extra or {}),
        },
        dedupe_key=f"{state.id}:{event.seq}:{kind}",
        created_at=event.at,
        next_attempt_at=event.at,
        ticket_id=state.id,
    )
    return message if uow.outbox.add(message) else None


def _thread_of(state: TicketState) -> dict[str, str]:
    """What lets the customer's mail client thread a message: the Message-ID of the mail
    that opened an email ticket (its channel message id)."""
    if state.channel == "email" and state.channel_message_id:
        return {"in_reply_to": state.channel_message_id}
    return {}


def _render(
    uow: UnitOfWork,
    rules: Rulebook,
    state: TicketState,
    template: Template,
    values: Mapping[str, str],
    customer: CustomerRecord | None,
) -> str:
    if customer is None or customer.id != state.customer_id:
        customer = uow.customers.get(state.customer_id)
    merged = {**base_values(rules, state, customer), **values}
    return render(template.body.get(state.language), merged, state.language)


def fmt_time(when: datetime | None, tz_name: str, lang: str) -> str:
    """A due time as the customer reads it, in the business's time zone, to the minute."""
    return "-" if when is None else local_time(when, tz_name, lang)
