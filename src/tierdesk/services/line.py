"""LINE: what the webhook delivered becomes tickets, messages and greetings, each event once.

The web layer verifies the signature and turns the SDK's events into `LineEvent`s; `handle`
then stores each event (`channel_events`) before acting on it, and marks it handled in the
act's own transaction (an event with nothing to do: in the one that stores it), so a
redelivered event (`isRedelivery`, or our own 500 making LINE retry) is acted on once: two
commits an event (stored; acted on and marked), not three. The acts themselves are idempotent
too (a ticket or message carries the event id as its channel message id; a greeting's dedupe
key names the event), so an act that commits nothing more is marked on its own.

A customer is linked by LINE user id; their display name (and language) is fetched once, when
the user id is first seen. A message joins the customer's active LINE ticket, else opens one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from tierdesk.domain.state import ACTIVE_STATUSES
from tierdesk.domain.templates import render
from tierdesk.services import conversation, tickets
from tierdesk.services.customers import Contact, find_or_create_new, history_ids
from tierdesk.services.env import Env
from tierdesk.services.notify import template_for
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import ChannelEventRecord, OutboxRecord, TicketRecord, new_id

CHANNEL = "line"
# LINE: a reply token must be used within a minute of the webhook; keep a margin for the send.
REPLY_TOKEN_TTL = timedelta(seconds=50)
# How far back a customer's active LINE ticket is looked for (older ones are left alone).
THREAD_WINDOW = timedelta(days=30)

EventKindName = Literal["message", "follow", "unfollow", "other"]
Outcome = Literal["ticket", "message", "greeting", "unfollow", "duplicate", "ignored"]


@dataclass(frozen=True)
class LineProfile:
    """What LINE tells about a user: display name and, when shared, language ("zh-TW", "en")."""

    name: str = ""
    language: str | None = None


@dataclass(frozen=True)
class LineEvent:
    """One webhook event, SDK-independent. `text`: a text message's text, or a description of
    an image or sticker; `user_id` None for events not from a one-to-one chat."""

    event_id: str
    kind: EventKindName
    user_id: str | None
    reply_token: str | None = None
    redelivery: bool = False
    message_type: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Handled:
    event_id: str
    outcome: Outcome
    ticket_id: str | None = None


ProfileLookup = Callable[[str], LineProfile]


def handle(env: Env, events: Sequence[LineEvent], profile: ProfileLookup) -> list[Handled]:
    """Act on each event once (see the module doc), in order. `profile` fetches a user's
    profile from LINE (called only for a user id not seen before). Raises what the store
    raises: the caller then answers LINE with an error, and LINE redelivers."""
    return [_handle_one(env, event, profile) for event in events]


def _handle_one(env: Env, event: LineEvent, profile: ProfileLookup) -> Handled:
    quiet = _quiet(event)  # an event with nothing to do is marked as it is stored
    with env.uow() as uow:
        stored = uow.channel_events.add(
            ChannelEventRecord(
                channel=CHANNEL,
                event_id=event.event_id,
                kind=event.kind,
                user_id=event.user_id,
                received_at=env.now(),
                # LINE: the reply token of a redelivered event cannot be used.
                reply_token=None if event.redelivery else event.reply_token,
            )
        )
        if quiet is not None and stored.handled_at is None:
            uow.channel_events.mark_handled(CHANNEL, event.event_id, env.now())
        uow.commit()
    if stored.handled_at is not None:
        return Handled(event.event_id, "duplicate", stored.ticket_id)
    if quiet is not None:
        return quiet
    marking = _Marking(env, event.event_id)
    done = _act(replace(env, uow=marking.uow), event, profile)
    if not marking.marked:  # the act committed nothing (e.g. refused): mark on its own
        with env.uow() as uow:
            uow.channel_events.mark_handled(CHANNEL, event.event_id, env.now(), done.ticket_id)
            uow.commit()
    return done


def _quiet(event: LineEvent) -> Handled | None:
    """The outcome of an event acted on by storing it alone (ignored, unfollow), else None."""
    if event.user_id is None or event.kind == "other":
        return Handled(event.event_id, "ignored")
    if event.kind == "unfollow":
        # Recorded (the stored event); pushes to the user now fail and are not retried.
        return Handled(event.event_id, "unfollow")
    if event.kind == "message" and not event.text.strip():
        return Handled(event.event_id, "ignored")
    return None


class _Marking:
    """Units of work that mark the event handled in the act's own transaction: the mark is
    written just before the act's commit (naming the ticket that carries the event id as
    its channel message id), so an event costs two commits (stored; acted on and marked),
    not three."""

    def __init__(self, env: Env, event_id: str) -> None:
        self._env = env
        self._event_id = event_id
        self.marked = False

    def uow(self) -> UnitOfWork:
        inner = self._env.uow()
        marking = self

        class _Unit:
            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

            def __enter__(self) -> _Unit:
                inner.__enter__()
                return self

            def __exit__(self, *exc: object) -> None:
                inner.__exit__(*exc)  # type: ignore[arg-type]

            def commit(self) -> None:
                if not marking.marked:
                    marking.mark(inner)
                inner.commit()
                marking.marked = True

        return cast(UnitOfWork, _Unit())

    def mark(self, uow: UnitOfWork) -> None:
        ticket = uow.tickets.find_by_channel_message(CHANNEL, self._event_id)
        message = uow.messages.find_by_channel_message(CHANNEL, self._event_id)
        ticket_id = ticket.id if ticket else (message.ticket_id if message else None)
        uow.channel_events.mark_handled(CHANNEL, self._event_id, self._env.now(), ticket_id)


def _act(env: Env, event: LineEvent, profile: ProfileLookup) -> Handled:
    user = event.user_id
    if user is None:  # pragma: no cover - _quiet answers these
        return Handled(event.event_id, "ignored")
    contact = _contact(env, user, profile)
    if event.kind == "follow":
        return _greet(env, event, contact)
    active = _active_ticket(env, user)
    if active is not None:
        saved = conversation.customer_message(
            env,
            ticket_id=active.id,
            body=event.text,
            channel=CHANNEL,
            channel_message_id=event.event_id,
        )
        return Handled(event.event_id, "message", saved.id)
    opened = tickets.open_ticket(
        env,
        channel=CHANNEL,
        text=event.text,
        contact=contact,
        language=contact.language,
        channel_message_id=event.event_id,
    )
    return Handled(event.event_id, "ticket", opened.ticket.id)


def _contact(env: Env, user_id: str, profile: ProfileLookup) -> Contact:
    """The contact of `user_id`, with the profile fetched only when the user is new."""
    with env.reader() as uow:
        known = uow.customers.find_by_identity(CHANNEL, user_id)
    if known is not None:
        return Contact(CHANNEL, user_id, known.name, known.language)
    found = profile(user_id)
    return Contact(CHANNEL, user_id, found.name, _language(found.language))


def _language(tag: str | None) -> str | None:
    """LINE's language tag as a language tierdesk writes in (zh-TW, zh-Hant -> zh-TW; en-*
    -> en); None (detect from the text) for any other."""
    tag = (tag or "").replace("_", "-").lower()
    if tag.startswith(("zh-tw", "zh-hant", "zh-hk")):
        return "zh-TW"
    return "en" if tag.split("-")[0] == "en" else None


def _active_ticket(env: Env, user_id: str) -> TicketRecord | None:
    """The customer's newest active LINE ticket (new, open or pending on them)."""
    with env.reader() as uow:
        customer = uow.customers.find_by_identity(CHANNEL, user_id)
        if customer is None:
            return None
        since = env.now() - THREAD_WINDOW
        recent = uow.tickets.recent_for_customers(history_ids(uow, customer.id), since)
    active = [
        t
        for t in recent
        if t.channel == CHANNEL and t.status in ACTIVE_STATUSES and t.merged_into is None
    ]
    return active[-1] if active else None


def _greet(env: Env, event: LineEvent, contact: Contact) -> Handled:
    """Link the customer and queue the policy's greeting (template `use: greeting`), once per
    follow event. No greeting template: the customer is linked and nothing is sent."""
    with env.uow() as uow:
        customer, _ = find_or_create_new(uow, contact, env.now())
        template = template_for(env.rules, "greeting")
        if template is not None:
            language = customer.language or env.rules.default_lang
            values = {"name": customer.name, "business": env.rules.business}
            now = env.now()
            uow.outbox.add(
                OutboxRecord(
                    id=new_id("o"),
                    kind="greeting",
                    channel=CHANNEL,
                    recipient=contact.value,
                    payload={
                        "text": render(template.body.get(language), values),
                        "language": language,
                        "template_id": template.id,
                        "customer_id": customer.id,
                    },
                    dedupe_key=f"line:{event.event_id}:greeting",
                    created_at=now,
                    next_attempt_at=now,
                )
            )
        uow.commit()
    return Handled(event.event_id, "greeting")


def claim_reply_token(env: Env, user_id: str, at: datetime) -> str | None:
    """A still-valid reply token of `user_id`, claimed for one send (None: push instead)."""
    with env.uow() as uow:
        token = uow.channel_events.claim_reply_token(CHANNEL, user_id, at - REPLY_TOKEN_TTL, at)
        uow.commit()
    return token


def blocked(env: Env, user_id: str) -> bool:
    """True when the user's newest follow or unfollow event is an unfollow (they blocked the
    account): a push would be refused, so none is tried."""
    with env.reader() as uow:
        return uow.channel_events.latest_kind(CHANNEL, user_id, ("follow", "unfollow")) == (
            "unfollow"
        )
