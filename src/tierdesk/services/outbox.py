"""Delivering the outbox: claim a batch, send each message, record the outcome.

Messages were written in the same transaction as their cause (receipts, replies, notices,
surveys). `deliver` claims a batch in one short transaction (concurrent workers never get the
same message), sends each outside any transaction, and records sent or failed in another. A
failure retries with exponential backoff until `max_attempts`, then the message is dead; a
sender raising `Undeliverable` (refused for good) makes it dead at once. A mail to an address
that is failing (it bounced, `uow.mail.failing`) is not sent at all: it is dead at once with
the bounce as its reason, until the customer writes from that address again. The
sender gets the message's `dedupe_key` to pass on as the provider's idempotency key, so a crash
between sending and recording does not make the customer receive it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tierdesk.services.env import Env
from tierdesk.services.errors import Undeliverable
from tierdesk.services.notify import delivery_channel
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import OutboxRecord


class Sender(Protocol):
    def __call__(self, message: OutboxRecord) -> None:
        """Send one message; raise any exception to report a failure."""
        ...


@dataclass(frozen=True)
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0  # not attempted: too little of the claim's lease was left
    suppressed: int = 0  # of the dead: mail to a failing (bounced) address, not sent


def backoff(attempts: int, base: timedelta = timedelta(seconds=30)) -> timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min ... capped at 1 h."""
    factor: int = 2 ** min(max(attempts - 1, 0), 16)
    return min(base * factor, timedelta(hours=1))


def deliver(
    env: Env,
    send: Sender,
    *,
    limit: int = 50,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = 8,
    send_budget: timedelta = timedelta(seconds=30),
) -> DeliveryReport:
    """Send up to `limit` due messages with `send`. A send starts only while at least
    `send_budget` (longer than a channel's timeout) of the claim's lease is left: a slow
    channel cannot run a claim past its lease, when another worker could claim and send the
    same message. What is left then is released, to be claimed again at once."""
    now = env.now()
    with env.uow() as uow:
        batch = uow.outbox.claim_batch(now, limit, lease)
        uow.commit()
    sent = retried = dead = released = suppressed = 0
    deadline = now + lease - send_budget
    for message in batch:
        if env.now() > deadline:
            with env.uow() as uow:
                uow.outbox.release(message.id, env.now())
                uow.commit()
            released += 1
            continue
        if _is_mail(message):
            with env.uow() as uow:
                bounced = _failing(uow, message)
                if bounced is not None:
                    uow.outbox.mark_failed(message.id, bounced, None)
                    uow.commit()
                    dead += 1
                    suppressed += 1
                    continue
        error, final = _try(send, message)
        with env.uow() as uow:
            at = env.now()
            if error is None:
                uow.outbox.mark_sent(message.id, at)
                sent += 1
            else:
                retry = None if final else _retry_at(at, message.attempts, max_attempts)
                uow.outbox.mark_failed(message.id, error, retry)
                retried += retry is not None
                dead += retry is None
            uow.commit()
    return DeliveryReport(len(batch), sent, retried, dead, released, suppressed)


def _is_mail(message: OutboxRecord) -> bool:
    return delivery_channel(message.channel) == "email"  # webhooks travel on "webhook"


def _failing(uow: UnitOfWork, message: OutboxRecord) -> str | None:
    """Why mail to the message's recipient is not sent (its address bounced), or None."""
    failure = uow.mail.failing(message.recipient.strip().lower())
    if failure is None:
        return None
    return (
        f"AddressFailing: {failure.address} bounced ({failure.bounces}x, last "
        f"{failure.failed_at.isoformat()}): {failure.reason}"
    )[:1000]


def _try(send: Sender, message: OutboxRecord) -> tuple[str | None, bool]:
    """(the error of a failed attempt or None, whether the failure is for good)."""
    try:
        send(message)
    except Exception as exc:  # any failure of a channel is a failed attempt
        return f"{type(exc).__name__}: {exc}"[:1000], isinstance(exc, Undeliverable)
    return None, False


def _retry_at(at: datetime, attempts: int, max_attempts: int) -> datetime | None:
    return None if attempts >= max_attempts else at + backoff(attempts)
