"""The SOP policy file schema (pydantic). One YAML file expresses every rule of PRODUCT.md.

Field descriptions are the policy reference: `docs/policy-reference.md` is generated from them.
Structural rules live here; rules that span sections (references, monotone authority, bands)
live in `tierdesk.policy.check` so that every problem is reported at once with its position.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
)

from tierdesk.domain.durations import compact_duration, parse_duration
from tierdesk.domain.model import Channel, Signal
from tierdesk.domain.notify_rules import NoticeKind


class Strict(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(v: Any) -> timedelta:
    return parse_duration(v)


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(compact_duration, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["15m", "4h", "4h30m", "2d"]}),
]


def _percent(v: Any) -> Decimal:
    if isinstance(v, str):
        s = v.strip()
        if not s.endswith("%"):
            raise ValueError(f"{v!r} is not a percentage; write e.g. 80%")
        return Decimal(s[:-1].strip()) / 100
    if isinstance(v, int | float | Decimal) and not isinstance(v, bool):
        d = Decimal(str(v))
        return d / 100 if d > 1 else d
    raise ValueError(f"{v!r} is not a percentage; write e.g. 80%")


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    Field(ge=0, le=1),
    PlainSerializer(lambda d: f"{(d * 100).normalize():f}%", return_type=str),
    WithJsonSchema({"type": "string", "examples": ["80%", "15%"]}),
]


def _text(v: Any) -> str | dict[str, str]:
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and v and all(isinstance(t, str) for t in v.values()):
        unknown = [k for k in v if k not in ("en", "zh-TW")]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; use en or zh-TW")
        return dict(v)
    raise ValueError("expected text, or a mapping of language (en, zh-TW) to text")


Text = Annotated[
    str | dict[str, str],
    PlainValidator(_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"en": {"type": "string"}, "zh-TW": {"type": "string"}},
                },
            ],
            "description": "Plain text, or a mapping of language (en, zh-TW) to text.",
        }
    ),
]

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
TierId = Annotated[str, Field(pattern=r"^L[1-9]$")]
PriorityId = Annotated[str, Field(pattern=r"^P[1-9]$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. TWD.")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_interval(text: str) -> tuple[time, time]:
    """`09:00-12:00` -> (09:00, 12:00); `24:00` is accepted as an end (written as 00:00)."""
    m = _INTERVAL.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an interval; write e.g. 09:00-12:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{text!r} has an impossible time of day")
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if end != time(0, 0) and end <= start:
        raise ValueError(f"{text!r} ends before it starts")
    return start, end


Interval = Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")]


# --- document -------------------------------------------------------------------------------------


class Definition(Strict):
    term: str
    meaning: Text


class Responsibility(Strict):
    role: Text
    duties: Text


class Procedure(Strict):
    title: Text
    steps: list[Text] = Field(min_length=1)
    checklist: bool = Field(False, description="Print the steps as check boxes.")


class RelatedDocs(Strict):
    category: Text
    references: list[str]


class Revision(Strict):
    version: str
    date: date
    changes: Text
    author: str | None = None


class DocumentControl(Strict):
    owner: str = Field(description="Who owns the SOP (a role or a person).")
    approver: str = Field(description="Who approves a new version (R-DOC-3).")
    version: str
    effective: date | None = None
    review_schedule: Text = Field(description="When the SOP is reviewed, in words.")
    review_every_months: int | None = Field(None, ge=1, le=36)
    contact_email: str | None = None
    contact_phone: str | None = None


class Document(Strict):
    format: Literal["cs-sop", "full-sop"] = Field(
        "cs-sop",
        description="cs-sop: the five-section SOP (R-DOC-1); full-sop: seed 003 (R-DOC-2).",
    )
    title: Text | None = None
    purpose: Text | None = None
    scope: Text | None = None
    applies_to: list[Text] = []
    exclusions: Text | None = None
    definitions: list[Definition] = []
    responsibilities: list[Responsibility] = []
    procedures: list[Procedure] = []
    communication_standards: list[Text] = []
    emergency: list[Text] = []
    exceptions: list[Text] = []
    related: list[RelatedDocs] = []
    control: DocumentControl | None = None
    revisions: list[Revision] = []


# --- calendars ------------------------------------------------------------------------------------


class HolidaySource(Strict):
    country: str = Field(description="ISO 3166 country code for the `holidays` package, e.g. TW.")
    subdivision: str | None = None


class Calendar(Strict):
    timezone: str = Field(description="IANA time zone, e.g. Asia/Taipei.")
    always_open: bool = Field(False, description="A 24x7 clock: hours and holidays are ignored.")
    hours: dict[Weekday, list[Interval]] = Field(
        {}, description="Weekly opening hours; several intervals a day (e.g. a lunch break)."
    )
    holidays: HolidaySource | None = None
    closed: list[date] = Field([], description="Extra closed dates (typhoon days, company days).")
    open: list[date] = Field([], description="Extra working dates (make-up workdays).")
    open_hours: list[Interval] = Field(
        [], description="Hours on extra working dates; default: Monday's hours."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {v!r}") from None
        return v

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, intervals in v.items():
            spans = sorted(parse_interval(i) for i in intervals)
            for (_, end), (start, _) in itertools.pairwise(spans):
                if end == time(0, 0) or start < end:
                    raise ValueError(f"{day}: intervals overlap")
        return v

    @field_validator("open_hours")
    @classmethod
    def _valid_open_hours(cls, v: list[str]) -> list[str]:
        for i in v:
            parse_interval(i)
        return v


# --- tiers, priorities, categories ----------------------------------------------------------------


class TierStaffing(Strict):
    """Erlang C inputs that size a `team_size: auto` tier in the printed SOP (issue 4)."""

    arrivals_per_hour: float = Field(
        gt=0, description="Contacts reaching the tier per hour (the hour to staff for), e.g. 40."
    )
    aht: Duration = Field(description="Average handling time of one contact, e.g. 6m.")
    service_level: Percent = Field(
        description="Share of contacts answered within `answer_within`, e.g. 80% (below 100%)."
    )
    answer_within: Duration = Field(description="The service-level threshold, e.g. 60s or 4h.")
    max_occupancy: Percent = Field(
        Decimal("1"), description="Cap on the share of time agents are busy, e.g. 85%."
    )
    shrinkage: Percent = Field(
        Decimal("0"), description="Share of paid time off the queue (breaks, training), e.g. 30%."
    )

    @field_validator("service_level")
    @classmethod
    def _attainable(cls, v: Decimal) -> Decimal:
        if not 0 < v < 1:
            raise ValueError("a service level must be above 0% and below 100%")
        return v

    @field_validator("max_occupancy")
    @classmethod
    def _positive(cls, v: Decimal) -> Decimal:
        if v <= 0:
            raise ValueError("max occupancy must be above 0%")
        return v

    @field_validator("shrinkage")
    @classmethod
    def _below_all(cls, v: Decimal) -> Decimal:
        if v >= 1:
            raise ValueError("shrinkage must be below 100%")
        return v


class TierDef(Strict):
    name: Text
    scope: Text
    skills: list[Text] = []
    team_size: int | Literal["auto"] = Field(
        description="People in the tier, or `auto` to size it with Erlang C staffing."
    )
    staffing: TierStaffing | None = Field(
        None,
        description=(
            "Erlang C inputs for `team_size: auto`: the printed SOP then shows the agents "
            "needed (after shrinkage) instead of `auto`."
        ),
    )
    tools: list[str] = []
    calendar: str | None = Field(
        None,
        description=(
            "The calendar the tier works on (a key of `calendars`): its time box (R-ESC-1, "
            "time_in_tier) counts working time on it. Default: the policy's business calendar "
            "(`business`, else the first calendar that is not 24x7)."
        ),
    )
    resolution_target: Duration
    first_contact_resolution: bool = False
    expected_share: tuple[Percent, Percent] | None = Field(
        None, description="Expected share of volume as [low, high] (R-TIER-3), e.g. [70%, 80%]."
    )


class PriorityDef(Strict):
    name: Text
    clock: str = Field(description="The calendar the targets run on (a key of `calendars`).")
    first_response: Duration
    next_reply: Duration | None = None
    resolution: Duration | None = None
    warn_at: Percent = Field(
        Decimal("0.8"), description="Warn when this fraction of a target has elapsed."
    )
    notify: list[str] = Field([], description="Who is told (the SLA table's Escalation column).")


class ChannelTarget(Strict):
    """A channel's own first-response target (R-SLA-4): a ticket that came in on the channel
    must be first answered by the earlier of this due time and its priority's."""

    clock: str = Field(description="The calendar the target runs on (a key of `calendars`).")
    first_response: Duration = Field(
        description="First response target of the channel's tickets on `clock`, e.g. 5m."
    )


class Phrases(Strict):
    en: list[str] = []
    zh_tw: list[str] = Field([], alias="zh-TW")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CategoryDef(Strict):
    label: Text
    priority: PriorityId
    tier: TierId
    examples: list[Text] = []
    phrases: Phrases = Phrases()
    expected_share: Percent | None = Field(
        None,
        description="Expected share of contacts, for Top 10 Contact Reasons until data exists.",
    )
    template: str | None = Field(None, description="Template that answers it (a key of templates).")
    signals: list[Signal] = []


class SignalDef(Strict):
    phrases: Phrases
    negations: Phrases = Phrases()


class RoutingRule(Strict):
    """An override: when every condition holds, set tier and/or priority.

    Conditions may read ticket facts (category, signal, channel, refund_over). Conditions on
    customer attributes (vip, plan, spend, segment) break R-TIER-2: the checker warns and the
    engine never applies them.
    """

    id: str
    when: dict[str, Any] = Field(min_length=1)
    tier: TierId | None = None
    priority: PriorityId | None = None
    reason: Text | None = None


# --- escalation -----------------------------------------------------------------------------------


class TimeInTier(Strict):
    type: Literal["time_in_tier"]
    tier: TierId
    over: Duration


class SignalTrigger(Strict):
    type: Literal["signal"]
    any_of: list[Signal] = Field(min_length=1)


class RefundOverAuthority(Strict):
    type: Literal["refund_over_authority"]
    role: str = Field(description="The role whose refund limit is exceeded, e.g. agent_l1.")


class RepeatContact(Strict):
    type: Literal["repeat_contact"]
    count: int = Field(ge=2, description="The contact number on the same issue that triggers.")


# One schema per kind in tierdesk.domain.triggers.REGISTRY (the pure domain cannot hold pydantic
# models; tests/unit/test_triggers.py checks the two name the same kinds).
TRIGGER_SCHEMAS = (TimeInTier, SignalTrigger, RefundOverAuthority, RepeatContact)


def trigger_params(trigger: BaseModel) -> dict[str, Any]:
    """A trigger's values as validated (a duration is a timedelta), `type` left out: what its
    kind's `compile` and `check` read."""
    return {name: getattr(trigger, name) for name in type(trigger).model_fields if name != "type"}


Trigger = Annotated[
    TimeInTier | SignalTrigger | RefundOverAuthority | RepeatContact, Field(discriminator="type")
]

_TIMELINE = re.compile(r"^(immediate|same_interaction|within (.+)|after_contact (\d+))$")


class EscalationRuleDef(Strict):
    id: str = Field(description="Rule ID, e.g. R-ESC-1.")
    description: Text | None = None
    trigger: Trigger
    target: list[str] = Field(min_length=1, description="Tiers, roles or teams.")
    timeline: str = Field(
        description="`immediate`, `same_interaction`, `within <duration>`, `after_contact <n>`."
    )
    handoff: Literal["warm", "cold"] = "warm"

    @field_validator("timeline")
    @classmethod
    def _timeline(cls, v: str) -> str:
        m = _TIMELINE.match(v.strip())
        if m is None:
            raise ValueError(
                f"{v!r} is not a timeline; use immediate, same_interaction, "
                "within <duration> or after_contact <n>"
            )
        if m.group(2):
            parse_duration(m.group(2))
        return v.strip()


class Band(Strict):
    min: Decimal = Field(Decimal(0), ge=0)
    max: Decimal | None = Field(None, description="Exclusive upper bound; empty for no limit.")
    role: str


class Level(Strict):
    id: Identifier
    label: Text
    role: str
    signal: Signal | None = Field(None, description="A signal that puts a ticket at this level.")


class MatrixRowDef(Strict):
    id: Identifier
    label: Text
    currency: Currency | None = None
    bands: list[Band] = []
    levels: list[Level] = []


class Escalation(Strict):
    rules: list[EscalationRuleDef] = []
    matrix: list[MatrixRowDef] = Field([], description="Decision matrix by issue type and value.")
    customer_notice: str | None = Field(
        None, description="Template sent to the customer on every escalation (R-ESC-7)."
    )


# --- authority ------------------------------------------------------------------------------------

ActionName = Literal[
    "refund",
    "discount",
    "full_refund",
    "complimentary",
    "exception",
    "apology",
    "expedited_shipping",
]


class ActionDef(Strict):
    unit: Literal["money", "percent", "flag"]
    currency: Currency | None = Field(None, description="For money; default authority.currency.")
    limits: dict[str, Decimal | Literal["unlimited"]] = Field(
        {}, description="Largest amount (or percent) each role may grant alone."
    )
    roles: list[str] = Field([], description="For flag actions: the roles allowed.")


class AuthorityDef(Strict):
    currency: Currency
    ladder: list[str] = Field(min_length=1, description="Roles from least to most authority.")
    actions: dict[ActionName, ActionDef] = {}


# --- templates, quality, metrics ------------------------------------------------------------------


class TemplateDef(Strict):
    name: Text
    use: Literal[
        "receipt",
        "reply",
        "escalation_notice",
        "resolution",
        "survey",
        "apology",
        "handoff",
        "greeting",
    ] = "reply"
    body: Text


class FrameworkStep(Strict):
    key: str
    text: Text


class Framework(Strict):
    name: Text
    steps: list[FrameworkStep] = Field(min_length=1)
    use_for: list[str] = Field([], description="Categories whose replies it guides.")


class QaItemDef(Strict):
    id: Identifier
    text: Text
    weight: float = Field(1.0, gt=0)


MetricId = Literal[
    "fcr",
    "csat",
    "nps",
    "aht",
    "avg_response_time",
    "email_response_time",
    "resolution_time",
    "escalation_rate",
    "service_level",
    "sla_attainment",
    "qa_score",
]


class MetricDef(Strict):
    id: MetricId
    target: str = Field(description="e.g. `> 70%`, `> 4.2/5`, `> 50`, `< 8m`, `> 80% in 60s`.")
    label: Text | None = None


class TriageSettings(Strict):
    fallback_category: str = Field(description="Category when nothing matches.")
    human_triage_below: Percent = Field(
        Decimal("0.5"), description="Model confidence under which a person triages."
    )


class Team(Strict):
    name: Text


class SurveySettings(Strict):
    """The CSAT/NPS survey sent when a ticket is closed (R-PROC-1), as its page asks it."""

    expires_after: Duration = Field(
        timedelta(days=14),
        description="How long a survey link can be answered after it was sent, e.g. 14d.",
    )
    csat_question: Text = Field(
        {
            "en": "How satisfied are you with how we handled your request?",
            "zh-TW": "您對我們這次處理您的問題滿意嗎？",
        },
        description="The CSAT question (answered 1-5).",
    )
    nps_question: Text = Field(
        {
            "en": "How likely are you to recommend us to a friend or colleague?",
            "zh-TW": "您有多大可能向朋友或同事推薦我們？",
        },
        description="The NPS question (answered 0-10).",
    )


# --- staff notifications --------------------------------------------------------------------------


class NotificationRuleDef(Strict):
    """Who on the staff is told of what (seed 004's "who to notify")."""

    id: str = Field(description="Rule ID, e.g. N-PRI-1.")
    on: NoticeKind = Field(
        description=(
            "The event: ticket_priority (a ticket opened with or moved to a priority), "
            "escalation, sla_warning, sla_breach, approval (a request waits), policy_version "
            "(a new version to acknowledge), incident (declared)."
        )
    )
    notify: list[str] = Field(
        min_length=1,
        description=(
            "Roles, tiers (their agents), teams (see `teams`), `assignee`, `deciders` (the "
            "role an approval waits for), `agents`, `staff` or `user:NAME`."
        ),
    )
    priorities: list[PriorityId] = Field([], description="Only tickets of these priorities.")
    targets: list[str] = Field([], description="Escalations: only those to one of these.")
    signals: list[Signal] = Field([], description="Only tickets with one of these signals.")
    urgent: bool = Field(False, description="Ignore quiet hours for these notices.")
    description: Text | None = Field(None, description="What the rule is for, printed in the SOP.")


class NotificationSettings(Strict):
    """Staff notifications: the rules, folding and what ignores quiet hours."""

    rules: list[NotificationRuleDef] = Field(
        [], description="Who is told of what; every rule that matches an event tells its people."
    )
    fold_within: Duration = Field(
        timedelta(minutes=30),
        description="Notices to one person about one ticket within this time fold into one.",
    )
    urgent_priorities: list[PriorityId] = Field(
        ["P1"], description="Notices about tickets of these priorities ignore quiet hours."
    )
    urgent_signals: list[Signal] = Field(
        [Signal.SAFETY_ISSUE], description="Notices about tickets with these signals too."
    )
    teams: dict[str, list[str]] = Field(
        {},
        description=(
            "Who a team (or a name such as cto_founder) means in `notify`: roles or user:NAME."
        ),
    )


class Policy(Strict):
    """A tierdesk SOP policy file."""

    tierdesk: Literal[1] = Field(description="Policy file format version.")
    business: str
    language: Literal["en", "zh-TW"] = "en"
    currency: Currency = Field(description="Default currency, e.g. for a bare `$` in triage.")
    document: Document = Document()
    calendars: dict[str, Calendar] = Field(min_length=1)
    tiers: dict[TierId, TierDef] = Field(min_length=1)
    teams: dict[Identifier, Team] = Field(
        {}, description="Non-tier escalation targets (legal, pr)."
    )
    priorities: dict[PriorityId, PriorityDef] = Field(min_length=1)
    channels: dict[Channel, ChannelTarget] = Field(
        {},
        description=(
            "Per-channel first-response targets (R-SLA-4), e.g. line: 5m on business hours; "
            "a ticket's first response is due at the earlier of its priority's and its channel's."
        ),
    )
    categories: dict[Identifier, CategoryDef] = Field(min_length=1)
    signals: dict[Signal, SignalDef] = {}
    routing: list[RoutingRule] = []
    escalation: Escalation = Escalation()
    authority: AuthorityDef
    templates: dict[Identifier, TemplateDef] = {}
    complaint_frameworks: dict[str, Framework] = {}
    qa_checklist: list[QaItemDef] = []
    metrics: list[MetricDef] = []
    surveys: SurveySettings = Field(
        SurveySettings(), description="The CSAT/NPS survey page: its questions and expiry."
    )
    triage: TriageSettings
    notifications: NotificationSettings = Field(
        NotificationSettings(), description="Who on the staff is told what (issue 16)."
    )
