"""Email in: one received mail becomes a ticket, a reply on its ticket, or a recorded
non-event (auto-reply, bounce, loop, held), exactly once per Message-ID.

`receive` is idempotent: the ticket (or the customer's message) carries the Message-ID as its
channel message id, and the mail's ledger row (`uow.mail`, unique Message-ID) is written after
it. A mail read again after a crash (committed, not yet acknowledged to the mail server) finds
both and changes nothing, so the poller acknowledges only what `receive` returned for.

Threading, in order: `In-Reply-To`/`References` naming a Message-ID tierdesk sent
(`message_id_for`, which encodes the ticket) or a mail of the customer already on a ticket;
then the subject token `[#T-<first 10 hex digits of the ticket id>]` (the long `[#t_...]` of
earlier mail too; a short one several tickets share goes to the sender's); otherwise a new
ticket. A reply to a closed ticket
opens a new ticket linked to it (R-ESC-5).

No loops: automatic mail (`auto_reason`) never opens a ticket or gets a receipt; a
delivery-status report marks each failed address as failing (on its customer when known: the
outbox then sends it nothing, `services.outbox`, until a mail from that address is taken in,
which clears it); a
mail from one of tierdesk's own addresses or carrying its loop marker is dropped as a loop; a
sender over `hold_per_minute` mails a minute is held (recorded, not opened) until an agent
looks.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Protocol

from tierdesk.domain.state import TicketStatus
from tierdesk.services import conversation, tickets
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.errors import ServiceError
from tierdesk.services.notify import SHORT_HEX as SHORT_HEX
from tierdesk.services.notify import short_reference as short_reference
from tierdesk.services.ports import DuplicateKey, UnitOfWork
from tierdesk.services.records import (
    AddressFailureRecord,
    InboundMailRecord,
    OutboxRecord,
    TicketRecord,
    new_id,
)

CHANNEL = "email"
LOOP_HEADER = "X-Tierdesk-Loop"
_OURS = re.compile(r"^tierdesk\.(t_[0-9a-f]{32})\.")
_TOKEN = re.compile(r"\[#(t_[0-9a-f]{32})\]")
_SHORT = re.compile(r"\[#T-([0-9a-f]{10})\]", re.IGNORECASE)
_ANY_TOKEN = re.compile(r"\[#(?:t_[0-9a-f]{32}|T-[0-9a-f]{10})\]", re.IGNORECASE)


@dataclass(frozen=True)
class MailAttachment:
    """One attachment or inline image; `sha256` names its stored file, None when `refused`."""

    filename: str
    content_type: str
    size: int
    sha256: str | None
    inline: bool = False
    content_id: str | None = None
    refused: str | None = None


@dataclass(frozen=True)
class InboundMail:
    """A parsed email (the email adapter's `parse`); `text` is the new text, `full_text` all
    of it; addresses lowercased; ids without angle brackets."""

    mailbox: str
    message_id: str
    sender: str
    subject: str
    text: str
    raw_sha256: str
    size: int
    sender_name: str = ""
    full_text: str = ""
    html: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    attachments: tuple[MailAttachment, ...] = ()
    auto_reason: str | None = None
    bounce_recipients: tuple[str, ...] = ()
    bounce_reason: str = ""
    bounced_message_id: str | None = None
    recipients: tuple[str, ...] = ()
    loop_marker: str | None = None
    defects: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Received:
    """What became of a mail: `outcome` as in `InboundMailRecord`, plus duplicate (seen
    before: nothing changed)."""

    outcome: str
    ticket_id: str | None = None
    reason: str = ""


def message_id_for(message: OutboxRecord, domain: str) -> str:
    """The Message-ID (without brackets) of an outgoing mail: stable across retries (the
    dedupe key's), naming the ticket so a reply to it threads."""
    key = re.sub(r"[^A-Za-z0-9_.-]", ".", message.dedupe_key)
    return f"tierdesk.{key}@{domain}"


def ticket_token(ticket_id: str) -> str:
    """The subject token of a ticket, `[#T-3f9c1a2b7e]` (`short_reference`); mail that carries
    the long form `[#t_...]` of earlier versions threads too."""
    return f"[#{short_reference(ticket_id)}]"


def receive(
    env: Env,
    mail: InboundMail,
    *,
    own_addresses: Collection[str] = (),
    hold_per_minute: int = 20,
    team: str | None = None,
    brand: str | None = None,
) -> Received:
    """Take one mail in (see the module doc). A new ticket goes to `team` (the mailbox's: a
    tier or a policy team, see `tickets.open_ticket`) and records `brand`. Raises only when
    the store fails (the mail is then not acknowledged and is read again)."""
    with env.uow() as uow:
        seen = uow.mail.find(mail.message_id)
        if seen is not None:
            return Received("duplicate", seen.ticket_id, f"already received: {seen.outcome}")
        decided = _classify(uow, env, mail, own_addresses, hold_per_minute)
        if decided is not None:
            _record(uow, env, mail, decided)
            uow.commit()
            return decided
        if uow.mail.clear_failing(mail.sender):  # the address works again: mail it again
            uow.commit()
        thread = _thread(uow, mail)
    received = _take(env, mail, thread, team, brand)
    with env.uow() as uow:
        try:
            _record(uow, env, mail, received)
            uow.commit()
        except DuplicateKey:  # a concurrent poller of the same mailbox recorded it first
            pass
    return received


def retake(
    env: Env, mail: InboundMail, team: str | None = None, brand: str | None = None
) -> Received:
    """Take a mail in that was recorded without being taken (a held one released by an
    agent): threaded and opened as `receive` would, without the checks that held it. The
    ticket or reply carries the Message-ID, so taking it twice changes nothing more."""
    with env.reader() as uow:
        thread = _thread(uow, mail)
    return _take(env, mail, thread, team, brand)


def _classify(
    uow: UnitOfWork,
    env: Env,
    mail: InboundMail,
    own: Collection[str],
    hold_per_minute: int,
) -> Received | None:
    """The outcome of a mail that opens nothing, or None for one to take in."""
    ticket_id = _ours(mail.references + mail.in_reply_to)
    if mail.loop_marker or mail.sender in own:
        return Received("loop", ticket_id, "sent by tierdesk itself")
    if mail.bounce_recipients or (mail.bounced_message_id and not mail.sender):
        bounced = _ours((mail.bounced_message_id or "",)) or ticket_id
        for address in mail.bounce_recipients:
            _mark_failing(uow, env, address, mail.bounce_reason or "bounced")
        return Received("bounce", bounced, mail.bounce_reason or "delivery failed")
    if mail.auto_reason:
        return Received("auto_reply", ticket_id, mail.auto_reason)
    if not mail.sender:
        return Received("refused", None, "no sender address")
    if hold_per_minute > 0:
        recent = uow.mail.count_from(mail.sender, env.now() - timedelta(minutes=1))
        if recent >= hold_per_minute:
            return Received("held", ticket_id, f"more than {hold_per_minute} mails a minute")
    if not mail.text.strip() and not mail.attachments:
        return Received("refused", ticket_id, "no text and no attachments")
    return None


def _mark_failing(uow: UnitOfWork, env: Env, address: str, reason: str) -> None:
    before = uow.mail.failing(address)
    customer = uow.customers.find_by_identity("email", address)
    uow.mail.mark_failing(
        AddressFailureRecord(
            address=address,
            reason=reason[:500],
            failed_at=env.now(),
            bounces=(before.bounces + 1) if before is not None else 1,
            customer_id=customer.id if customer is not None else None,
        )
    )


def _ours(ids: tuple[str, ...]) -> str | None:
    """The ticket named by the newest of `ids` that tierdesk sent."""
    for value in reversed(ids):
        found = _OURS.match(value)
        if found:
            return found.group(1)
    return None


def _thread(uow: UnitOfWork, mail: InboundMail) -> TicketRecord | None:
    """The ticket `mail` continues, or None for a new one."""
    ids = mail.references + mail.in_reply_to
    candidates: list[str] = []
    ours = _ours(ids)
    if ours is not None:
        candidates.append(ours)
    for value in reversed(ids):  # the customer's own earlier mail, already on a ticket
        message = uow.messages.find_by_channel_message(CHANNEL, value)
        if message is not None:
            candidates.append(message.ticket_id)
    token = _TOKEN.search(mail.subject)
    if token:
        candidates.append(token.group(1))
    short = _SHORT.search(mail.subject)
    if short:
        candidates += _by_short(uow, short.group(1).lower(), mail.sender)
    for ticket_id in candidates:
        ticket = uow.tickets.get(ticket_id)
        if ticket is not None and ticket.merged_into is not None:
            ticket = uow.tickets.get(ticket.merged_into)
        if ticket is not None:
            return ticket
    return None


def _by_short(uow: UnitOfWork, hex_part: str, sender: str) -> list[str]:
    """The ticket a short reference names: the only one with that id prefix, or among a few
    sharing it (40 bits: rare), the one of the customer writing. None found: no candidate."""
    found = uow.tickets.with_id_prefix(f"t_{hex_part}")
    if len(found) <= 1:
        return [t.id for t in found]
    customer = uow.customers.find_by_identity("email", sender)
    mine = [t.id for t in found if customer is not None and t.customer_id == customer.id]
    return mine[:1]


def _take(
    env: Env,
    mail: InboundMail,
    thread: TicketRecord | None,
    team: str | None = None,
    brand: str | None = None,
) -> Received:
    body = mail.text.strip() or _attachments_line(mail)
    if thread is not None and thread.status != TicketStatus.CLOSED:
        try:
            conversation.customer_message(
                env,
                ticket_id=thread.id,
                body=body[: tickets.MAX_TEXT],
                channel=CHANNEL,
                channel_message_id=mail.message_id,
            )
            return Received("reply", thread.id)
        except ServiceError:
            pass  # the ticket cannot take it (e.g. merged away meanwhile): a new linked one
    try:
        opened = tickets.open_ticket(
            env,
            channel=CHANNEL,
            text=body[: tickets.MAX_TEXT],
            contact=Contact("email", mail.sender, name=mail.sender_name),
            subject=_subject(mail.subject),
            channel_message_id=mail.message_id,
            related_to=thread.id if thread is not None else None,
            team=team,
            brand=brand,
        )
    except ServiceError as exc:
        return Received("refused", None, str(exc))
    return Received("ticket", opened.ticket.id)


def _attachments_line(mail: InboundMail) -> str:
    names = ", ".join(a.filename for a in mail.attachments)
    return f"(no text; attachments: {names})"


def _subject(subject: str) -> str:
    cleaned = " ".join(_ANY_TOKEN.sub("", subject).split())
    return cleaned[:200]


def _record(uow: UnitOfWork, env: Env, mail: InboundMail, received: Received) -> None:
    uow.mail.add(
        InboundMailRecord(
            id=new_id("e"),
            mailbox=mail.mailbox,
            message_id=mail.message_id,
            sender=mail.sender,
            subject=mail.subject[:1000],
            outcome=received.outcome,
            received_at=env.now(),
            raw_sha256=mail.raw_sha256,
            size=mail.size,
            ticket_id=received.ticket_id if _exists(uow, received.ticket_id) else None,
            reason=received.reason[:1000],
            full_text=mail.full_text[: tickets.MAX_TEXT * 2],
            html=mail.html[: tickets.MAX_TEXT * 5] if mail.html else None,
            attachments=tuple(asdict(a) for a in mail.attachments),
        )
    )


def _exists(uow: UnitOfWork, ticket_id: str | None) -> bool:
    return ticket_id is not None and uow.tickets.get(ticket_id) is not None


class MailSource(Protocol):
    """A mailbox the email worker polls (the IMAP adapter's `ImapMailbox`)."""

    name: str

    def poll(self, take: Callable[[bytes], object], limit: int = 500) -> int:
        """Take new mail, acknowledging each to the server after `take` returned; returns how
        many were taken. Raises when the server or `take` fails (nothing unacknowledged is
        lost: the next pass reads it again)."""
        ...

    def wait(self, stop: threading.Event) -> bool:
        """Wait for new mail (IDLE); False when the source cannot, and the caller sleeps."""
        ...

    def check(self) -> str | None:
        """Try the connection once: None when it works, else what is wrong."""
        ...

    def close(self) -> None: ...


Take = Callable[[str, bytes], Received]


@dataclass(frozen=True)
class Mailbox:
    """What the email worker polls: a source, what takes its mail in (`take(mailbox name,
    raw bytes)`), and the pause between polls when the source cannot IDLE."""

    source: MailSource
    take: Take
    interval: float = 30.0


class Receiver(Protocol):
    """A server that receives mail pushed to tierdesk (the SMTP receiver): started and stopped
    with the workers."""

    def start(self) -> None: ...

    def stop(self) -> None: ...
