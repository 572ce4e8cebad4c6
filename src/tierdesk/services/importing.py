"""Importing ticket history (`tierdesk import`): the rows `tierdesk.services.import_formats`
read, stored as tickets whose event logs say what happened when, so that the metrics
(tierdesk.analytics) read imported history as they read our own: `opened` at the source's
creation time with the customer's message, `triaged`/`routed` (the policy triages when the
source has no category of ours), the first agent reply at the first response time, `resolved`
and `closed` at theirs, and the survey answer (CSAT/NPS).

Each ticket keeps its source id as the idempotency key `import:<source>:<id>`: importing the
same file again adds nothing twice. A file with any bad row imports nothing unless
`skip_bad` (then the good rows are imported and the bad ones listed). No receipt, survey,
webhook or staff notice is sent for history: these tickets happened elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tierdesk.domain.events import SYSTEM, EventKind
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.signals import detect_language
from tierdesk.domain.templates import plain_name
from tierdesk.domain.triage import triage
from tierdesk.services import clocks
from tierdesk.services.customers import Contact, find_or_create_new
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput
from tierdesk.services.import_formats import BadRow, Row, parse
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import MessageRecord, new_id
from tierdesk.services.unit import TicketChange, to_record

IMPORTED_REPLY = "(first reply recorded in {source}; its text was not imported)"
LATER_REPLY = "(a later reply recorded in {source}; its text and time were not imported)"
BATCH = 200  # tickets per unit of work


@dataclass
class ImportResult:
    """What an import did (or, with `dry_run`, would do)."""

    imported: list[str] = field(default_factory=list)  # source ids
    already: list[str] = field(default_factory=list)  # source ids imported before
    bad: list[BadRow] = field(default_factory=list)
    dry_run: bool = False
    stored: bool = False  # False when bad rows stopped the import

    def as_data(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "stored": self.stored,
            "imported": len(self.imported),
            "already_imported": len(self.already),
            "bad": [{"where": b.where, "field": b.field, "message": b.message} for b in self.bad],
        }


def key_of(row: Row) -> str:
    """The idempotency key that makes a source ticket import once."""
    return f"import:{row.source}:{row.source_id}"


def read_file(fmt: str, name: str, text: str) -> tuple[list[Row], list[BadRow]]:
    """The rows of one file (see import_formats.parse); a source id seen twice in the file is
    a bad row (the second)."""
    rows, bad = parse(fmt, name, text)
    seen: set[str] = set()
    unique: list[Row] = []
    for row in rows:
        if row.source_id in seen:
            bad.append(BadRow(row.where, "id", f"{row.source_id!r} appears twice in the file"))
            continue
        seen.add(row.source_id)
        unique.append(row)
    return unique, bad


def import_rows(
    env: Env,
    rows: Sequence[Row],
    bad: Sequence[BadRow] = (),
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Store `rows` (see the module doc). Rows the policy cannot take (an unknown category or
    priority, an agent who is not a user) join the bad rows. Nothing is stored when there
    are bad rows and not `skip_bad`, nor with `dry_run`."""
    result = ImportResult(bad=list(bad), dry_run=dry_run)
    for row in rows:
        problem = _policy_problem(env.rules, row)
        if problem is not None:
            result.bad.append(problem)
    bad_where = {b.where for b in result.bad}
    good = [r for r in rows if r.where not in bad_where]
    with env.uow() as uow:
        fresh = []
        for row in good:
            if _imported(uow, row):
                result.already.append(row.source_id)
            else:
                fresh.append(row)
        agents = {r.agent for r in fresh if r.agent}
        users = {name: uow.users.get_by_username(name) for name in agents}
    for row in fresh:
        if row.agent and users.get(row.agent) is None:
            result.bad.append(BadRow(row.where, "agent", f"no user {row.agent!r} in tierdesk"))
    bad_where = {b.where for b in result.bad}
    fresh = [r for r in fresh if r.where not in bad_where]
    result.imported = [r.source_id for r in fresh]
    if dry_run or (result.bad and not skip_bad):
        return result
    assignee = {name: user.id for name, user in users.items() if user is not None}
    for start in range(0, len(fresh), BATCH):
        batch = fresh[start : start + BATCH]
        with env.uow() as uow:
            for row in batch:
                _store(uow, env, row, assignee.get(row.agent or ""))
            uow.commit()
        if progress is not None:
            progress(len(batch))
    result.stored = True
    return result


def _imported(uow: UnitOfWork, row: Row) -> bool:
    """Imported before, or (tierdesk's own formats) a ticket of this store exported."""
    if uow.tickets.find_by_idempotency_key(key_of(row)) is not None:
        return True
    return (
        row.source == "csv"
        and row.source_id.startswith("t_")
        and (uow.tickets.get(row.source_id) is not None)
    )


def _policy_problem(rules: Rulebook, row: Row) -> BadRow | None:
    if row.category is not None and row.category not in {c.id for c in rules.categories}:
        known = ", ".join(c.id for c in rules.categories)
        return BadRow(row.where, "category", f"{row.category!r} is not in the policy ({known})")
    if row.priority is not None and row.priority not in {p.id for p in rules.priorities}:
        known = ", ".join(p.id for p in rules.priorities)
        return BadRow(row.where, "priority", f"{row.priority!r} is not in the policy ({known})")
    return None


def _priority(rules: Rulebook, row: Row, triaged: str) -> str:
    if row.priority is not None:
        return row.priority
    if row.priority_level is not None:
        levels = rules.priorities  # most urgent first
        return levels[min(row.priority_level, len(levels)) - 1].id
    return triaged


def _store(uow: UnitOfWork, env: Env, row: Row, assignee_id: str | None) -> None:
    rules = env.rules
    text = row.body
    language = detect_language(text)
    contact = (
        Contact("email", row.email, plain_name(row.name), language)
        if row.email
        else Contact("phone", row.phone or "", plain_name(row.name), language)
    )
    customer, _ = find_or_create_new(uow, contact, row.created_at)
    decision = triage(text, rules, classifier=env.classifier, intent_map=env.intent_map)
    category = row.category or decision.category
    tier = rules.category(category).tier
    priority = _priority(rules, row, decision.priority if row.category is None else "")
    if not priority:
        priority = rules.category(category).priority
    change = TicketChange(new_id("t"), None, f"customer:{customer.id}", row.created_at)
    change.emit(
        EventKind.OPENED,
        f"imported from {row.source} ({row.where})",
        customer_id=customer.id,
        channel=row.channel,
        subject=row.subject or text.strip().splitlines()[0][:120],
        language=language,
        idempotency_key=key_of(row),
        imported_from=row.source,
        source_id=row.source_id,
    )
    _message(uow, change, row, "customer", text)
    change.actor = SYSTEM
    change.emit(
        EventKind.TRIAGED,
        "category from the source" if row.category else "; ".join(decision.reasons),
        changes={"category": category, "priority": priority, "tier": tier},
    )
    change.emit(
        EventKind.ROUTED,
        f"category {category} is worked by {tier}",
        changes={"tier": tier, "priority": priority, "queue": tier},
    )
    if assignee_id is not None:
        change.emit(EventKind.ASSIGNED, "agent in the source", changes={"assignee_id": assignee_id})
    agent = assignee_id or SYSTEM
    customer_actor = f"customer:{customer.id}"
    for said in row.thread:
        _at(change, said.at, customer_actor if said.kind == "customer" else agent)
        _message(uow, change, row, said.kind, said.text)
    has_replies = any(said.kind == "reply" for said in row.thread)
    if row.first_response_at is not None and not has_replies:
        _at(change, row.first_response_at, agent)
        _message(uow, change, row, "reply", IMPORTED_REPLY.format(source=row.source))
        later = row.resolved_at or row.first_response_at
        for _ in range(max((row.replies or 1) - 1, 0)):  # their times were not exported
            _at(change, later, agent)
            _message(uow, change, row, "reply", LATER_REPLY.format(source=row.source))
    if row.status == "pending_customer":
        _at(change, row.first_response_at or row.created_at, agent)
        change.emit(
            EventKind.CLOCK_PAUSED,
            "waiting on the customer (source)",
            changes={"status": row.status},
        )
    elif row.status == "open" and change.state.status == "new":
        change.emit(EventKind.STATUS_CHANGED, "open in the source", changes={"status": "open"})
    if row.resolved_at is not None:
        _at(change, row.resolved_at, agent)
        change.emit(EventKind.RESOLVED, "resolved in the source", changes={"status": "resolved"})
    if row.closed_at is not None:
        _at(change, row.closed_at, agent)
        change.emit(EventKind.CLOSED, "closed in the source", changes={"status": "closed"})
    if row.csat is not None or row.nps is not None:
        _at(change, row.closed_at or row.resolved_at or change.at, f"customer:{customer.id}")
        change.emit(
            EventKind.SURVEY_ANSWERED,
            "survey answer from the source",
            changes={"csat": row.csat, "nps": row.nps},
        )
    state = change.state
    now = env.now()
    sweep = clocks.next_sweep(rules, state, change.events, now) if state.active else None
    uow.tickets.add(to_record(state, sweep, clocks.next_due(rules, state, change.events, now)))
    uow.events.append(change.events)


def _at(change: TicketChange, when: datetime, actor: str) -> None:
    change.at = max(when, change.at)
    change.actor = actor


def _message(
    uow: UnitOfWork,
    change: TicketChange,
    row: Row,
    kind: Literal["customer", "reply"],
    text: str,
) -> None:
    message_id = new_id("m")
    author = "customer" if kind == "customer" else "agent"
    status = {"status": "open"} if kind == "reply" and change.state.status == "new" else None
    event = change.emit(
        EventKind.MESSAGE_ADDED,
        "customer wrote" if kind == "customer" else "reply (imported)",
        changes=status,
        author=author,
        message_id=message_id,
    )
    uow.messages.add(
        MessageRecord(
            id=message_id,
            ticket_id=change.ticket_id,
            kind=kind,
            channel=row.channel,
            body=text,
            created_at=change.at,
            event_seq=event.seq,
        )
    )


def import_text(
    env: Env,
    fmt: str,
    name: str,
    text: str,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read and import one file's text (see `import_rows`). InvalidInput for a format we do
    not read."""
    try:
        rows, bad = read_file(fmt, name, text)
    except ValueError as exc:
        raise InvalidInput("format", str(exc)) from None
    return import_rows(env, rows, bad, dry_run=dry_run, skip_bad=skip_bad, progress=progress)
