"""Semantic checks of a validated policy: references, monotone authority, bands, R-TIER-2.

Errors make the policy unusable; warnings point at SOP practice the seeds warn against.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from tierdesk.domain.model import ROLES
from tierdesk.domain.templates import unknown_placeholders
from tierdesk.domain.triggers import REGISTRY as TRIGGERS
from tierdesk.domain.triggers import PolicyFacts
from tierdesk.policy.loader import Finding, LoadedPolicy, Severity
from tierdesk.policy.metrics import MetricTargetError, parse_metric_target
from tierdesk.policy.notices import check_notifications
from tierdesk.policy.schema import Policy, Text, trigger_params

# Roles the helpdesk knows even when a policy's authority ladder does not list them.
KNOWN_ROLES: frozenset[str] = frozenset(ROLES)
TICKET_CONDITIONS: frozenset[str] = frozenset(
    {"category", "signal", "channel", "refund_over", "priority", "language"}
)
# R-TIER-2: attributes of the customer, not of the issue.
_CUSTOMER_ATTR = re.compile(
    r"(^customer\.|vip|plan|spend|segment|lifetime|ltv|loyalty|revenue|account_value|premium)",
    re.IGNORECASE,
)
CORE_METRICS: tuple[str, ...] = ("fcr", "csat", "avg_response_time", "escalation_rate")

Issue = tuple[Severity, tuple[str | int, ...], str]


def check(loaded: LoadedPolicy) -> list[Finding]:
    """Every semantic problem of a structurally valid policy, errors first, in file order."""
    p = loaded.policy
    issues: list[Issue] = []
    for checker in _CHECKERS:
        issues.extend(checker(p))
    findings = []
    for severity, path, message in issues:
        line, col = loaded.positions.of(path)
        dotted = ".".join(str(x) for x in path)
        findings.append(Finding(severity, dotted, message, line, col, loaded.source))
    return sorted(findings, key=lambda f: (f.severity != "error", f.line, f.col))


def _check_notifications(p: Policy) -> Iterator[Issue]:
    return check_notifications(p, KNOWN_ROLES)


def _targets(p: Policy) -> set[str]:
    return set(p.tiers) | set(p.teams) | set(p.authority.ladder) | KNOWN_ROLES


def _check_references(p: Policy) -> Iterator[Issue]:
    for pid, pr in p.priorities.items():
        if pr.clock not in p.calendars:
            yield "error", ("priorities", pid, "clock"), f"clock {pr.clock!r} is not a calendar"
    for ch, target in p.channels.items():
        if target.clock not in p.calendars:
            msg = f"clock {target.clock!r} is not a calendar"
            yield "error", ("channels", ch, "clock"), msg
    for cid, cat in p.categories.items():
        if cat.priority not in p.priorities:
            msg = f"priority {cat.priority} is referenced but not defined in priorities"
            yield "error", ("categories", cid, "priority"), msg
        if cat.tier not in p.tiers:
            yield "error", ("categories", cid, "tier"), f"tier {cat.tier} is not defined in tiers"
        if cat.template is not None and cat.template not in p.templates:
            yield "error", ("categories", cid, "template"), f"template {cat.template!r} not defined"
    for tid, tier in p.tiers.items():
        if tier.calendar is not None and tier.calendar not in p.calendars:
            known = ", ".join(p.calendars)
            msg = f"calendar {tier.calendar!r} is not a calendar (defined: {known})"
            yield "error", ("tiers", tid, "calendar"), msg
    if p.triage.fallback_category not in p.categories:
        yield "error", ("triage", "fallback_category"), "not a defined category"
    notice = p.escalation.customer_notice
    if notice is not None and notice not in p.templates:
        yield "error", ("escalation", "customer_notice"), f"template {notice!r} not defined"
    elif notice is None and (p.escalation.rules or p.escalation.matrix):
        msg = "escalations do not tell the customer: set customer_notice to a template (R-ESC-7)"
        yield "warning", ("escalation",), msg
    for fid, fw in p.complaint_frameworks.items():
        for i, cid in enumerate(fw.use_for):
            if cid not in p.categories:
                yield (
                    "error",
                    ("complaint_frameworks", fid, "use_for", i),
                    f"unknown category {cid!r}",
                )


def _check_escalation(p: Policy) -> Iterator[Issue]:
    seen: set[str] = set()
    targets = _targets(p)
    facts = PolicyFacts(tiers=list(p.tiers), ladder=list(p.authority.ladder))
    for i, rule in enumerate(p.escalation.rules):
        base: tuple[str | int, ...] = ("escalation", "rules", i)
        if rule.id in seen:
            yield "error", (*base, "id"), f"duplicate rule id {rule.id}"
        seen.add(rule.id)
        trig = rule.trigger
        params = trigger_params(trig)
        for path, msg in TRIGGERS[trig.type].check(params, facts):
            yield "error", (*base, "trigger", *path), msg
        for j, t in enumerate(rule.target):
            if t not in targets:
                msg = f"target {t!r} is not a tier, team or role defined in the policy"
                yield "error", (*base, "target", j), msg


def _check_matrix(p: Policy) -> Iterator[Issue]:
    ladder = set(p.authority.ladder)
    for i, row in enumerate(p.escalation.matrix):
        base: tuple[str | int, ...] = ("escalation", "matrix", i)
        bands = sorted(enumerate(row.bands), key=lambda b: b[1].min)
        for (_, a), (j, b) in itertools.pairwise(bands):
            if a.max is None or b.min < a.max:
                yield "error", (*base, "bands", j), f"band from {b.min} overlaps the band before it"
            elif b.min > a.max:
                yield "error", (*base, "bands", j), f"no role owns amounts {a.max} to {b.min}"
        for j, band in enumerate(row.bands):
            if band.max is not None and band.max <= band.min:
                yield "error", (*base, "bands", j, "max"), "max must be above min"
            if band.role not in ladder:
                yield "error", (*base, "bands", j, "role"), f"role {band.role!r} not on the ladder"
        for j, level in enumerate(row.levels):
            if level.role not in ladder:
                yield (
                    "error",
                    (*base, "levels", j, "role"),
                    f"role {level.role!r} not on the ladder",
                )
            if _CUSTOMER_ATTR.search(level.id) or _CUSTOMER_ATTR.search(_all_text(level.label)):
                msg = "escalates on a customer attribute (R-TIER-2: route by issue, not customer)"
                yield "warning", (*base, "levels", j), msg


def _all_text(text: Text) -> str:
    return text if isinstance(text, str) else " ".join(text.values())


def _check_authority(p: Policy) -> Iterator[Issue]:
    ladder = p.authority.ladder
    for name, action in p.authority.actions.items():
        base: tuple[str | int, ...] = ("authority", "actions", name)
        for role in list(action.limits) + action.roles:
            if role not in ladder:
                yield "error", (*base, "limits"), f"role {role!r} is not on the authority ladder"
        levels = _levels(ladder, action.limits, action.roles, action.unit)
        for k in range(1, len(levels)):
            if levels[k] < max(levels[:k]):
                lower = ladder[levels.index(max(levels[:k]))]
                msg = (
                    f"authority is not monotone: {ladder[k]} may grant less than {lower} "
                    "below it on the ladder"
                )
                yield "error", (*base, "limits", ladder[k]), msg
        if action.unit == "percent":
            for role, v in action.limits.items():
                if v != "unlimited" and v > 100:
                    yield "error", (*base, "limits", role), "a percentage above 100"
    refund = p.authority.actions.get("refund")
    first = ladder[0]
    if refund is None or refund.limits.get(first, Decimal(0)) == 0:
        msg = f"{first} has no refund authority (R-AUTH-1: empower L1 under a threshold)"
        yield "warning", ("authority",), msg


def _levels(
    ladder: list[str], limits: dict[str, Any], roles: list[str], unit: str
) -> list[Decimal]:
    out = []
    for role in ladder:
        v = limits.get(role, Decimal(1) if unit == "flag" and role in roles else Decimal(0))
        out.append(Decimal("Infinity") if v == "unlimited" else Decimal(v))
    return out


def _check_templates(p: Policy) -> Iterator[Issue]:
    for tid, tpl in p.templates.items():
        bodies = {"": tpl.body} if isinstance(tpl.body, str) else dict(tpl.body)
        for lang, body in bodies.items():
            for name in unknown_placeholders(body):
                path: tuple[str | int, ...] = ("templates", tid, "body") + ((lang,) if lang else ())
                yield "error", path, f"unknown placeholder {{{name}}}"


def _check_routing(p: Policy) -> Iterator[Issue]:
    for i, rule in enumerate(p.routing):
        base: tuple[str | int, ...] = ("routing", i)
        if rule.tier is not None and rule.tier not in p.tiers:
            yield "error", (*base, "tier"), f"tier {rule.tier} is not defined in tiers"
        if rule.priority is not None and rule.priority not in p.priorities:
            yield "error", (*base, "priority"), f"priority {rule.priority} is not defined"
        for key in rule.when:
            if _CUSTOMER_ATTR.search(key):
                msg = f"routes on customer attribute {key!r} (R-TIER-2): it will never be applied"
                yield "warning", (*base, "when", key), msg
            elif key not in TICKET_CONDITIONS:
                known = ", ".join(sorted(TICKET_CONDITIONS))
                yield "error", (*base, "when", key), f"unknown condition; use one of {known}"


def _check_quality(p: Policy) -> Iterator[Issue]:
    if not p.qa_checklist:
        yield "warning", ("qa_checklist",), "no QA checklist (R-QA-1)"
    present = {m.id for m in p.metrics}
    for mid in CORE_METRICS:
        if mid not in present:
            yield "warning", ("metrics",), f"no target for metric {mid} (R-MET-1)"
    for i, m in enumerate(p.metrics):
        try:
            parse_metric_target(m.id, m.target)
        except MetricTargetError as exc:
            yield "error", ("metrics", i, "target"), str(exc)


def _check_calendars(p: Policy) -> Iterator[Issue]:
    for name, cal in p.calendars.items():
        if not cal.always_open and not any(cal.hours.values()):
            msg = "business calendar with no opening hours: its clocks would never run"
            yield "error", ("calendars", name, "hours"), msg


def _check_surveys(p: Policy) -> Iterator[Issue]:
    after = p.surveys.expires_after
    if after <= timedelta(0):
        yield "error", ("surveys", "expires_after"), "must be longer than 0 (e.g. 14d)"
    elif after < timedelta(days=1):
        msg = "survey links expire within a day: most customers answer later than that"
        yield "warning", ("surveys", "expires_after"), msg
    if not any(t.use == "survey" for t in p.templates.values()):
        msg = "no template has use: survey, so closed tickets send no CSAT/NPS survey (R-PROC-1)"
        yield "warning", ("templates",), msg


_CHECKERS = (
    _check_calendars,
    _check_references,
    _check_escalation,
    _check_matrix,
    _check_authority,
    _check_templates,
    _check_routing,
    _check_quality,
    _check_surveys,
    _check_notifications,
)
