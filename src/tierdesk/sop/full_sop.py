"""The full SOP of seed 003 (R-DOC-2): purpose to training sign-off, numbered like the seed.

Sections the policy leaves empty (no definitions, no emergency steps ...) are left out and the
numbering closes up; document control, revision history, approval and training sign-off are
always printed, with blank lines for signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tierdesk.policy.schema import Procedure
from tierdesk.sop import cs_sop, full_tables
from tierdesk.sop.context import Ctx
from tierdesk.sop.document import Block, Items, Paragraph, Section, SopDocument, Table
from tierdesk.sop.rules_in_force import rules_in_force

SIGNATURE_LINES = 8


@dataclass
class _Chapter:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subs: list[tuple[str, list[Block]]] = field(default_factory=list)


def _number(chapters: list[_Chapter]) -> tuple[Section, ...]:
    """`1. Purpose`, `5.1 Initial Customer Contact` ...; empty chapters are dropped."""
    out: list[Section] = []
    kept = [c for c in chapters if c.blocks or c.subs]
    for i, ch in enumerate(kept, 1):
        out.append(Section(f"{i}. {ch.title}", 2, tuple(ch.blocks)))
        for j, (title, blocks) in enumerate(ch.subs, 1):
            out.append(Section(f"{i}.{j} {title}", 3, tuple(blocks)))
    return tuple(out)


def _intro(ctx: Ctx) -> list[_Chapter]:
    m, doc = ctx.msg, ctx.policy.document
    purpose = _Chapter(m("sections.purpose"))
    if doc.purpose is not None:
        purpose.blocks.append(Paragraph(ctx.text(doc.purpose)))
    scope = _Chapter(m("sections.scope"))
    if doc.scope is not None:
        scope.blocks.append(Paragraph(ctx.text(doc.scope)))
    if doc.applies_to:
        scope.blocks.append(Paragraph(m("full.applies_to")))
        scope.blocks.append(Items(tuple(ctx.text(t) for t in doc.applies_to)))
    if doc.exclusions is not None:
        scope.blocks.append(Paragraph(m("full.exclusions", text=ctx.text(doc.exclusions))))
    defs = _Chapter(m("sections.definitions"))
    if doc.definitions:
        rows = tuple((d.term, ctx.text(d.meaning)) for d in doc.definitions)
        header = (m("headers.term"), m("headers.definition"))
        defs.blocks += [Paragraph(m("full.definitions_intro")), Table(header, rows)]
    resp = _Chapter(m("sections.responsibilities"))
    if doc.responsibilities:
        rows = tuple((ctx.text(r.role), ctx.text(r.duties)) for r in doc.responsibilities)
        header = (m("headers.role"), m("headers.duties"))
        resp.blocks += [Paragraph(m("full.responsibilities_intro")), Table(header, rows)]
    return [purpose, scope, defs, resp]


def _steps(ctx: Ctx, proc: Procedure) -> Items:
    return Items(
        tuple(ctx.text(s) for s in proc.steps), "checkbox" if proc.checklist else "numbered"
    )


def _procedures(ctx: Ctx) -> _Chapter:
    m, doc = ctx.msg, ctx.policy.document
    ch = _Chapter(m("sections.procedures"))
    ch.subs += [(ctx.text(p.title), [_steps(ctx, p)]) for p in doc.procedures]
    if doc.communication_standards:
        items = Items(tuple(ctx.text(s) for s in doc.communication_standards), "checkbox")
        ch.subs.append((m("sections.communication_standards"), [items]))
    ch.subs.append((m("sections.support_tiers"), [cs_sop.tiers_table(ctx)]))
    ch.subs.append(
        (
            m("sections.sla_targets"),
            [cs_sop.sla_table(ctx), *cs_sop.channel_targets(ctx), *cs_sop.clock_notes(ctx)],
        )
    )
    return ch


def _metrics(ctx: Ctx) -> _Chapter:
    m = ctx.msg
    ch = _Chapter(m("sections.satisfaction_metrics"))
    if ctx.policy.metrics:
        keys = ("metric", "target", "current", "trend", "action_required")
        rows = tuple(
            (label, target, *cs_sop.live_cells(ctx, t.id))
            for (label, target), t in zip(cs_sop.metric_rows(ctx), ctx.rules.metrics, strict=True)
        )
        table = Table(tuple(m(f"headers.{k}") for k in keys), rows)
        ch.blocks += [Paragraph(m("full.metrics_intro")), table]
    return ch


def _escalation(ctx: Ctx) -> _Chapter:
    """The decision matrix (R-ESC-6) when the policy has one, then the triggers and the tree;
    without a matrix the chapter is the triggers."""
    m = ctx.msg
    triggers: list[Block] = []
    if ctx.rules.escalation_rules:
        flow, notes = cs_sop.flowchart_blocks(ctx)
        triggers = [Paragraph(m("full.triggers_intro")), full_tables.triggers_table(ctx), flow]
        triggers.append(notes)
    note = Paragraph(m("full.escalation_note"), "note")
    if not ctx.rules.matrix:
        return _Chapter(m("sections.escalation_triggers"), [*triggers, note])
    ch = _Chapter(m("sections.escalation_matrix"))
    ch.blocks += [Paragraph(m("full.matrix_intro")), full_tables.matrix_table(ctx), note]
    if triggers:
        ch.subs.append((m("sections.escalation_triggers"), triggers))
    return ch


def _recovery(ctx: Ctx) -> _Chapter:
    m = ctx.msg
    ch = _Chapter(m("sections.service_recovery"))
    for fw in ctx.policy.complaint_frameworks.values():
        ch.blocks.append(Paragraph(m("full.recovery_intro", name=ctx.text(fw.name))))
        ch.blocks.append(
            Items(tuple(m("values.key_text", key=s.key, text=ctx.text(s.text)) for s in fw.steps))
        )
    table = full_tables.authority_table(ctx)
    ch.subs.append((m("sections.recovery_actions"), [table, Paragraph(m("full.authority_note"))]))
    return ch


def _qa_and_emergency(ctx: Ctx) -> list[_Chapter]:
    m, doc = ctx.msg, ctx.policy.document
    qa = _Chapter(m("sections.qa_checklist"))
    if ctx.rules.qa_checklist:
        box = m("values.checkbox")
        rows = tuple((ctx.local(q.text), box, "") for q in ctx.rules.qa_checklist)
        header = (m("headers.item"), m("headers.completed"), m("headers.notes"))
        qa.blocks += [Paragraph(m("full.qa_intro")), Table(header, rows, "checklist")]
    em = _Chapter(m("sections.emergency_exceptions"))
    if doc.emergency:
        steps = Items(tuple(ctx.text(s) for s in doc.emergency), "numbered")
        em.subs.append(
            (m("sections.emergency_response"), [Paragraph(m("full.emergency_intro")), steps])
        )
    if doc.exceptions:
        steps = Items(tuple(ctx.text(s) for s in doc.exceptions), "numbered")
        warning = Paragraph(m("full.exception_warning"), "warning")
        blocks: list[Block] = [Paragraph(m("full.exception_intro")), steps, warning]
        em.subs.append((m("sections.exception_handling"), blocks))
    return [qa, em]


def _records(ctx: Ctx) -> list[_Chapter]:
    m, doc = ctx.msg, ctx.policy.document
    related = _Chapter(m("sections.related"))
    if doc.related:
        rows = tuple((ctx.text(r.category), ctx.join(r.references)) for r in doc.related)
        header = (m("headers.category"), m("headers.reference"))
        related.blocks += [Paragraph(m("full.related_intro")), Table(header, rows)]
    control = _Chapter(m("sections.document_control"))
    table = full_tables.control_table(ctx)
    if table is not None:
        control.blocks.append(table)
    revisions = _Chapter(m("sections.revision_history"))
    revisions.blocks += [Paragraph(m("full.revisions_intro")), full_tables.revisions_table(ctx)]
    return [related, control, revisions, *_signoff(ctx)]


def _signoff(ctx: Ctx) -> list[_Chapter]:
    m = ctx.msg
    header = (m("headers.name"), m("headers.approval_role"), m("headers.signature"))
    roles = ("full.prepared_by", "full.reviewed_by", "full.approved_by")
    rows = tuple(("", m(r), "", "") for r in roles)
    approval = _Chapter(m("sections.approval"))
    approval.blocks.append(Table((*header, m("headers.date")), rows, "signatures"))
    control = ctx.policy.document.control
    version = control.version if control is not None else m("values.none")
    training = _Chapter(m("sections.training"))
    lines = tuple(("", "", "") for _ in range(SIGNATURE_LINES))
    sign = Table((m("headers.printed_name"), m("headers.signature"), m("headers.date")), lines)
    training.blocks += [
        Paragraph(m("full.training_statement", version=version)),
        Paragraph(m("full.training_note"), "note"),
        Table(sign.headers, sign.rows, "signatures"),
    ]
    return [approval, training]


def build_full_sop(ctx: Ctx) -> SopDocument:
    """The full SOP document (document.format: full-sop)."""
    m, doc = ctx.msg, ctx.policy.document
    title = ctx.text(doc.title) if doc.title is not None else m("doc.title_full_sop")
    chapters = [
        *_intro(ctx),
        _procedures(ctx),
        _metrics(ctx),
        _escalation(ctx),
        _recovery(ctx),
        *_qa_and_emergency(ctx),
        *_records(ctx),
    ]
    full_title = m("doc.title_with_business", title=title, business=ctx.business)
    sections = (*_number(chapters), *rules_in_force(ctx))
    return SopDocument(full_title, cs_sop.meta_line(ctx), ctx.lang, ctx.business, sections)
