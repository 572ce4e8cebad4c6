"""What goes out: the outbox of queued customer messages and the webhook subscriptions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from tierdesk.services.records import OutboxRecord, WebhookRecord


class OutboxRepository(Protocol):
    def add(self, message: OutboxRecord) -> bool:
        """Queue a message; False (and nothing written) when its dedupe_key exists."""
        ...

    def claim_batch(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxRecord]:
        """Claim up to `limit` messages that are pending with `next_attempt_at <= now`, or
        sending with an expired `claimed_until`: set status "sending", attempts + 1,
        claimed_until = now + lease. Concurrent claimers never get the same message
        (PostgreSQL: FOR UPDATE SKIP LOCKED). Returns the claimed records as updated."""
        ...

    def mark_sent(self, message_id: str, at: datetime) -> None: ...

    def mark_failed(self, message_id: str, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: back to pending at `retry_at` (the caller's backoff), or
        dead when `retry_at` is None."""
        ...

    def release(self, message_id: str, at: datetime) -> None:
        """Give back a claimed message that was not attempted: pending again at `at`, its
        claim's attempt not counted."""
        ...

    def for_ticket(self, ticket_id: str) -> list[OutboxRecord]:
        """Messages queued for one ticket, oldest first."""
        ...


class WebhookRepository(Protocol):
    def add(self, webhook: WebhookRecord) -> None:
        """DuplicateKey for an existing id."""
        ...

    def get(self, webhook_id: str) -> WebhookRecord | None:
        """The subscription with this id (deactivated ones too)."""
        ...

    def list(self, *, active_only: bool = False) -> list[WebhookRecord]:
        """Every subscription (only the active ones with `active_only`), oldest first
        (created_at, then id)."""
        ...

    def save(self, webhook: WebhookRecord) -> None:
        """Replace an existing subscription's row (e.g. to deactivate it)."""
        ...
