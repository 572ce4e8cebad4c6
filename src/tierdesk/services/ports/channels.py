"""What the inbound channels delivered: the email channel's mail ledger (with failing
addresses and stored blobs) and channel events (LINE), each handled once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from tierdesk.services.records import AddressFailureRecord, ChannelEventRecord, InboundMailRecord


class MailRepository(Protocol):
    def add(self, mail: InboundMailRecord) -> None:
        """DuplicateKey when its message_id was recorded before."""
        ...

    def find(self, message_id: str) -> InboundMailRecord | None: ...

    def count_from(self, sender: str, since: datetime) -> int:
        """How many mails from `sender` were received at or after `since`."""
        ...

    def for_ticket(self, ticket_id: str) -> list[InboundMailRecord]:
        """The mails of one ticket, oldest first."""
        ...

    def get(self, mail_id: str) -> InboundMailRecord | None:
        """The mail with this ledger id (not its Message-ID)."""
        ...

    def with_outcome(self, outcome: str, limit: int) -> list[InboundMailRecord]:
        """The newest `limit` mails with `outcome` (e.g. held), newest first."""
        ...

    def settle(
        self, mail_id: str, from_outcome: str, outcome: str, ticket_id: str | None, reason: str
    ) -> bool:
        """Change a mail's outcome (and ticket, reason) when it is still `from_outcome`;
        False when it is not (someone settled it first) or unknown."""
        ...

    def failing(self, address: str) -> AddressFailureRecord | None: ...

    def mark_failing(self, failure: AddressFailureRecord) -> None:
        """Insert or replace the failure of `failure.address`."""
        ...

    def clear_failing(self, address: str) -> bool:
        """Forget the failure of `address` (the customer wrote from it); False if none."""
        ...

    def blob_hashes(self) -> Iterator[str]:
        """Every blob hash a stored mail refers to (its original and its attachments), in no
        particular order, possibly repeated; read in batches, not all at once."""
        ...


class ChannelEventRepository(Protocol):
    def add(self, event: ChannelEventRecord) -> ChannelEventRecord:
        """Store the event unless (channel, event_id) is stored already; the stored one."""
        ...

    def mark_handled(
        self, channel: str, event_id: str, at: datetime, ticket_id: str | None = None
    ) -> None:
        """The event's effects are committed (in this unit of work)."""
        ...

    def claim_reply_token(
        self, channel: str, user_id: str, since: datetime, at: datetime
    ) -> str | None:
        """The newest unclaimed reply token of `user_id` received at or after `since`, marked
        claimed at `at` (each token is handed out once); None when there is none."""
        ...

    def latest_kind(self, channel: str, user_id: str, kinds: Sequence[str]) -> str | None:
        """The kind of `user_id`'s newest event among `kinds` (e.g. follow or unfollow)."""
        ...
