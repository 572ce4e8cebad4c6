"""The rules the helpdesk runs, printed in full (R-DOC-1/2): every routing rule, escalation rule,
authority row and template of the policy, so that what the SOP says and what the software does
cannot drift apart. Both layouts end with these sections."""

from __future__ import annotations

from tierdesk.domain.templates import render
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
        lines.append(f"{line} ({reason})" if reason else line)
    return Items(tuple(lines))


def _value(v: str) -> str:
    return v.lower() if v in ("True", "False") else v  # as the YAML says it


def escalation_block(ctx: Ctx) -> Items:
    """One line per escalation rule: its id, trigger and what it does."""
    return Items(
        tuple(f"{r.id}: {question(ctx, r)} → {action(ctx, r)}" for r in ctx.rules.escalation_rules)
    )


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
    """The closing `##` section and its `###` parts: routing, escalation, authority, templates."""
    m = ctx.msg
    return (
        Section(title or m("rules.title"), 2, (Paragraph(m("rules.intro")),)),
        Section(m("rules.routing"), 3, (routing_block(ctx),)),
        Section(m("rules.escalation"), 3, (escalation_block(ctx),)),
        Section(m("rules.authority"), 3, (authority_table(ctx),)),
        Section(m("rules.templates"), 3, (templates_table(ctx),)),
        Section(m("notices.title"), 3, notices_blocks(ctx)),
    )
