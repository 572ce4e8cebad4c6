"""Request and response bodies of the JSON API.

Request models forbid unknown fields (a typo is a 422 naming the field, never silently
ignored); enumerations are Literals so a wrong value is refused with the allowed ones listed.
No text field takes a control character (NUL included; PostgreSQL cannot store NUL at all):
tab, line feed and carriage return (CRLF from mail clients) are the only ones allowed, and
single-line fields (`OneLine`: names, subjects, titles) refuse line breaks too. The rule is in
the OpenAPI document as each string's `pattern`.
Responses reuse the services' record dataclasses, except users (never their password hash).
Ticket commands take the ticket's `version` (or an `If-Match` header) for optimistic
concurrency: a stale one is refused with 409 and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    WithJsonSchema,
    field_validator,
)
from pydantic.config import JsonDict

from tierdesk.domain.events import EventKind
from tierdesk.domain.model import Channel, Lang, Role
from tierdesk.domain.state import TicketStatus
from tierdesk.policy.schema import PriorityId
from tierdesk.services.records import IdentityKind

# Every text field: no control character (C0, DEL, C1) but tab, LF and CR.
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# Text that says something: PLAIN_TEXT with one character that is not a space.
_TEXT_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
SAID = rf"^[\t\n\r ]*[^\s\x00-\x1f\x7f-\x9f]{_TEXT_CHAR}*$"
# Single-line fields: no line break either (tab allowed).
ONE_LINE = r"^[^\x00-\x08\x0a-\x1f\x7f-\x9f]*$"
OneLine = Field(pattern=ONE_LINE)
# What the services accept as an email or a phone number (tierdesk.services.customers).
EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
PHONE = r"^ *\+?[ ().-]*([0-9][ ().-]*){6,15}$"
# A LINE user id and a username as the services accept them (tierdesk.services.customers,
# tierdesk.services.users; usernames are lower-cased there).
LINE_ID = r"^[A-Za-z0-9_-]{4,64}$"
USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"
# A webhook URL: http(s), a host name, IPv4 or [IPv6] address, an optional port and path.
_HOST = r"([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])"
_PORT = r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
WEBHOOK_URL = rf"^https?://{_HOST}{_PORT}(/[!-~]*)?$"
# The same, or "" (a setting left empty).
OR_EMPTY_EMAIL = f"^$|{EMAIL}"
OR_EMPTY_LINE_ID = f"^$|{LINE_ID}"
IDENTITY_PATTERNS = {"email": EMAIL, "phone": PHONE, "line": LINE_ID}
_CONTROL = frozenset(
    chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))
)

# Every list comes from its one definition: channels and roles from the domain's vocabulary,
# statuses from the ticket's state machine, priorities from the policy's format (which levels
# exist is the policy in force's, checked by the service).
if TYPE_CHECKING:
    Status = str
else:
    Status = Literal[tuple(str(s) for s in TicketStatus)]
Priority = PriorityId
VerifyMethod = Literal["security_questions", "otp", "account_login", "document"]

Text = Annotated[str, Field(min_length=1, max_length=100_000)]
Short = Annotated[str, Field(max_length=500)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Ident = Annotated[str, Field(min_length=1, max_length=200)]
# An amount as JSON: an integer or a decimal string (a JSON float cannot carry 4 exact places).
AMOUNT = r"^[0-9]{1,10}(\.[0-9]{1,4})?$"
Amount = Annotated[
    Decimal,
    Field(allow_inf_nan=False, max_digits=14, decimal_places=4),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 9_999_999_999},
                {"type": "string", "pattern": AMOUNT},
            ],
            "description": "An amount: an integer or a decimal string with up to 4 places.",
        }
    ),
]
Version = Annotated[int | None, Field(ge=0, description="The ticket version this is based on.")]


def _plain_text_schema(schema: JsonDict) -> None:
    """Give every string of a request model's JSON schema the PLAIN_TEXT pattern (the ones
    with their own pattern keep it)."""

    def mark(node: object) -> None:
        if isinstance(node, dict):
            constrained = {"pattern", "enum", "format", "const"} & node.keys()
            if node.get("type") == "string" and not constrained:
                node["pattern"] = PLAIN_TEXT
            for value in node.values():
                mark(value)
        elif isinstance(node, list):
            for value in node:
                mark(value)

    mark(schema.get("properties", {}))


def _has_control(value: object) -> bool:
    if isinstance(value, str):
        return not _CONTROL.isdisjoint(value)
    if isinstance(value, list | tuple):
        return any(_has_control(v) for v in value)
    return False


class Strict(BaseModel):
    """Base of every request body: unknown fields and control characters are refused."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=False, json_schema_extra=_plain_text_schema
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if _has_control(value):
            raise ValueError(
                "must not contain control characters (NUL and the like; tab, line feed and "
                "carriage return are allowed)"
            )
        return value


class Versioned(Strict):
    version: Version = None


# --- intake and tickets -------------------------------------------------------------------------


def _email_or_phone(schema: JsonDict) -> None:
    _plain_text_schema(schema)
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"type": "string"}}}
        for name in ("email", "phone")
    ]


class IntakeIn(Strict):
    """A customer's message from the public web form or a webhook: `email` or `phone`
    is required."""

    model_config = ConfigDict(json_schema_extra=_email_or_phone)

    name: Annotated[str, Field(max_length=200), OneLine] = ""
    email: Annotated[str | None, Field(max_length=320, pattern=EMAIL)] = None
    phone: Annotated[str | None, Field(max_length=40, pattern=PHONE)] = None
    subject: Annotated[str, Field(max_length=500), OneLine] = ""
    body: Text
    channel: Channel = "web"
    language: Lang | None = None


class IntakeOut(BaseModel):
    ticket_id: str
    created: bool
    status: str
    received_at: datetime


def _value_of_kind(schema: JsonDict) -> None:
    """An identity's `value` has the form of its `kind` (one alternative per kind)."""
    _plain_text_schema(schema)
    schema["anyOf"] = [
        {"properties": {"kind": {"const": kind}, "value": {"type": "string", "pattern": pattern}}}
        for kind, pattern in IDENTITY_PATTERNS.items()
    ]


class ContactIn(Strict):
    model_config = ConfigDict(json_schema_extra=_value_of_kind)

    kind: IdentityKind
    value: Annotated[Ident, OneLine]
    name: Annotated[str, Field(max_length=200), OneLine] = ""


class TicketIn(Strict):
    """A ticket logged by an agent (a phone call, a walk-in, an email forwarded by hand)."""

    channel: Channel
    text: Text
    contact: ContactIn
    subject: Annotated[str, Field(max_length=500), OneLine] = ""
    language: Lang | None = None
    related_to: Annotated[str | None, Field(min_length=1, max_length=100)] = None


class ReplyIn(Versioned):
    body: Text
    template_id: Annotated[str | None, Field(max_length=100)] = None


class NoteIn(Versioned):
    body: Text


class ReasonIn(Versioned):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class OptionalReasonIn(Versioned):
    reason: Annotated[str, Field(max_length=2000)] = "resumed by agent"


class SummaryIn(Versioned):
    summary: Annotated[str, Field(min_length=1, max_length=5000)]


class CloseIn(Versioned):
    pass


class AssignIn(Versioned):
    assignee_id: Annotated[str | None, Field(max_length=100)]


class MergeIn(Versioned):
    target_id: Annotated[str, Field(min_length=1, max_length=100)]
    reason: Annotated[str, Field(max_length=2000)] = "duplicate"


class LinkIn(Versioned):
    related_to: Annotated[str, Field(min_length=1, max_length=100)]


class EscalateIn(Versioned):
    to_tier: Annotated[str, Field(min_length=1, max_length=40)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    targets: Annotated[list[Short], Field(max_length=20)] = []
    tried: Annotated[list[Short], Field(max_length=50)] = []
    mood: Annotated[str, Field(max_length=200)] = ""
    promises: Annotated[list[Short], Field(max_length=50)] = []


class CallIn(Versioned):
    started_at: AwareDatetime
    duration_seconds: Annotated[int, Field(ge=1, le=86_400)]
    direction: Literal["inbound", "outbound"] = "inbound"
    note: Annotated[str, Field(max_length=5000)] = ""
    # seconds from the first ring to the answer, inbound calls (R-SLA-3 service level)
    answer_seconds: Annotated[int | None, Field(ge=0, le=3600)] = None


class VerifyIn(Versioned):
    method: VerifyMethod = "security_questions"


class TriageCorrectionIn(Versioned):
    """A person's triage: a category and/or a priority of the policy, and why."""

    category: Annotated[str | None, OneLine, Field(min_length=1, max_length=80)] = None
    priority: Priority | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ApprovalRequestIn(Versioned):
    action: Annotated[str, Field(min_length=1, max_length=60)]
    justification: Annotated[str, Field(min_length=1, max_length=5000)]
    amount: Amount | None = None


class ActionIn(Versioned):
    action: Annotated[str, Field(min_length=1, max_length=60)]
    amount: Amount | None = None
    approval_id: Annotated[str | None, Field(max_length=100)] = None
    note: Annotated[str, Field(max_length=5000)] = ""


class DecisionIn(Strict):
    note: Annotated[str, Field(max_length=5000)] = ""


class RefusalIn(Strict):
    """Denying or rejecting says why."""

    note: Annotated[str, Field(min_length=1, max_length=5000, pattern=SAID)]


def _csat_or_nps(schema: JsonDict) -> None:
    _plain_text_schema(schema)
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"type": "integer"}}} for name in ("csat", "nps")
    ]


class SurveyAnswerIn(Strict):
    """An answer gives a CSAT score, an NPS score or both."""

    model_config = ConfigDict(json_schema_extra=_csat_or_nps)

    csat: Annotated[int | None, Field(ge=1, le=5)] = None
    nps: Annotated[int | None, Field(ge=0, le=10)] = None
    comment: Annotated[str, Field(max_length=5000)] = ""


# --- customers, policy, users, auth -------------------------------------------------------------


class IdentityIn(Strict):
    model_config = ConfigDict(json_schema_extra=_value_of_kind)

    kind: IdentityKind
    value: Annotated[Ident, OneLine]


class CustomerMergeIn(Strict):
    source_id: Annotated[str, Field(min_length=1, max_length=100)]


class PolicyProposeIn(Strict):
    title: Annotated[str, Field(min_length=1, max_length=200), OneLine]
    source: Annotated[str, Field(min_length=1, max_length=2_000_000)]
    change_note: Annotated[str, Field(max_length=5000)] = ""


class UserIn(Strict):
    username: Annotated[str, Field(min_length=2, max_length=64, pattern=USERNAME)]
    role: Role
    password: Annotated[str, Field(min_length=8, max_length=1024)]
    display_name: Annotated[str, Field(max_length=200), OneLine] = ""
    email: Annotated[str | None, Field(max_length=320), OneLine] = None
    language: Lang = "en"


class UserPatch(Strict):
    role: Role | None = None
    active: bool | None = None
    display_name: Annotated[str | None, Field(max_length=200), OneLine] = None
    password: Annotated[str | None, Field(min_length=8, max_length=1024)] = None


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    active: bool
    email: str | None
    language: str
    created_at: datetime


class LoginIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class PasswordChangeIn(Strict):
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Annotated[str, Field(min_length=8, max_length=1024)]


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send it as X-CSRF-Token on cookie-authenticated writes.")


class TokenIn(Strict):
    name: Annotated[
        str, Field(min_length=1, max_length=80, description="Your label for it, e.g. 'CRM sync'.")
    ]
    days: Annotated[
        int | None, Field(ge=1, le=3650, description="Lifetime; TOKEN_MAX_AGE_DAYS when absent.")
    ] = None


class TokenOut(BaseModel):
    """A token as listed: never its secret nor its hash."""

    id: str
    user_id: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: datetime | None
    revoked_by: str | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once: send as `Authorization: Bearer <token>`.")


def _events_schema(schema: JsonDict) -> None:
    """`events`: event kinds, or `["*"]` alone."""
    _plain_text_schema(schema)
    kinds: list[JsonValue] = [str(k) for k in EventKind]
    schema["anyOf"] = [
        {"properties": {"events": {"type": "array", "items": {"enum": kinds}}}},
        {"properties": {"events": {"type": "array", "maxItems": 1, "items": {"const": "*"}}}},
    ]


class WebhookIn(Strict):
    model_config = ConfigDict(json_schema_extra=_events_schema)

    url: Annotated[
        str,
        Field(
            min_length=1,
            max_length=2000,
            pattern=WEBHOOK_URL,
            description="Where to POST: http:// or https:// with a host.",
        ),
    ]
    events: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=40)]],
        Field(
            min_length=1,
            max_length=40,
            description='Event kinds (e.g. "opened", "escalated", "resolved"), or ["*"] for all.',
        ),
    ]
    secret: Annotated[
        str | None,
        Field(
            min_length=16,
            max_length=200,
            pattern=r"^[ -~]*$",
            description="Printable ASCII. Signs every delivery; a random one is made when absent.",
        ),
    ] = None


class WebhookOut(BaseModel):
    """A webhook subscription as listed: never its secret."""

    id: str
    url: str
    events: list[str]
    active: bool
    created_by: str
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="Shown once: verify X-Tierdesk-Signature with it (see docs/api.md)."
    )


class SessionOut(BaseModel):
    """One of the caller's active browser sessions (sign-ins)."""

    id: str
    created_at: datetime
    last_seen_at: datetime | None = Field(description="Updated at most once a minute.")
    expires_at: datetime
    user_agent: str | None = Field(description="The browser's User-Agent at sign-in.")
    address: str | None = Field(description="The client address at sign-in.")
    current: bool = Field(description="True for the session of this request.")


class Health(BaseModel):
    status: Literal["ok"]
