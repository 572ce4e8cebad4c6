"""What every service function gets: a unit-of-work factory, a clock and the rules.

The composition root (`tierdesk.bootstrap`) builds one `Env` per running policy version; tests
build one on the in-memory fakes. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tierdesk.domain.classifier import Classifier
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class Env:
    """Dependencies of the services.

    `uow` makes a fresh unit of work per command; `read`, when given, one that only reads
    (the services' queries use it through `reader()`; a store may then let readers run beside
    a writer instead of queueing behind it). `repeat_window`: a new contact from the same
    customer in the same category within it counts as a repeat contact on the same issue
    (R-ESC-5). `survey_url` is formatted with the survey's `token`. `store` is opaque here.
    """

    uow: Callable[[], UnitOfWork]
    clock: Clock
    rules: Rulebook
    classifier: Classifier | None = None
    intent_map: Mapping[str, IntentMapping] | None = None
    repeat_window: timedelta = timedelta(days=7)
    survey_url: str = "/survey/{token}"
    read: Callable[[], UnitOfWork] | None = None
    # The store behind `uow` (the composition root's SQL database), for the read side's
    # set-based queries (`tierdesk.analytics` through `bootstrap.measure`); None on fakes.
    store: object | None = None
    # The absolute address of a customer's own page (/my/<signed token>), put in receipts and
    # replies (`services.signing.customer_link_builder`); None: messages carry no link.
    customer_link: Callable[[str], str] | None = None
    # Reads a stored triage model version's bytes (the composition root's model loader), so the
    # approved one triages (`policies.PolicyInForce`); None: stored models are not used.
    load_model: Callable[[bytes], Classifier] | None = None

    def reader(self) -> UnitOfWork:
        """A unit of work for a command that only reads (a plain one when the store has no
        reader): writing through it is an error on the SQL stores."""
        return (self.read or self.uow)()

    def now(self) -> datetime:
        """The clock's time; refuses a naive or non-UTC-convertible clock."""
        now = self.clock.now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"the clock returned a naive time {now}; it must be aware UTC")
        return now.astimezone(UTC)
