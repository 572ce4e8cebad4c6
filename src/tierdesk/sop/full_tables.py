"""Tables of the full SOP (seed 003) that are computed from the policy's rules: the escalation
decision matrix, escalation triggers, recovery authority by role, and document control."""

from __future__ import annotations

from decimal import Decimal

from tierdesk.domain.authority import role_limit
from tierdesk.domain.rulebook import ActionLimit, AmountBand, MatrixRow
from tierdesk.sop.context import Ctx
from tierdesk.sop.document import Table
from tierdesk.sop.flowchart import question, timeline


def matrix_table(ctx: Ctx) -> Table:
    """Issue type × role (R-ESC-6): value bands or severity levels in each role's column."""
    m = ctx.msg
    used = {b.role for r in ctx.rules.matrix for b in r.bands}
    used |= {role for r in ctx.rules.matrix for _, role, _ in r.levels}
    roles = [r for r in ctx.rules.authority.ladder if r in used]
    rows = tuple(
        (ctx.local(row.label), *(_matrix_cell(ctx, row, role) for role in roles))
        for row in ctx.rules.matrix
    )
    return Table((m("headers.issue_type"), *(ctx.role(r) for r in roles)), rows)


def _matrix_cell(ctx: Ctx, row: MatrixRow, role: str) -> str:
    currency = row.currency or ctx.rules.authority.currency
    cells = [_band(ctx, b, currency) for b in row.bands if b.role == role]
    cells += [ctx.local(label) for _, r, label in row.levels if r == role]
    return "; ".join(cells) if cells else ctx.msg("values.none")


def _band(ctx: Ctx, band: AmountBand, currency: str) -> str:
    m = ctx.msg
    low, high = ctx.money(band.low, currency), None
    if band.high is not None:
        high = ctx.money(band.high, currency)
    if high is None:
        return m("values.at_least", value=low)
    if band.low == 0:
        return m("values.below", value=high)
    return m("values.range", low=low, high=high)


def triggers_table(ctx: Ctx) -> Table:
    """Trigger | Escalate To | Timeline, one row per escalation rule, in engine order."""
    m = ctx.msg
    rows = []
    for rule in ctx.rules.escalation_rules:
        when = timeline(ctx, rule.timeline)
        when = when[:1].upper() + when[1:]
        handoff = m(f"flow.handoff_{rule.handoff}")
        rows.append(
            (
                f"{rule.id}: {question(ctx, rule)}",
                ctx.targets(rule.target),
                m("flow.timeline_handoff", timeline=when, handoff=handoff),
            )
        )
    headers = ("headers.trigger", "headers.escalate_to", "headers.timeline")
    return Table(tuple(m(h) for h in headers), tuple(rows))


def authority_table(ctx: Ctx) -> Table:
    """Recovery Action × role on the ladder (R-AUTH-2): what each role may grant alone."""
    m = ctx.msg
    ladder = ctx.rules.authority.ladder
    rows = tuple(
        (m(f"actions.{a.action}"), *(_authority_cell(ctx, a, role) for role in ladder))
        for a in ctx.rules.authority.actions
    )
    return Table((m("headers.recovery_action"), *(ctx.role(r) for r in ladder)), rows)


def _authority_cell(ctx: Ctx, action: ActionLimit, role: str) -> str:
    m = ctx.msg
    limit = role_limit(action, role)
    if limit is None:
        return m("values.no")
    if action.unit == "flag":
        return m("values.yes")
    if not limit.is_finite():
        return m("values.unlimited")
    if action.unit == "percent":
        return m("values.up_to", value=ctx.percent(limit / Decimal(100)))
    return m("values.up_to", value=ctx.money(limit, action.currency))


def control_table(ctx: Ctx) -> Table | None:
    """SOP owner, approver, version, effective date, contacts, review schedule (R-DOC-3)."""
    control = ctx.policy.document.control
    if control is None:
        return None
    m = ctx.msg
    pairs: list[tuple[str, str | None]] = [
        ("full.owner", control.owner),
        ("full.approver", control.approver),
        ("full.version", control.version),
        ("full.effective", control.effective.isoformat() if control.effective else None),
        ("full.contact_email", control.contact_email),
        ("full.contact_phone", control.contact_phone),
        ("full.review_schedule", ctx.text(control.review_schedule)),
    ]
    rows = tuple((m(k), v) for k, v in pairs if v)
    return Table(("", ""), rows, style="keyvalue")


def revisions_table(ctx: Ctx, blank_rows: int = 2) -> Table:
    """Version | Date | Changes (+ Author when any revision names one), with blank rows to fill."""
    m = ctx.msg
    revs = ctx.policy.document.revisions
    with_author = any(r.author for r in revs)
    headers = [m("headers.version"), m("headers.date"), m("headers.changes")]
    if with_author:
        headers.append(m("headers.author"))
    rows = []
    for r in revs:
        row = [r.version, r.date.isoformat(), ctx.text(r.changes)]
        if with_author:
            row.append(r.author or "")
        rows.append(tuple(row))
    rows += [("",) * len(headers)] * blank_rows
    return Table(tuple(headers), tuple(rows))
