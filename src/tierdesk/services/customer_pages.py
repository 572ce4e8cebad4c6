"""What the public customer pages ask of the helpdesk, beside the intake: a customer's magic
link (sent to an address only when it is a customer's, the page never says which), the
customer's tickets and their public conversation, and a customer's reply from the page or
the chat (in as a customer message, as an email reply would be, at most once per key).

The pages hold no rule: who owns a ticket, what a customer may see (never an internal note)
and whether a ticket takes a message are decided here and in `conversation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tierdesk.services import conversation
from tierdesk.services.customers import history_ids, normalize_identity, resolve
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import (
    MessageRecord,
    OutboxRecord,
    TicketFilter,
    TicketRecord,
    new_id,
)

MAX_TICKETS = 50  # the newest a customer's page lists
_LINK_MAIL = {
    "en": (
        "Your requests with {business}",
        "Hello{name},\n\nHere is your link to see your requests with {business} and to reply "
        "to them:\n\n{link}\n\nIt works until {expires}. If you did not ask for it, you can "
        "ignore this message.",
    ),
    "zh-TW": (
        "您在 {business} 的詢問",
        "{name}您好：\n\n請用以下連結查看您在 {business} 的詢問並回覆：\n\n{link}\n\n"
        "連結有效至 {expires}。如果您沒有提出這項要求，請忽略此郵件。",
    ),
}


@dataclass(frozen=True)
class CustomerThread:
    """One of the customer's tickets with what the customer may see of it: their own
    messages and the public replies, oldest first (never an internal note)."""

    ticket: TicketRecord
    messages: tuple[MessageRecord, ...]

    @property
    def open(self) -> bool:
        """Whether the ticket still takes a message from the customer."""
        return self.ticket.status not in ("closed", "merged")


def request_link(
    env: Env,
    *,
    email: str,
    language: str,
    link_for: Callable[[str], tuple[str, str]],
    request_key: str,
) -> bool:
    """Queue a mail with the customer's magic link when `email` is a customer's address
    (`link_for(customer_id)` gives the link and when it expires, in words). Returns whether
    a mail was queued: the caller must not show it. The same `request_key` never queues two
    mails (a resubmitted form). Raises InvalidInput (field "email") for what is not an
    address."""
    address = normalize_identity("email", email)
    with env.uow() as uow:
        found = uow.customers.find_by_identity("email", address)
        if found is None:
            return False
        customer = resolve(uow, found)
        link, expires = link_for(customer.id)
        lang = language if language in _LINK_MAIL else "en"
        subject, body = _LINK_MAIL[lang]
        name = f" {customer.name}" if customer.name and lang == "en" else customer.name
        values = {"business": env.rules.business, "link": link, "expires": expires, "name": name}
        now = env.now()
        queued = uow.outbox.add(
            OutboxRecord(
                id=new_id("o"),
                kind="customer_link",
                channel="email",
                recipient=address,
                payload={
                    "text": body.format(**values),
                    "subject": subject.format(**values),
                    "language": lang,
                },
                dedupe_key=f"customer_link:{customer.id}:{request_key}",
                created_at=now,
                next_attempt_at=now,
            )
        )
        uow.commit()
        return queued


def customer_tickets(env: Env, *, customer_id: str) -> list[CustomerThread]:
    """The customer's tickets (a merged-in customer's too), newest first, with what the
    customer may see of each."""
    with env.reader() as uow:
        found: list[TicketRecord] = []
        for cid in history_ids(uow, customer_id):
            page = uow.tickets.search(TicketFilter(customer_id=cid), limit=MAX_TICKETS)
            found.extend(t for t in page.items if t.merged_into is None)
        found.sort(key=lambda t: (t.created_at, t.id), reverse=True)
        return [_thread(uow, t) for t in found[:MAX_TICKETS]]


def customer_thread(env: Env, *, customer_id: str, ticket_id: str) -> CustomerThread:
    """One of the customer's tickets; NotFound when it is not theirs (as for an unknown id,
    so a page cannot probe other customers' tickets)."""
    with env.reader() as uow:
        return _thread(uow, _owned(uow, customer_id, ticket_id))


def customer_email(env: Env, *, customer_id: str) -> str:
    """The address the customer's replies go to ("" when they gave none)."""
    with env.reader() as uow:
        found = [i for i in uow.customers.identities(customer_id) if i.kind == "email"]
    return found[0].value if found else ""


def customer_reply(
    env: Env, *, customer_id: str, ticket_id: str, body: str, channel: str, message_key: str
) -> TicketRecord:
    """The customer's message on their ticket from a page (`channel` web) or the chat
    (`chat`), taken as an email reply is: a paused ticket resumes, a resolved one reopens, a
    closed one is refused. The same `message_key` is taken once (a resubmitted form)."""
    if not body.strip():
        raise InvalidInput("body", "write a message")
    with env.reader() as uow:
        ticket = _owned(uow, customer_id, ticket_id)
    return conversation.customer_message(
        env,
        ticket_id=ticket.id,
        body=body,
        channel=channel,
        channel_message_id=f"{channel}:{message_key}",
    )


def _owned(uow: UnitOfWork, customer_id: str, ticket_id: str) -> TicketRecord:
    ticket = uow.tickets.get(ticket_id)
    if ticket is not None and ticket.merged_into is not None:
        ticket = uow.tickets.get(ticket.merged_into)
    if ticket is None or ticket.customer_id not in history_ids(uow, customer_id):
        raise NotFound("ticket", ticket_id)
    return ticket


def _thread(uow: UnitOfWork, ticket: TicketRecord) -> CustomerThread:
    messages = tuple(m for m in uow.messages.for_ticket(ticket.id) if m.kind != "note")
    return CustomerThread(
        ticket, tuple(sorted(messages, key=lambda m: (m.created_at, m.event_seq, m.id)))
    )
