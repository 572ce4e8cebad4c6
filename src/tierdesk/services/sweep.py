"""The SLA sweeper: warnings, breaches and time-based escalations, each recorded once.

`sweep(env, now)` looks at the tickets whose `sweep_at` has come, one unit of work per ticket.
It is safe to run in any number of workers at once: a ticket another worker holds is skipped
(`get_for_update(skip_locked=True)`), what was recorded is marked on the ticket
(`sla_marks`, `escalation_marks`) and the save checks the version, so a ticket is never warned,
breached or escalated twice for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tierdesk.domain.escalation import evaluate
from tierdesk.domain.events import SYSTEM, EventKind
from tierdesk.services import clocks, escalations, facts, staff_notices
from tierdesk.services.env import Env
from tierdesk.services.errors import StaleVersion
from tierdesk.services.ports import DuplicateKey, UnitOfWork
from tierdesk.services.unit import TicketChange, finish, to_state


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    looked: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    skipped: int = 0  # held by another worker, or changed under us (looked at next time)
    notices_sent: int = 0  # staff notices held in quiet hours, sent now (issue 16)


def sweep(env: Env, now: datetime | None = None, *, limit: int = 200) -> SweepReport:
    """Record every warning, breach and time-in-tier escalation due by `now` (default: the
    clock) on at most `limit` tickets, then send the staff notices whose quiet hours ended."""
    at = now or env.now()
    if at.tzinfo is None:
        raise ValueError(f"sweep needs an aware time, got naive {at}")
    with env.uow() as uow:
        due = uow.tickets.due_for_sweep(at, limit)
    report = SweepReport()
    for ticket_id in due:
        try:
            with env.uow() as uow:
                counts = _one(uow, env, ticket_id, at)
                uow.commit()
        except (StaleVersion, DuplicateKey):
            counts = None
        report = _add(report, counts)
    return replace(report, notices_sent=staff_notices.deliver_due(env, at, limit=limit))


def _one(uow: UnitOfWork, env: Env, ticket_id: str, at: datetime) -> tuple[int, int, int] | None:
    """(warnings, breaches, escalations) recorded on one ticket; None when skipped."""
    record = uow.tickets.get_for_update(ticket_id, skip_locked=True)
    if record is None or record.sweep_at is None or record.sweep_at > at:
        return None  # another worker holds it or already swept it
    change = TicketChange(ticket_id, to_state(record), SYSTEM, at)
    history = uow.events.for_ticket(ticket_id)
    warnings = breaches = 0
    for f in clocks.findings(env.rules, change.state, history, at):
        kind = EventKind.SLA_BREACHED if f.kind == "breach" else EventKind.SLA_WARNING
        level = env.rules.priority(change.state.priority)
        change.emit(
            kind,
            f.reason,
            mark=f.mark,
            clock=f.clock,
            due_at=f.due_at.isoformat(),
            basis=f.basis,
            breached_by_seconds=(
                int(f.breached_by.total_seconds()) if f.breached_by is not None else None
            ),
            notify=list(level.notify),
        )
        warnings += f.kind == "warning"
        breaches += f.kind == "breach"
    escalated = 0
    if change.state.active and change.state.paused_at is None:
        ticket = facts.ticket(change.state, history, at)
        by_id = {r.id: r for r in env.rules.escalation_rules}
        # The domain decides what is due (R-ESC-1 time in tier, and any signal rule not yet
        # raised); rules already raised are in the ticket's marks and never come back.
        for due in evaluate(ticket, facts.entries(uow, ticket_id), at, env.rules):
            escalations.by_rule(uow, env, change, by_id[due.rule_id], due.reason)
            escalated += 1
    finish(uow, env, change)
    return warnings, breaches, escalated


def _add(report: SweepReport, counts: tuple[int, int, int] | None) -> SweepReport:
    if counts is None:
        return SweepReport(
            report.looked + 1,
            report.warnings,
            report.breaches,
            report.escalations,
            report.skipped + 1,
        )
    w, b, e = counts
    return SweepReport(
        report.looked + 1,
        report.warnings + w,
        report.breaches + b,
        report.escalations + e,
        report.skipped,
    )
