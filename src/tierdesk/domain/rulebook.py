"""The compiled SOP: the validated, normalized rules the domain runs on.

The policy package turns a YAML policy file into a `Rulebook`; the domain (triage, routing, SLA,
escalation, authority) reads nothing else. Durations are `timedelta`, money is `Decimal`, time zones
are IANA names. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Literal, Protocol

from tierdesk.domain.model import LocalText, Signal
from tierdesk.domain.notify_rules import NotificationSpec


class DateSet(Protocol):
    """Anything that answers `day in dates` (a frozenset, or a `holidays` country calendar)."""

    def __contains__(self, item: object, /) -> bool: ...


@dataclass(frozen=True)
class CalendarSpec:
    """A named clock: 24x7, or business hours in a time zone with holidays.

    `weekly[0]` is Monday. Each day holds zero or more (start, end) intervals in local time,
    sorted and non-overlapping; an end of 00:00 means midnight at the end of the day.
    A date in `open_dates` is a working day even if it is a holiday or weekend, using
    `open_hours` (or the Monday hours when those are empty).
    """

    name: str
    timezone: str
    always_open: bool = False
    weekly: tuple[tuple[tuple[time, time], ...], ...] = ((),) * 7
    holidays: DateSet = frozenset()
    closed_dates: frozenset[date] = frozenset()
    open_dates: frozenset[date] = frozenset()
    open_hours: tuple[tuple[time, time], ...] = ()
    holiday_source: str = ""


@dataclass(frozen=True)
class StaffingInputs:
    """Erlang C inputs of a tier (policy `staffing:`): `service_level` of contacts answered
    within `answer_within`; fractions in [0, 1]."""

    arrivals_per_hour: float
    aht: timedelta
    service_level: float
    answer_within: timedelta
    max_occupancy: float = 1.0
    shrinkage: float = 0.0


@dataclass(frozen=True)
class Tier:
    id: str
    name: LocalText
    scope: LocalText
    skills: tuple[LocalText, ...]
    team_size: int | None  # None: sized by the staffing planner ("auto")
    tools: tuple[str, ...]
    resolution_target: timedelta
    first_contact_resolution: bool
    expected_share: tuple[float, float] | None  # (low, high) fraction of volume, R-TIER-3
    staffing: StaffingInputs | None = None  # Erlang C inputs for team_size auto
    calendar: str = ""  # the CalendarSpec the tier works on (its time box, R-ESC-1)


@dataclass(frozen=True)
class PriorityLevel:
    id: str  # P1..P4
    name: LocalText
    clock: str  # a CalendarSpec name
    first_response: timedelta
    next_reply: timedelta | None
    resolution: timedelta | None
    warn_at: float  # fraction of the target at which a warning is raised
    notify: tuple[str, ...]  # who is told (the SLA table's "Escalation" column)
    rank: int  # 1 is the most urgent


@dataclass(frozen=True)
class ChannelTarget:
    """A channel's own first-response target on a calendar (R-SLA-4)."""

    channel: str  # a tierdesk.domain.model.Channel
    clock: str  # a CalendarSpec name
    first_response: timedelta


@dataclass(frozen=True)
class Phrases:
    """Detection phrases per language: plain phrases or regular expressions (`re:` prefix)."""

    by_lang: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def get(self, lang: str) -> tuple[str, ...]:
        return dict(self.by_lang).get(lang, ())

    def all(self) -> tuple[str, ...]:
        return tuple(p for _, ps in self.by_lang for p in ps)


@dataclass(frozen=True)
class Category:
    id: str
    label: LocalText
    priority: str
    tier: str
    examples: tuple[LocalText, ...]
    phrases: Phrases
    expected_share: (
        float | None
    )  # share of volume, for the Top 10 contact reasons until data exists
    template: str | None  # id of the response template that covers it
    # Signals that put a ticket here when no phrase of a category as urgent matched (the text
    # says "I'll sue you" in words no legal phrase lists: it is still a legal matter).
    signals: tuple[Signal, ...] = ()


@dataclass(frozen=True)
class SignalRule:
    signal: Signal
    phrases: Phrases
    negations: Phrases = field(default_factory=Phrases)


# --- escalation --------------------------------------------------------------------------------

TriggerKind = Literal["time_in_tier", "signal", "refund_over_authority", "repeat_contact"]


@dataclass(frozen=True)
class Timeline:
    """When an escalation must happen: immediately, within a duration, in the same
    interaction, or after the nth contact."""

    kind: Literal["immediate", "within", "same_interaction", "after_contact"]
    within: timedelta | None = None
    contact: int | None = None


@dataclass(frozen=True)
class EscalationRule:
    id: str  # e.g. R-ESC-1
    trigger: TriggerKind
    target: tuple[str, ...]  # tiers, teams or roles
    timeline: Timeline
    tier: str | None = None  # time_in_tier: the tier being timed
    over: timedelta | None = None  # time_in_tier: the limit
    signals: tuple[Signal, ...] = ()  # signal: any of these
    role: str | None = None  # refund_over_authority: the role whose authority is exceeded
    count: int | None = None  # repeat_contact: the contact number that triggers
    handoff: Literal["warm", "cold"] = "warm"
    description: LocalText = field(default_factory=LocalText)


@dataclass(frozen=True)
class AmountBand:
    """[low, high) in `currency`; high None means unbounded."""

    low: Decimal
    high: Decimal | None
    role: str


@dataclass(frozen=True)
class MatrixRow:
    """One row of the seed 003 escalation decision matrix (R-ESC-6)."""

    id: str
    label: LocalText
    currency: str | None
    bands: tuple[AmountBand, ...] = ()  # by value
    levels: tuple[tuple[str, str, LocalText], ...] = ()  # (level id, role, label) by severity
    level_signals: tuple[tuple[str, Signal], ...] = ()  # (level id, signal that puts a case there)


# --- authority ----------------------------------------------------------------------------------

ActionKind = Literal[
    "refund",
    "discount",
    "full_refund",
    "complimentary",
    "exception",
    "apology",
    "expedited_shipping",
]


@dataclass(frozen=True)
class ActionLimit:
    """What each role may grant of one action on its own.

    `limits[role]` is the largest amount (or percent) the role may grant; a role not listed may
    grant nothing. For yes/no actions (`unit == "flag"`) a listed role is allowed outright.
    """

    action: ActionKind
    unit: Literal["money", "percent", "flag"]
    limits: tuple[tuple[str, Decimal], ...]
    currency: str = ""  # for money actions

    def limit(self, role: str) -> Decimal:
        """The most `role` may grant alone (0 when the role is not listed)."""
        return dict(self.limits).get(role, Decimal(0))


@dataclass(frozen=True)
class Authority:
    ladder: tuple[str, ...]  # roles from least to most authority
    currency: str
    actions: tuple[ActionLimit, ...]

    def rank(self, role: str) -> int:
        return self.ladder.index(role) if role in self.ladder else -1

    def action(self, kind: str) -> ActionLimit | None:
        return next((a for a in self.actions if a.action == kind), None)


# --- templates, quality, metrics -----------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    id: str
    name: LocalText
    body: LocalText
    placeholders: tuple[str, ...]
    use: str  # receipt, escalation_notice, survey, resolution, reply...


@dataclass(frozen=True)
class ComplaintFramework:
    """A complaint-handling framework (LAST, HEARD: R-TPL-2): its steps (key, what the agent
    does), in order, and the categories whose replies it guides."""

    id: str
    name: LocalText
    steps: tuple[tuple[str, LocalText], ...]
    use_for: tuple[str, ...]


@dataclass(frozen=True)
class QaItem:
    id: str
    text: LocalText
    weight: float


@dataclass(frozen=True)
class MetricTarget:
    id: str  # fcr, csat, nps, aht, first_response_time, escalation_rate, service_level ...
    label: LocalText
    op: Literal["<", "<=", ">", ">="]
    value: Decimal
    unit: str  # percent, score5, nps, duration, ...
    display: str  # as written in the SOP, e.g. "> 70%"


@dataclass(frozen=True)
class RoutingRule:
    """A policy routing override: when every condition holds, set tier and/or priority.

    `when` is (condition, accepted values) as written in the policy. Conditions on customer
    attributes are kept so that the engine can see them and refuse the rule (R-TIER-2).
    """

    id: str
    when: tuple[tuple[str, tuple[str, ...]], ...]
    tier: str | None = None
    priority: str | None = None
    reason: LocalText = field(default_factory=LocalText)


# The survey questions when a policy names none (the policy schema's defaults say the same).
CSAT_QUESTION = LocalText.of(
    "How satisfied are you with how we handled your request?", "您對我們這次處理您的問題滿意嗎？"
)
NPS_QUESTION = LocalText.of(
    "How likely are you to recommend us to a friend or colleague?",
    "您有多大可能向朋友或同事推薦我們？",
)


@dataclass(frozen=True)
class SurveySpec:
    """The CSAT (1-5) / NPS (0-10) survey: its questions and how long a link can be answered."""

    expires_after: timedelta = timedelta(days=14)
    csat_question: LocalText = CSAT_QUESTION
    nps_question: LocalText = NPS_QUESTION


@dataclass(frozen=True)
class Rulebook:
    """Everything the domain needs from one policy version."""

    business: str
    default_currency: str
    default_lang: str
    calendars: tuple[CalendarSpec, ...]
    tiers: tuple[Tier, ...]
    priorities: tuple[PriorityLevel, ...]
    categories: tuple[Category, ...]
    signal_rules: tuple[SignalRule, ...]
    escalation_rules: tuple[EscalationRule, ...]
    matrix: tuple[MatrixRow, ...]
    authority: Authority
    templates: tuple[Template, ...]
    qa_checklist: tuple[QaItem, ...]
    metrics: tuple[MetricTarget, ...]
    fallback_category: str  # used when nothing matches
    human_triage_below: float  # model confidence under which a human triages
    tier_order: tuple[str, ...] = ("L1", "L2", "L3")
    routing_rules: tuple[RoutingRule, ...] = ()  # policy `routing:` overrides, in policy order
    customer_notice: str | None = None  # template id told on every escalation (R-ESC-7)
    teams: tuple[tuple[str, LocalText], ...] = ()  # non-tier escalation targets: (id, name)
    frameworks: tuple[ComplaintFramework, ...] = ()  # complaint frameworks (R-TPL-2)
    survey: SurveySpec = SurveySpec()  # the CSAT/NPS survey page
    channel_targets: tuple[ChannelTarget, ...] = ()  # per-channel first response (R-SLA-4)
    notifications: NotificationSpec = field(default_factory=NotificationSpec)  # staff notices

    def channel_target(self, channel: str | None) -> ChannelTarget | None:
        """The first-response target of tickets on `channel`, if the policy sets one."""
        return next((c for c in self.channel_targets if c.channel == channel), None)

    def frameworks_for(self, category: str) -> tuple[ComplaintFramework, ...]:
        """The complaint frameworks that guide replies on tickets of `category`."""
        return tuple(f for f in self.frameworks if category in f.use_for)

    def calendar(self, name: str) -> CalendarSpec:
        return next(c for c in self.calendars if c.name == name)

    def tier(self, tier_id: str) -> Tier:
        return next(t for t in self.tiers if t.id == tier_id)

    def priority(self, priority_id: str) -> PriorityLevel:
        return next(p for p in self.priorities if p.id == priority_id)

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)

    def template(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def tier_rank(self, tier_id: str) -> int:
        return self.tier_order.index(tier_id) if tier_id in self.tier_order else -1
