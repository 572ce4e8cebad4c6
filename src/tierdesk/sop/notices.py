"""The staff notification rules, printed with the rules the helpdesk enforces (issue 16): one
row per rule (what, who, quiet hours), then how folding and urgency work."""

from __future__ import annotations

from tierdesk.domain.notify_rules import USER_PREFIX, NoticeRule, NotificationSpec
from tierdesk.sop.context import Ctx
from tierdesk.sop.document import Block, Paragraph, Table


def _who(ctx: Ctx, audience: str) -> str:
    spec = ctx.rules.notifications
    members = spec.members(audience)
    if audience.startswith(USER_PREFIX):
        return audience.removeprefix(USER_PREFIX)
    if audience in ("assignee", "deciders", "agents", "staff"):
        return ctx.msg(f"notices.audience_{audience}")
    name = ctx.target(audience)
    if members is not None:
        return ctx.msg("notices.team_as", name=name, members=_whos(ctx, members))
    return name


def _whos(ctx: Ctx, audiences: tuple[str, ...]) -> str:
    return ctx.msg("values.list_sep").join(_who(ctx, a) for a in audiences)


def _when(ctx: Ctx, rule: NoticeRule) -> str:
    m = ctx.msg
    parts = [m(f"notices.on_{rule.on}")]
    if rule.priorities:
        parts.append(m("notices.of_priorities", priorities=ctx.join(list(rule.priorities))))
    if rule.targets:
        parts.append(m("notices.to_targets", targets=ctx.targets(rule.targets)))
    if rule.signals:
        signals = [ctx.msg(f"signals.{s}") for s in rule.signals]
        parts.append(m("notices.with_signals", signals=ctx.join(signals)))
    return m("values.clause_sep").join(parts)


def _always_urgent(rule: NoticeRule, spec: NotificationSpec) -> bool:
    """Whether every notice of the rule ignores quiet hours (others may, by their ticket)."""
    return rule.urgent or bool(
        rule.priorities and set(rule.priorities) <= set(spec.urgent_priorities)
    )


def notices_blocks(ctx: Ctx) -> tuple[Block, ...]:
    """The table of rules and the note on folding and quiet hours (a line when none)."""
    m = ctx.msg
    spec = ctx.rules.notifications
    if not spec.rules:
        return (Paragraph(m("notices.none")),)
    rows = tuple(
        (
            r.id,
            _when(ctx, r),
            _whos(ctx, r.notify),
            m("notices.urgent") if _always_urgent(r, spec) else m("notices.quiet_hours"),
            ctx.local(r.description),
        )
        for r in spec.rules
    )
    headers = ("rule", "when", "who", "quiet", "why")
    table = Table(tuple(m(f"notices.{h}") for h in headers), rows)
    signals = [m(f"signals.{s}") for s in spec.urgent_signals]
    note = m(
        "notices.note",
        fold=ctx.duration(spec.fold_within),
        priorities=ctx.join(list(spec.urgent_priorities)),
        signals=ctx.join(signals),
    )
    return table, Paragraph(note, "note")
