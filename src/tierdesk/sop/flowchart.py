"""The escalation decision tree, generated from the policy's escalation rules in order.

Each rule becomes one question (from its trigger, so the chart cannot drift from what the engine
does); "yes" leads to the rule's target and timeline, "no" to the next rule. `to_mermaid` writes
it for Markdown; `tierdesk.sop.svg` draws it for HTML and PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierdesk.domain.rulebook import EscalationRule, Timeline
from tierdesk.domain.triggers import REGISTRY
from tierdesk.sop.context import Ctx


@dataclass(frozen=True)
class Decision:
    rule_id: str
    question: str
    action: str


@dataclass(frozen=True)
class Flow:
    title: str
    start: str
    decisions: tuple[Decision, ...]
    end: str
    yes: str
    no: str


def build_flow(ctx: Ctx) -> Flow:
    """The decision tree of `ctx`'s escalation rules, in the order the engine applies them."""
    m = ctx.msg
    return Flow(
        title=m("doc.figure_flowchart"),
        start=m("flow.start"),
        decisions=tuple(
            Decision(r.id, question(ctx, r), action(ctx, r)) for r in ctx.rules.escalation_rules
        ),
        end=m("flow.end"),
        yes=m("flow.yes"),
        no=m("flow.no"),
    )


def question(ctx: Ctx, rule: EscalationRule) -> str:
    """The trigger of `rule` as a yes/no question, from the trigger's own values (each trigger
    kind words its own question: tierdesk.domain.triggers)."""
    return REGISTRY[rule.trigger].question(rule, ctx.rules, ctx)


def timeline(ctx: Ctx, tl: Timeline) -> str:
    m = ctx.msg
    if tl.kind == "within" and tl.within is not None:
        return m("flow.within", duration=ctx.duration(tl.within))
    if tl.kind == "after_contact":
        return m("flow.after_contact", n=tl.contact)
    return m(f"flow.{tl.kind}")


def action(ctx: Ctx, rule: EscalationRule) -> str:
    """`L2 · immediately · warm handoff`: where the ticket goes, how fast, and how."""
    return ctx.msg(
        "flow.action",
        targets=ctx.targets(rule.target),
        timeline=timeline(ctx, rule.timeline),
        handoff=ctx.msg(f"flow.handoff_{rule.handoff}"),
    )


def _mermaid_label(text: str) -> str:
    # Inside a quoted Mermaid label these would end the label or be read as HTML.
    for raw, entity in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, entity)
    return f'"{text}"'


def to_mermaid(flow: Flow) -> str:
    """A Mermaid `flowchart TD` of the tree: start, one diamond per rule, an end node."""
    lines = ["flowchart TD", f"    start([{_mermaid_label(flow.start)}])"]
    for i, d in enumerate(flow.decisions, 1):
        lines.append(f"    q{i}{{{_mermaid_label(d.question)}}}")
        lines.append(f"    a{i}[{_mermaid_label(d.action)}]")
    lines.append(f"    done([{_mermaid_label(flow.end)}])")
    nodes = [f"q{i}" for i in range(1, len(flow.decisions) + 1)] + ["done"]
    lines.append(f"    start --> {nodes[0]}")
    for i in range(1, len(flow.decisions) + 1):
        lines.append(f"    q{i} -->|{_mermaid_label(flow.yes)}| a{i}")
        lines.append(f"    q{i} -->|{_mermaid_label(flow.no)}| {nodes[i]}")
    return "\n".join(lines)
