"""The SOP policy file schema (pydantic). One YAML file expresses every rule of PRODUCT.md.

Field descriptions are the policy reference: `docs/policy-reference.md` is generated from them.
Structural rules live here; rules that span sections (references, monotone authority, bands)
live in `tierdesk.policy.check` so that every problem is reported at once with its position.

One module per part of the file, each importing only `base` and modules before it in this list:
`base` (the `Strict` model, shared value types), `calendar`, `document`, `tiers` (tiers,
categories, signals, routing, triage), `sla` (priorities, channel targets), `triggers`,
`escalation` (rules, matrix, teams), `authority`, `templates` (templates, complaint frameworks,
QA checklist), `metrics` (metrics, surveys), `notifications`, and `policy` (the root `Policy`).
Import from this package: it re-exports every public name of its modules.
"""

from __future__ import annotations

from tierdesk.policy.schema.authority import ActionDef, ActionName, AuthorityDef
from tierdesk.policy.schema.base import (
    Currency,
    Duration,
    Identifier,
    Percent,
    PriorityId,
    Strict,
    Text,
    TierId,
)
from tierdesk.policy.schema.calendar import (
    WEEKDAYS,
    Calendar,
    HolidaySource,
    Interval,
    Weekday,
    parse_interval,
)
from tierdesk.policy.schema.document import (
    Definition,
    Document,
    DocumentControl,
    Procedure,
    RelatedDocs,
    Responsibility,
    Revision,
)
from tierdesk.policy.schema.escalation import (
    Band,
    Escalation,
    EscalationRuleDef,
    Level,
    MatrixRowDef,
    Team,
)
from tierdesk.policy.schema.metrics import MetricDef, MetricId, SurveySettings
from tierdesk.policy.schema.notifications import NotificationRuleDef, NotificationSettings
from tierdesk.policy.schema.policy import Policy
from tierdesk.policy.schema.sla import ChannelTarget, PriorityDef
from tierdesk.policy.schema.templates import Framework, FrameworkStep, QaItemDef, TemplateDef
from tierdesk.policy.schema.tiers import (
    CategoryDef,
    Phrases,
    RoutingRule,
    SignalDef,
    TierDef,
    TierStaffing,
    TriageSettings,
)
from tierdesk.policy.schema.triggers import (
    TRIGGER_SCHEMAS,
    RefundOverAuthority,
    RepeatContact,
    SignalTrigger,
    TimeInTier,
    Trigger,
    trigger_params,
)

__all__ = [
    "TRIGGER_SCHEMAS",
    "WEEKDAYS",
    "ActionDef",
    "ActionName",
    "AuthorityDef",
    "Band",
    "Calendar",
    "CategoryDef",
    "ChannelTarget",
    "Currency",
    "Definition",
    "Document",
    "DocumentControl",
    "Duration",
    "Escalation",
    "EscalationRuleDef",
    "Framework",
    "FrameworkStep",
    "HolidaySource",
    "Identifier",
    "Interval",
    "Level",
    "MatrixRowDef",
    "MetricDef",
    "MetricId",
    "NotificationRuleDef",
    "NotificationSettings",
    "Percent",
    "Phrases",
    "Policy",
    "PriorityDef",
    "PriorityId",
    "Procedure",
    "QaItemDef",
    "RefundOverAuthority",
    "RelatedDocs",
    "RepeatContact",
    "Responsibility",
    "Revision",
    "RoutingRule",
    "SignalDef",
    "SignalTrigger",
    "Strict",
    "SurveySettings",
    "Team",
    "TemplateDef",
    "Text",
    "TierDef",
    "TierId",
    "TierStaffing",
    "TimeInTier",
    "TriageSettings",
    "Trigger",
    "Weekday",
    "parse_interval",
    "trigger_params",
]
