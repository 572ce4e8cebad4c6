"""Row-shaped records: what the storage ports take and return.

Plain types only (str, int, float, bool, Decimal, aware UTC datetime, dict, tuple of str) so an
adapter maps rows <-> records explicitly: a tuple of str is a JSON array column, a dict a JSON
object column, Decimal a NUMERIC column. Records are immutable; change one with
`dataclasses.replace`. Ids are strings made by the services (`new_id`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from tierdesk.domain import model
from tierdesk.domain.state import TicketState


def new_id(prefix: str) -> str:
    """A new unique id such as `t_3f9c...` (prefix + 32 hex digits)."""
    return f"{prefix}_{uuid.uuid4().hex}"


# --- tickets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRecord(TicketState):
    """The stored current state of a ticket (one row): the domain's `TicketState` (its fields,
    lookup keys included, are the row's columns) plus the store's own columns.

    `sweep_at` is the next time the SLA sweeper must look at the ticket (None: nothing is due,
    e.g. resolved or paused). `due_at` is when the running SLA clock due first is due and
    `due_warn_at` when that clock warns (`tierdesk.services.clocks.next_due`; None while no
    clock runs or they are paused): what the queue sorts by and "breaching soon" reads, kept
    by the unit of work that saves the ticket; `due_clock` names that clock and
    `due_calendar` the policy calendar it counts on (how the queue shows it). The API answers
    `tierdesk.web.ticket_out.TicketOut`, not this.
    """

    sweep_at: datetime | None = None
    due_at: datetime | None = None
    due_warn_at: datetime | None = None
    due_clock: str | None = None
    due_calendar: str | None = None


TicketOrder = Literal["new", "due", "warned"]
TICKET_ORDERS: tuple[TicketOrder, ...] = get_args(TicketOrder)


@dataclass(frozen=True)
class TicketFilter:
    """List filters; an empty tuple or None means "any". Text matches the subject. `order`
    is the page's order (see `TicketPage`)."""

    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    queue: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    assignee_id: str | None = None
    customer_id: str | None = None
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    text: str | None = None
    # "breaching soon": only tickets whose running clock due first warns (or warned) by then
    # (`TicketRecord.due_warn_at` <= it; a ticket without one never matches). A store reads
    # just those in the "warned" order; in another it sorts them (they are not the table)
    warned_by: datetime | None = None
    order: TicketOrder = "new"


@dataclass(frozen=True)
class TicketPage:
    """One page of tickets in the filter's order: "new", newest first (created_at desc, id
    desc); "due", the running clock due first (due_at asc, id asc; no due time last);
    "warned", the running clock that warns (or warned) first (due_warn_at likewise).
    `next_cursor` is opaque, None on the last page."""

    items: tuple[TicketRecord, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class MessageRecord:
    """A customer message, a public reply or an internal note."""

    id: str
    ticket_id: str
    kind: Literal["customer", "reply", "note"]
    channel: str
    body: str
    created_at: datetime
    author_id: str | None = None  # a user id; None for the customer
    template_id: str | None = None
    template_unedited: bool = False  # R-TPL-1: sent exactly as the rendered template
    event_seq: int = 0
    channel_message_id: str | None = None  # a customer message's id in its channel; unique


@dataclass(frozen=True)
class CallRecord:
    """A phone call logged by an agent; the duration feeds AHT."""

    id: str
    ticket_id: str
    agent_id: str
    started_at: datetime
    duration_seconds: int
    direction: Literal["inbound", "outbound"] = "inbound"
    note: str = ""
    # seconds from the first ring to the answer (R-SLA-3 phone service level); None: unknown
    answer_seconds: int | None = None


@dataclass(frozen=True)
class EscalationRecord:
    """An escalation with its warm-handoff brief (R-ESC-8) and customer notice (R-ESC-7)."""

    id: str
    ticket_id: str
    rule_id: str | None  # None for a manual escalation
    from_tier: str
    to_tier: str
    targets: tuple[str, ...]
    reason: str
    actor: str
    at: datetime
    brief: dict[str, Any] = field(default_factory=dict)
    notice: str = ""
    expected_by: datetime | None = None  # the expected resolution time told to the customer


# --- customers -----------------------------------------------------------------------------------

IdentityKind = Literal["email", "phone", "line"]


@dataclass(frozen=True)
class CustomerRecord:
    id: str
    name: str
    language: str
    created_at: datetime
    merged_into: str | None = None  # set when this customer was merged into another


@dataclass(frozen=True)
class CustomerPage:
    """One page of customers, newest first (created_at desc, id desc); `next_cursor` is
    opaque, None on the last page."""

    items: tuple[CustomerRecord, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class IdentityRecord:
    """One way to reach a customer; (kind, value) is unique. Values are normalized by the
    service (lower-case email, E.164-ish phone, LINE user id as given)."""

    kind: IdentityKind
    value: str
    customer_id: str
    created_at: datetime


# --- outbox --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRecord:
    """A message to deliver, written in the same transaction as the change that caused it.

    `dedupe_key` is unique (`{ticket_id}:{event seq}:{kind}`): the same event never queues two
    messages. Status: pending -> sending (claimed) -> sent, or back to pending with a later
    `next_attempt_at` on failure, or dead after the last attempt.
    """

    id: str
    kind: str  # receipt, reply, escalation_notice, resolution_confirm, survey, webhook
    channel: str
    recipient: str  # an address, phone number, LINE user id or URL
    payload: dict[str, Any]
    dedupe_key: str
    created_at: datetime
    next_attempt_at: datetime
    ticket_id: str | None = None
    status: Literal["pending", "sending", "sent", "dead"] = "pending"
    attempts: int = 0
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


# --- email --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundMailRecord:
    """One email as received (any outcome), unique by Message-ID: the channel's ledger.

    `outcome`: ticket (opened one), reply (joined `ticket_id`), auto_reply, bounce, loop, held
    (too many from the sender), refused (nothing readable). `raw_sha256` names the original
    message in the attachment store; `attachments` lists the parts (name, type, size,
    sha256 or the reason it was refused, inline, content id)."""

    id: str
    mailbox: str
    message_id: str  # unique
    sender: str
    subject: str
    outcome: str
    received_at: datetime
    raw_sha256: str
    size: int
    ticket_id: str | None = None
    reason: str = ""
    full_text: str = ""
    html: str | None = None
    attachments: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class AddressFailureRecord:
    """An email address that bounced: mail to it is failing (the customer's, when known)."""

    address: str  # unique
    reason: str
    failed_at: datetime
    bounces: int = 1
    customer_id: str | None = None


# --- users and document control ------------------------------------------------------------------

ROLES: tuple[str, ...] = model.ROLES  # the domain's one list (tierdesk.domain.model.Role)


@dataclass(frozen=True)
class UserRecord:
    id: str
    username: str  # unique
    display_name: str
    role: str  # one of ROLES
    created_at: datetime
    active: bool = True
    email: str | None = None
    language: str = "en"
    password_hash: str | None = None  # argon2, set by the web/auth layer


@dataclass(frozen=True)
class ApiTokenRecord:
    """A bearer API token of a user. Only the sha256 (hex) of its secret is stored, and it is
    unique; the token itself is shown once, when it is made. A token works until `expires_at`
    or until it is revoked (`revoked_at`, by the user `revoked_by`), whichever comes first.
    `last_used_at` is updated at most about once a minute, not on every request."""

    id: str
    user_id: str
    name: str  # the user's label for it, 1-80 characters
    token_hash: str  # sha256 hex of the secret; unique
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None


@dataclass(frozen=True)
class SessionRecord:
    """A browser session of a user (the signed `tierdesk_session` cookie names its id). It works
    until `expires_at` or until it is ended (`revoked_at`: sign-out, sign-out everywhere, a
    password change, deactivation), whichever comes first. The id is random (192 bits) and only
    ever travels inside the signed cookie or to its own user. `last_seen_at` is updated at most
    about once a minute, not on every request."""

    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
    user_agent: str | None = None  # as the browser sent it, at most 200 characters
    address: str | None = None  # the client address at sign-in


@dataclass(frozen=True)
class ChannelEventRecord:
    """One event a channel delivered to us (a LINE webhook event), kept so a redelivered or
    retried event is handled once: stored before it is acted on, `handled_at` set once its
    effects (a ticket, a message, a greeting) are committed. `reply_token` is the channel's
    one-time handle for answering it (LINE: valid for a short while), claimed at most once
    (`reply_token_used_at`)."""

    channel: str
    event_id: str
    kind: str  # message, follow, unfollow, other
    user_id: str | None
    received_at: datetime
    reply_token: str | None = None
    reply_token_used_at: datetime | None = None
    handled_at: datetime | None = None
    ticket_id: str | None = None


@dataclass(frozen=True)
class WebhookRecord:
    """An outgoing webhook subscription (admin-managed). `events` are event kinds
    (`tierdesk.domain.events.EventKind` values) or `("*",)` for every kind. `secret` signs each
    delivery (HMAC-SHA256); it is stored as is because signing needs it, is shown to the admin
    once, when the subscription is made, and is never listed or logged. A deactivated
    subscription (`active` False) gets no new messages, and its queued ones are not sent."""

    id: str
    url: str  # http or https, with a host
    secret: str
    events: tuple[str, ...]
    created_by: str
    created_at: datetime
    active: bool = True


@dataclass(frozen=True)
class PolicyVersionRecord:
    """One version of the policy file (R-DOC-3). Status: draft -> effective (after a named
    approver approves) -> superseded (when a later one takes effect); or rejected."""

    id: str
    number: int  # 1, 2, 3 ... unique
    title: str
    source: str  # the YAML text
    digest: str  # sha256 of source
    status: Literal["draft", "effective", "superseded", "rejected"]
    created_by: str
    created_at: datetime
    change_note: str = ""
    approved_by: str | None = None
    approved_at: datetime | None = None
    decision_note: str = ""
    # The checker's findings when it was proposed (warnings: errors refuse a proposal), each
    # {file, line, column, path, severity, message} as `policy check --json` prints it.
    findings: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ModelVersionRecord:
    """A triage model learned from the store (issue 12), kept like a policy version: draft ->
    effective (a manager or admin approves) -> superseded (when a later one takes effect); or
    rejected. The model's bytes are stored beside the row (`ModelVersionRepository.payload`),
    never in the record, so listing versions reads no model.

    `accuracy` is the model's on the held-out slice and `baseline_accuracy` that of what it was
    weighed against when it was trained (`baseline`: "model version 2", "the phrases alone");
    `evaluation` and `baseline_evaluation` are both reports (`EvalReport.to_json`)."""

    id: str
    number: int  # 1, 2, 3 ... unique
    status: Literal["draft", "effective", "superseded", "rejected"]
    created_by: str
    created_at: datetime
    trained_on: int
    corrected: int  # training tickets a person corrected
    held_out: int
    accuracy: float
    baseline: str
    baseline_accuracy: float
    evaluation: dict[str, Any]
    baseline_evaluation: dict[str, Any]
    payload_sha256: str
    payload_bytes: int
    approved_by: str | None = None
    approved_at: datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class AcknowledgementRecord:
    """An agent read and acknowledged a policy version; (version_id, user_id) is unique."""

    version_id: str
    user_id: str
    at: datetime


# --- approvals, recovery actions, surveys --------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRecord:
    """A request for an action beyond the requester's authority (R-AUTH-2/3)."""

    id: str
    ticket_id: str
    action: str  # refund, discount, complimentary, full_refund, exception, ...
    amount: Decimal | None  # money or percent; None for yes/no actions
    unit: str  # money, percent, flag
    currency: str | None
    requested_by: str
    requested_role: str
    required_role: str  # the least role that may grant it
    justification: str
    created_at: datetime
    status: Literal["pending", "approved", "denied", "used"] = "pending"
    decided_by: str | None = None
    decided_role: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class ActionRecord:
    """A recovery action applied to a ticket (refund, discount, complimentary, shipping)."""

    id: str
    ticket_id: str
    action: str
    amount: Decimal | None
    unit: str
    currency: str | None
    applied_by: str
    role: str
    at: datetime
    approval_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class SurveyRecord:
    """The CSAT (1-5) and NPS (0-10) survey sent when a ticket is closed; `token` is unique
    and goes in the customer's link."""

    id: str
    ticket_id: str
    customer_id: str
    token: str
    sent_at: datetime
    csat: int | None = None
    nps: int | None = None
    comment: str = ""
    answered_at: datetime | None = None
