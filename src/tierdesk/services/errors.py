"""Errors the services raise. Each carries a stable `code` and `data` (JSON-able).

One family per way to answer: `NotFound` (HTTP 404), `Forbidden` (403), `Conflict` (409: the
state moved on or does not allow the command), `Rejected` (422: a rule refuses the command as
asked, e.g. identity not verified), `InvalidInput` (422: a value is wrong; `data["field"]` names
it). Entry points translate by family and show `code` and the message; a failed command changed
nothing (its unit of work was rolled back).
"""

from __future__ import annotations

from typing import Any, ClassVar

from tierdesk.domain.errors import TierdeskError


class ServiceError(TierdeskError):
    """Base of every service error: `code` is stable, `message` is fit to show a user."""

    code: ClassVar[str] = "service_error"


class NotFound(ServiceError):  # noqa: N818 - reads as the answer: "not found"
    code = "not_found"

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident!r} does not exist", what=what, id=ident)


class Forbidden(ServiceError):  # noqa: N818
    code = "forbidden"


class InsufficientAuthority(Forbidden):
    """The user's role may not do this (R-AUTH): `data["required_role"]` says who may."""

    code = "insufficient_authority"


class Conflict(ServiceError):  # noqa: N818
    code = "conflict"


class StaleVersion(Conflict):
    """The command was based on an old version of the ticket; nothing was changed."""

    code = "stale_version"

    def __init__(self, ticket_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"ticket {ticket_id} is at version {actual}, not {expected}: reload and retry",
            ticket_id=ticket_id,
            expected_version=expected,
            actual_version=actual,
        )


class InvalidTransition(Conflict):
    """The ticket's status does not allow the command (e.g. reply to a closed ticket)."""

    code = "invalid_transition"


class Rejected(ServiceError):  # noqa: N818
    code = "rejected"


class IdentityNotVerified(Rejected):
    """R-PROC-2: account actions need the customer's identity verified first."""

    code = "identity_not_verified"


class PolicyNotAcknowledged(Rejected):
    """R-DOC-3: an agent must acknowledge the effective policy version before taking tickets."""

    code = "policy_not_acknowledged"


class TierMismatch(Rejected):
    """The ticket's tier is above the agent's (R-TIER-1: route by complexity)."""

    code = "tier_mismatch"


class ApprovalRequired(Rejected):
    """R-AUTH-2: the action is above the user's authority and has no matching approval."""

    code = "approval_required"


class UnfilledPlaceholders(Rejected):
    """R-TPL-1: a reply still holds placeholders (`data["placeholders"]`); nothing was sent."""

    code = "unfilled_placeholders"


class WrongTier(Forbidden):
    """R-TIER-1: the ticket is in another tier (`data["tier"]`); only that tier or a lead and
    above may act on it."""

    code = "wrong_tier"


class InvalidInput(ServiceError):  # noqa: N818
    """A value is wrong; `data["field"]` names it."""

    code = "invalid_input"

    def __init__(self, field: str, message: str, **data: Any) -> None:
        super().__init__(f"{field}: {message}", field=field, **data)


class SurveyAnswered(Conflict):
    """The survey was answered already: a survey is answered once."""

    code = "survey_answered"


class SurveyExpired(Rejected):
    """The survey link is older than the policy's `surveys.expires_after`."""

    code = "survey_expired"


class UsernameTaken(Conflict):
    code = "username_taken"


class IdentityTaken(Conflict):
    """The email/phone/LINE id belongs to another customer: `data["customer_id"]` (merge them)."""

    code = "identity_taken"


class PolicyTooComplex(InvalidInput):
    """The policy text is too large, nested too deep or its aliases expand too far to be read
    (`data["findings"]` names the line)."""

    code = "policy_too_complex"


class IdempotencyKeyReused(InvalidInput):
    """An Idempotency-Key sent again with a different request: refused (the first request's
    ticket is kept unchanged), as payment APIs do."""

    code = "idempotency_key_reused"


class UnsafeUrl(InvalidInput):
    """A URL that names or resolves to a loopback, private, link-local (cloud metadata),
    multicast or reserved address: an outgoing request must not reach the internal network."""

    code = "unsafe_url"


class Undeliverable(ServiceError):  # noqa: N818 - reads as the outcome
    """A send refused for good (e.g. a webhook URL that resolves to a private address):
    the outbox marks the message dead at once instead of retrying."""

    code = "undeliverable"
