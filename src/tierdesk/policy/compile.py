"""Compile a validated policy into the domain's `Rulebook` (timedelta, Decimal, IANA zones)."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal

import holidays as holidays_lib

from tierdesk.domain import rulebook as rb
from tierdesk.domain.durations import parse_duration
from tierdesk.domain.model import LocalText
from tierdesk.domain.triggers import REGISTRY as TRIGGERS
from tierdesk.policy.metrics import parse_metric_target
from tierdesk.policy.notices import compile_notifications
from tierdesk.policy.schema import (
    WEEKDAYS,
    ActionDef,
    Calendar,
    EscalationRuleDef,
    MatrixRowDef,
    Phrases,
    Policy,
    Text,
    TierStaffing,
    parse_interval,
    trigger_params,
)


def text(value: Text | None) -> LocalText:
    if value is None:
        return LocalText()
    if isinstance(value, str):
        return LocalText((("en", value),))
    return LocalText(tuple(value.items()))


def _phrases(p: Phrases) -> rb.Phrases:
    return rb.Phrases((("en", tuple(p.en)), ("zh-TW", tuple(p.zh_tw))))


def _spans(intervals: list[str]) -> tuple[tuple[time, time], ...]:
    return tuple(sorted(parse_interval(i) for i in intervals))


def compile_calendar(name: str, cal: Calendar) -> rb.CalendarSpec:
    weekly = tuple(_spans(cal.hours.get(day, [])) for day in WEEKDAYS)
    hol: rb.DateSet = frozenset()
    source = ""
    if cal.holidays is not None:
        hol = holidays_lib.country_holidays(cal.holidays.country, subdiv=cal.holidays.subdivision)
        source = cal.holidays.country
    return rb.CalendarSpec(
        name=name,
        timezone=cal.timezone,
        always_open=cal.always_open,
        weekly=weekly,
        holidays=hol,
        closed_dates=frozenset(cal.closed),
        open_dates=frozenset(cal.open),
        open_hours=_spans(cal.open_hours) or weekly[0],
        holiday_source=source,
    )


def _timeline(spec: str) -> rb.Timeline:
    if spec == "immediate":
        return rb.Timeline("immediate")
    if spec == "same_interaction":
        return rb.Timeline("same_interaction")
    if spec.startswith("within "):
        return rb.Timeline("within", within=parse_duration(spec[len("within ") :]))
    m = re.fullmatch(r"after_contact (\d+)", spec)
    if m is None:  # the schema validator admits nothing else
        raise ValueError(f"not a timeline: {spec!r}")
    return rb.Timeline("after_contact", contact=int(m.group(1)))


def _rule(r: EscalationRuleDef) -> rb.EscalationRule:
    t = r.trigger
    fields = TRIGGERS[t.type].compile(trigger_params(t))
    return rb.EscalationRule(
        id=r.id,
        trigger=t.type,
        target=tuple(r.target),
        timeline=_timeline(r.timeline),
        handoff=r.handoff,
        description=text(r.description),
        **fields,
    )


def _matrix_row(row: MatrixRowDef) -> rb.MatrixRow:
    bands = tuple(
        rb.AmountBand(b.min, b.max, b.role) for b in sorted(row.bands, key=lambda b: b.min)
    )
    levels = tuple((lv.id, lv.role, text(lv.label)) for lv in row.levels)
    signals = tuple((lv.id, lv.signal) for lv in row.levels if lv.signal is not None)
    return rb.MatrixRow(row.id, text(row.label), row.currency, bands, levels, signals)


def _action(name: str, a: ActionDef, default_currency: str) -> rb.ActionLimit:
    limits: list[tuple[str, Decimal]] = []
    for role, v in a.limits.items():
        limits.append((role, Decimal("Infinity") if v == "unlimited" else Decimal(v)))
    limits.extend((role, Decimal(1)) for role in a.roles if role not in a.limits)
    currency = (a.currency or default_currency) if a.unit == "money" else ""
    return rb.ActionLimit(name, a.unit, tuple(limits), currency)  # type: ignore[arg-type]


def _staffing(s: TierStaffing | None) -> rb.StaffingInputs | None:
    if s is None:
        return None
    return rb.StaffingInputs(
        arrivals_per_hour=s.arrivals_per_hour,
        aht=s.aht,
        service_level=float(s.service_level),
        answer_within=s.answer_within,
        max_occupancy=float(s.max_occupancy),
        shrinkage=float(s.shrinkage),
    )


def business_calendar(p: Policy) -> str:
    """The policy's business calendar, a tier's calendar unless it names one: the calendar
    called `business` if it keeps opening hours, else the first that is not 24x7, else the
    first calendar."""
    named = p.calendars.get("business")
    if named is not None and not named.always_open:
        return "business"
    kept = [n for n, c in p.calendars.items() if not c.always_open]
    return kept[0] if kept else next(iter(p.calendars))


def compile_policy(p: Policy) -> rb.Rulebook:
    """The Rulebook for a policy that has passed `check` without errors."""
    priorities = tuple(
        rb.PriorityLevel(
            id=pid,
            name=text(pr.name),
            clock=pr.clock,
            first_response=pr.first_response,
            next_reply=pr.next_reply,
            resolution=pr.resolution,
            warn_at=float(pr.warn_at),
            notify=tuple(pr.notify),
            rank=int(pid[1:]),
        )
        for pid, pr in sorted(p.priorities.items())
    )
    tiers = tuple(
        rb.Tier(
            id=tid,
            name=text(t.name),
            scope=text(t.scope),
            skills=tuple(text(s) for s in t.skills),
            team_size=None if t.team_size == "auto" else t.team_size,
            tools=tuple(t.tools),
            resolution_target=t.resolution_target,
            first_contact_resolution=t.first_contact_resolution,
            expected_share=(
                None
                if t.expected_share is None
                else (float(t.expected_share[0]), float(t.expected_share[1]))
            ),
            staffing=_staffing(t.staffing),
            calendar=t.calendar or business_calendar(p),
        )
        for tid, t in sorted(p.tiers.items())
    )
    return rb.Rulebook(
        business=p.business,
        default_currency=p.currency,
        default_lang=p.language,
        calendars=tuple(compile_calendar(n, c) for n, c in p.calendars.items()),
        tiers=tiers,
        priorities=priorities,
        categories=tuple(
            rb.Category(
                id=cid,
                label=text(c.label),
                priority=c.priority,
                tier=c.tier,
                examples=tuple(text(e) for e in c.examples),
                phrases=_phrases(c.phrases),
                expected_share=None if c.expected_share is None else float(c.expected_share),
                template=c.template,
                signals=tuple(c.signals),
            )
            for cid, c in p.categories.items()
        ),
        signal_rules=tuple(
            rb.SignalRule(sig, _phrases(s.phrases), _phrases(s.negations))
            for sig, s in p.signals.items()
        ),
        escalation_rules=tuple(_rule(r) for r in p.escalation.rules),
        matrix=tuple(_matrix_row(r) for r in p.escalation.matrix),
        authority=rb.Authority(
            ladder=tuple(p.authority.ladder),
            currency=p.authority.currency,
            actions=tuple(
                _action(n, a, p.authority.currency) for n, a in p.authority.actions.items()
            ),
        ),
        templates=tuple(
            rb.Template(tid, text(t.name), text(t.body), (), t.use)
            for tid, t in p.templates.items()
        ),
        qa_checklist=tuple(rb.QaItem(q.id, text(q.text), q.weight) for q in p.qa_checklist),
        frameworks=tuple(
            rb.ComplaintFramework(
                fid, text(f.name), tuple((s.key, text(s.text)) for s in f.steps), tuple(f.use_for)
            )
            for fid, f in p.complaint_frameworks.items()
        ),
        metrics=tuple(parse_metric_target(m.id, m.target) for m in p.metrics),
        fallback_category=p.triage.fallback_category,
        human_triage_below=float(p.triage.human_triage_below),
        tier_order=tuple(sorted(p.tiers)),
        routing_rules=tuple(
            rb.RoutingRule(
                r.id,
                tuple(
                    (k, tuple(str(x) for x in (v if isinstance(v, list) else [v])))
                    for k, v in r.when.items()
                ),
                r.tier,
                r.priority,
                text(r.reason),
            )
            for r in p.routing
        ),
        customer_notice=p.escalation.customer_notice,
        teams=tuple((tid, text(t.name)) for tid, t in p.teams.items()),
        survey=rb.SurveySpec(
            p.surveys.expires_after,
            text(p.surveys.csat_question),
            text(p.surveys.nps_question),
        ),
        channel_targets=tuple(
            rb.ChannelTarget(ch, c.clock, c.first_response) for ch, c in p.channels.items()
        ),
        notifications=compile_notifications(p.notifications),
    )
