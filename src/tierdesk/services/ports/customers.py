"""Customers and their identities (email, phone, LINE id), merges and search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tierdesk.services.records import CustomerPage, CustomerRecord, IdentityRecord


class CustomerRepository(Protocol):
    def add(self, customer: CustomerRecord) -> None: ...

    def get(self, customer_id: str) -> CustomerRecord | None: ...

    def get_many(self, customer_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        """The customers with these ids, by id, in one read (unknown ids are left out)."""
        ...

    def names(self, customer_ids: Sequence[str]) -> dict[str, str]:
        """The names of the customers with these ids, by id, in one read of only the names
        (what a list shows; unknown ids are left out)."""
        ...

    def save(self, customer: CustomerRecord) -> None:
        """Replace an existing customer's row."""
        ...

    def add_identity(self, identity: IdentityRecord) -> None:
        """DuplicateKey when (kind, value) belongs to a customer already."""
        ...

    def find_by_identity(self, kind: str, value: str) -> CustomerRecord | None:
        """The customer that owns (kind, value), or None."""
        ...

    def identities(self, customer_id: str) -> list[IdentityRecord]: ...

    def merge(self, source_id: str, target_id: str) -> None:
        """Move every identity of `source_id` to `target_id` and set the source's
        `merged_into` (the source row stays, for history)."""
        ...

    def merged_ids(self, customer_id: str) -> list[str]:
        """Ids of customers merged into `customer_id` (directly), for history lookups."""
        ...

    def search(
        self, text: str | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> CustomerPage:
        """Customers not merged into another, newest first. `text` matches, ignoring case,
        part of the name or of any identity value (email, phone, LINE id). ValueError for a
        cursor this store did not make."""
        ...

    def identities_for(self, customer_ids: Sequence[str]) -> list[IdentityRecord]:
        """The identities of all those customers, in one read."""
        ...
