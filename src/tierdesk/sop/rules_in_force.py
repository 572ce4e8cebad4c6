"""The rules the helpdesk runs, printed in full (R-DOC-1/2): every routing rule, escalation rule,
authority row and template of the policy, so that what the SOP says and what the software does
cannot drift apart. Both layouts end with these sections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tierdesk.domain.routing import TICKET_CONDITIONS
from tierdesk.domain.templates import render
from tierdesk.policy.loader import Finding
from tierdesk.sop.context import Ctx
from tierdesk.sop.document import Block, Items, Paragraph, Section, Table
from tierdesk.sop.flowchart import action, question
from tierdesk.sop.full_tables import authority_table
from tierdesk.sop.notices import notices_blocks


def routing_block(ctx: Ctx) -> Block:
    """One line per routing rule: its id, when it applies, what it sets and why."""
    m = ctx.msg
    rules = ctx.rules.routing_rules
    if not rules:
        return Paragraph(m("rules.no_routing"))
    lines = []
    for r in rules:
        when = m("values.clause_sep").join(
            f"{key} = {m('values.list_sep').join(_value(v) for v in values)}"
            for key, values in r.when
        )
        sets = [
            *([m("rules.sets_tier", tier=r.tier)] if r.tier else []),
            *([m("rules.sets_priority", priority=r.priority)] if r.priority else []),
        ]
        reason = ctx.local(r.reason)
        line = m("rules.routing_line", id=r.id, when=when, then=ctx.join(sets))
        line = f"{line} ({reason})" if reason else line
        if any(key not in TICKET_CONDITIONS for key, _ in r.when):
            line += m("rules.not_applied")  # R-TIER-2: the engine skips it (domain.routing)
        lines.append(line)
    return Items(tuple(lines))


def _value(v: str) -> str:
    return v.lower() if v in ("True", "False") else v  # as the YAML says it


def escalation_block(ctx: Ctx) -> Items:
    """One line per escalation rule: its id, trigger and what it does."""
    return Items(
        tuple(f"{r.id}: {question(ctx, r)} → {action(ctx, r)}" for r in ctx.rules.escalation_rules)
    )


def tier_hours_table(ctx: Ctx) -> Table:
    """Which calendar each tier works on: its time box (R-ESC-1) counts working time on it."""
    m = ctx.msg
    rows = tuple(
        (
            m("values.id_name", id=t.id, name=ctx.local(t.name)),
            t.calendar,
            ctx.clock_label(t.calendar),
            ctx.policy.calendars[t.calendar].timezone,
        )
        for t in ctx.rules.tiers
        if t.calendar in ctx.policy.calendars
    )
    headers = (m("rules.tier"), m("rules.calendar"), m("rules.clock"), m("rules.timezone"))
    return Table(headers, rows)


def templates_table(ctx: Ctx) -> Table:
    m = ctx.msg
    rows = tuple(
        (
            ctx.local(t.name),
            t.use,
            render(ctx.local(t.body), {"business": ctx.business}, ctx.lang).replace("\n", " / "),
        )
        for t in ctx.rules.templates
    )
    return Table((m("rules.template"), m("rules.use"), m("rules.text")), rows)


def rules_in_force(ctx: Ctx, title: str | None = None) -> tuple[Section, ...]:
    """The closing `##` section and its `###` parts: routing, escalation, the tiers' hours,
    authority, templates."""
    m = ctx.msg
    box = warnings_section(ctx, ctx.findings)
    return (
        Section(title or m("rules.title"), 2, (Paragraph(m("rules.intro")),)),
        *([box] if box is not None else []),
        Section(m("rules.routing"), 3, (routing_block(ctx),)),
        Section(m("rules.escalation"), 3, (escalation_block(ctx),)),
        Section(
            m("rules.tier_hours"), 3, (Paragraph(m("rules.tier_hours_note")), tier_hours_table(ctx))
        ),
        Section(m("rules.authority"), 3, (authority_table(ctx),)),
        Section(m("rules.templates"), 3, (templates_table(ctx),)),
        Section(m("notices.title"), 3, notices_blocks(ctx)),
    )


def warnings_section(ctx: Ctx, findings: Sequence[Finding | Mapping[str, Any]]) -> Section | None:
    """The checker's warnings on the policy (R-TIER-2's IRON LAW, no QA checklist ...) in a
    box that opens the appendix, so those who sign the SOP see what the approver saw; None
    when there are none. `findings` are `Finding`s or their stored JSON form."""
    m = ctx.msg
    lines = []
    for f in findings:
        data = f.to_json() if isinstance(f, Finding) else f
        if data.get("severity") != "warning":
            continue
        line = m(
            "warnings.line",
            path=str(data.get("path") or "(top)"),
            line=str(data.get("line", "?")),
            message=str(data.get("message", "")),
        )
        lines.append(line)
    if not lines:
        return None
    box = Paragraph(m("warnings.intro", n=len(lines)), "warning")
    return Section(m("warnings.title"), 3, (box, Items(tuple(lines))))
