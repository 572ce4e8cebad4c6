"""The root model: `Policy`, one SOP policy file, made of the sections of the other modules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tierdesk.domain.model import Channel, Signal
from tierdesk.policy.schema.authority import AuthorityDef
from tierdesk.policy.schema.base import Currency, Identifier, PriorityId, Strict, TierId
from tierdesk.policy.schema.calendar import Calendar
from tierdesk.policy.schema.document import Document
from tierdesk.policy.schema.escalation import Escalation, Team
from tierdesk.policy.schema.metrics import MetricDef, SurveySettings
from tierdesk.policy.schema.notifications import NotificationSettings
from tierdesk.policy.schema.sla import ChannelTarget, PriorityDef
from tierdesk.policy.schema.templates import Framework, QaItemDef, TemplateDef
from tierdesk.policy.schema.tiers import (
    CategoryDef,
    RoutingRule,
    SignalDef,
    TierDef,
    TriageSettings,
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
