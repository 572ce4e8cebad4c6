"""Descriptions of policy keys whose schema field carries none (`Model.key` -> text).

The reference (`tierdesk.policy.reference`) prefers the schema's own `Field(description=...)`;
these fill the rest, so that every key of the policy file is explained. A test fails when a
schema field has neither, and when a note names a key that no longer exists.
"""

from __future__ import annotations

NOTES: dict[str, str] = {
    # Policy
    "Policy.business": (
        "The business name printed on the SOP (`tierdesk sop render --business` overrides it)."
    ),
    "Policy.language": "The team's working language: the default for printed SOPs and replies.",
    "Policy.document": (
        "What the printed SOP says besides the rules: purpose, scope, procedures, document control."
    ),
    "Policy.calendars": (
        "Named clocks for SLA targets: 24x7, or business hours in a time zone with holidays "
        "(R-SLA-1)."
    ),
    "Policy.tiers": "The support tiers L1-L3 by issue complexity (R-TIER-1); keys `L1`, `L2` ...",
    "Policy.priorities": "Priorities `P1`-`P4` with their SLA targets (R-PRI-1).",
    "Policy.categories": (
        "Issue categories: each sets a priority and a tier, and has phrases that detect it."
    ),
    "Policy.signals": (
        "Phrases that reveal an escalation signal in a message (supervisor request, legal "
        "threat ...)."
    ),
    "Policy.routing": (
        "Overrides of tier or priority by ticket facts; never by customer attributes (R-TIER-2)."
    ),
    "Policy.escalation": (
        "Escalation triggers, the decision matrix, and the customer notice (R-ESC-1..8)."
    ),
    "Policy.authority": "Who may grant which recovery action, up to what amount (R-AUTH-1..3).",
    "Policy.templates": "Response templates with `{placeholders}` (R-TPL-1).",
    "Policy.complaint_frameworks": (
        "Complaint-handling frameworks such as LAST and HEARD (R-TPL-2)."
    ),
    "Policy.qa_checklist": "The QA checklist each conversation is scored against (R-QA-1).",
    "Policy.metrics": "Quality metric targets (R-MET-1).",
    "Policy.triage": "How the triage classifier falls back and when a person triages instead.",
    # Document
    "Document.title": (
        "Document title (full-sop); default: Standard Operating Procedure: Customer Service."
    ),
    "Document.purpose": "Section 1, Purpose.",
    "Document.scope": "Section 2, Scope: who and what the SOP covers.",
    "Document.applies_to": "The roles the SOP applies to, listed under Scope.",
    "Document.exclusions": "What the SOP does not cover.",
    "Document.definitions": "Terms and their meanings (AHT, CSAT, FCR ...).",
    "Document.responsibilities": "Roles and what each is responsible for.",
    "Document.procedures": (
        "Numbered procedures (5.1 Initial Customer Contact, 5.2 Issue Resolution ...)."
    ),
    "Document.communication_standards": "Communication standards, printed as a checklist.",
    "Document.emergency": "Emergency response steps (seed 003 §10.1).",
    "Document.exceptions": "Exception handling steps (seed 003 §10.2, R-AUTH-3).",
    "Document.related": "Related policies, procedures, forms and references.",
    "Document.control": "Document control: owner, approver, version, review schedule (R-DOC-3).",
    "Document.revisions": "Revision history, newest last.",
    "Definition.term": "The term, e.g. `FCR`.",
    "Definition.meaning": "What the term means.",
    "Responsibility.role": "A role or position.",
    "Responsibility.duties": "What the role is responsible for.",
    "Procedure.title": "The procedure's title.",
    "Procedure.steps": "The steps, in order.",
    "RelatedDocs.category": "A kind of document, e.g. Related Forms.",
    "RelatedDocs.references": "Document names.",
    "DocumentControl.version": 'The SOP version agents acknowledge, e.g. `"1.0"` (quote it).',
    "DocumentControl.effective": "The date this version takes effect.",
    "DocumentControl.review_every_months": "Review interval in months, for reminders.",
    "DocumentControl.contact_email": "Who to write to about the SOP.",
    "DocumentControl.contact_phone": "Who to call about the SOP.",
    "Revision.version": "The version this revision produced.",
    "Revision.date": "When it was made.",
    "Revision.changes": "What changed.",
    "Revision.author": "Who made it.",
    # Calendars, tiers, priorities, categories
    "Calendar.holidays": "Public holidays to close on, from the `holidays` package.",
    "HolidaySource.subdivision": (
        "A state or province code, when holidays differ within the country."
    ),
    "TierDef.name": "The tier's name, e.g. Basic, Specialist, Expert.",
    "TierDef.scope": "What the tier handles.",
    "TierDef.skills": "Skills the tier needs.",
    "TierDef.tools": "Tools the tier works with.",
    "TierDef.resolution_target": (
        "How long the tier takes to resolve an issue, e.g. `5m`, `24h`, `72h`."
    ),
    "TierDef.first_contact_resolution": "The tier aims to resolve on first contact (L1).",
    "Team.name": "The team's name, e.g. Legal, PR.",
    "PriorityDef.name": "The priority's name, e.g. Critical, High.",
    "PriorityDef.first_response": "First response target on the priority's clock (R-SLA-2).",
    "PriorityDef.next_reply": "Target for each next reply to the customer.",
    "PriorityDef.resolution": "Resolution target.",
    "CategoryDef.label": "The category's name, as in the Top 10 Contact Reasons.",
    "CategoryDef.priority": "The priority of issues in this category (a key of `priorities`).",
    "CategoryDef.tier": "The tier that resolves them (a key of `tiers`).",
    "CategoryDef.examples": "Example customer messages.",
    "CategoryDef.phrases": (
        "Phrases that detect the category, per language; `re:` starts a regular expression."
    ),
    "Phrases.en": "English phrases.",
    "Phrases.zh-TW": "Traditional Chinese phrases.",
    "CategoryDef.signals": (
        "Signals that put a ticket in this category when no category as urgent matched its"
        " phrases: a text that raises `legal_threat` is a legal matter however it is worded, and"
        " the same message in English and Chinese gets the same category. The most urgent such"
        " category wins, then the first in policy order."
    ),
    "SignalDef.phrases": "Phrases that reveal the signal.",
    "SignalDef.negations": 'Phrases that cancel a nearby match ("I don\'t need a manager").',
    "RoutingRule.id": "An identifier for the override.",
    "RoutingRule.when": (
        "Conditions on ticket facts: category, signal, channel, refund_over, priority, language."
    ),
    "RoutingRule.tier": "The tier to route to.",
    "RoutingRule.priority": "The priority to set.",
    "RoutingRule.reason": "Why, in words (shown with the decision).",
    # Escalation
    "Escalation.rules": "Escalation triggers, applied in this order.",
    "EscalationRuleDef.description": (
        "The trigger in words (the printed SOP words it from the trigger itself)."
    ),
    "EscalationRuleDef.trigger": (
        "What starts the escalation; `type` selects one of the trigger kinds."
    ),
    "EscalationRuleDef.handoff": (
        "`warm`: the receiving tier gets a brief first (R-ESC-8); `cold`: a plain transfer."
    ),
    "TimeInTier.type": "`time_in_tier`.",
    "TimeInTier.tier": "The tier being timed.",
    "TimeInTier.over": "How long the tier may hold the issue, e.g. `15m` (R-ESC-1).",
    "SignalTrigger.type": "`signal`.",
    "SignalTrigger.any_of": "Signals that trigger it.",
    "RefundOverAuthority.type": "`refund_over_authority`.",
    "RepeatContact.type": "`repeat_contact`.",
    "MatrixRowDef.id": "An identifier, e.g. `billing_dispute`.",
    "MatrixRowDef.label": "The issue type, e.g. Billing Dispute.",
    "MatrixRowDef.currency": "Currency of the bands; default `authority.currency`.",
    "MatrixRowDef.bands": "Value bands and the role that owns each.",
    "MatrixRowDef.levels": "Severity levels and the role that owns each.",
    "Band.min": "Inclusive lower bound.",
    "Band.role": "The role that owns amounts in the band.",
    "Level.id": "An identifier, e.g. `critical_outage`.",
    "Level.label": "The level in words.",
    "Level.role": "The role that owns issues at this level.",
    # Authority, templates, quality
    "AuthorityDef.actions": (
        "Recovery actions: refund, discount, full_refund, complimentary, exception, apology, "
        "expedited_shipping."
    ),
    "ActionDef.unit": (
        "`money` (an amount), `percent` (e.g. a discount) or `flag` (allowed or not)."
    ),
    "TemplateDef.name": "The template's name.",
    "TemplateDef.use": (
        "When it is used: receipt, reply, escalation_notice, resolution, survey, apology, handoff."
    ),
    "TemplateDef.body": "The text, with `{placeholders}` such as `{name}` and `{ticket_id}`.",
    "Framework.name": "The framework's name.",
    "Framework.steps": "Its steps, in order.",
    "FrameworkStep.key": "The step's name, e.g. Listen.",
    "FrameworkStep.text": "What the agent does.",
    "QaItemDef.id": "An identifier, e.g. `greeting`.",
    "QaItemDef.text": "The criterion.",
    "QaItemDef.weight": "Its weight in the QA score.",
    "MetricDef.id": "The metric.",
    "MetricDef.label": "The metric's name in reports and the SOP; default: a standard name.",
}
