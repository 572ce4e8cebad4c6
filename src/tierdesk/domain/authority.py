"""Authority (R-AUTH-1..3): may this role grant this recovery action, and if not, who may?

`may(role, action, amount, rules)` reads the policy's authority table (`rules.authority`: the
ladder of roles from least to most authority, and per action the most each role may grant on its
own) and answers `Allowed`, `NeedsApproval(by=...)` naming the lowest role on the ladder that
may, or `Denied` when nobody on the ladder may. Money is compared in the action's currency only;
an amount in another currency is refused (`CurrencyMismatchError`): convert it first. Percent
actions take a percentage (15 means 15%). Yes/no actions (apology, expedited shipping, full
refund, exception) take no amount.

Exceptions (R-AUTH-3) are never granted alone: `may` answers `NeedsApproval` for them (the
approvals service records the named approver and the justification). Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tierdesk.domain.errors import (
    CurrencyMismatchError,
    InvalidValueError,
    UnknownReferenceError,
)
from tierdesk.domain.model import Money, money_text
from tierdesk.domain.rulebook import ActionLimit, Authority, Rulebook

EXCEPTION = "exception"

Amount = Money | Decimal | int | str | None


@dataclass(frozen=True)
class Allowed:
    """`role` may grant the action on its own."""

    role: str
    action: str
    reason: str


@dataclass(frozen=True)
class NeedsApproval:
    """`role` may not grant it alone; `by` is the lowest role on the ladder that may."""

    role: str
    action: str
    by: str
    reason: str


@dataclass(frozen=True)
class Denied:
    """Nobody on the ladder may grant it."""

    role: str
    action: str
    reason: str


Verdict = Allowed | NeedsApproval | Denied


def may(role: str, action: str, amount: Amount, rules: Rulebook) -> Verdict:
    """Whether `role` may grant `action` of `amount` (R-AUTH-1/2).

    `amount`: for money actions `Money` (or a bare number, meaning the action's currency); for
    percent actions the percentage; None for yes/no actions. Raises `UnknownReferenceError` for a
    role or action the policy does not define, `CurrencyMismatchError` for money in another
    currency, `InvalidValueError` for a missing, negative or misplaced amount.
    """
    auth = rules.authority
    _require_role(auth, role, "role")
    limit = _action(auth, action)
    value = _value(limit, amount)
    shown = _show(limit, value)
    able = [r for r in auth.ladder if _grants(limit, r, value)]
    if action == EXCEPTION:
        return _exception_verdict(auth, role, able)
    if role in able:
        return Allowed(role, action, f"{role} may grant {shown} (R-AUTH-2)")
    if not able:
        return Denied(role, action, f"no role on the ladder may grant {shown}")
    by = able[0]
    why = f"{shown} is beyond {role}'s authority{_limit_note(limit, role)}: {by} approves"
    return NeedsApproval(role, action, by, why)


def _exception_verdict(auth: Authority, role: str, able: list[str]) -> Verdict:
    """An exception always needs a named approver: at the requester's level or above."""
    rank = auth.rank(role)
    above = [r for r in able if auth.rank(r) >= rank]
    if not above:
        return Denied(role, EXCEPTION, "no role at or above " + role + " may approve exceptions")
    why = "an exception to the SOP needs a named approver and a justification (R-AUTH-3)"
    return NeedsApproval(role, EXCEPTION, above[0], why)


def role_limit(limit: ActionLimit, role: str) -> Decimal | None:
    """The most `role` may grant of the action on its own, as the policy's authority table
    says it: None when the role may not grant it at all, `Decimal("Infinity")` for no limit,
    1 for a yes/no action it may grant. The one reading of the table: `may` enforces it, the
    printed SOP prints it and the services show it per ticket."""
    if role not in dict(limit.limits):
        return None
    cap = limit.limit(role)
    if cap <= 0:
        return None
    return Decimal(1) if limit.unit == "flag" else cap


def _grants(limit: ActionLimit, role: str, value: Decimal | None) -> bool:
    cap = role_limit(limit, role)
    if cap is None:
        return False
    return value is None or value <= cap


def _require_role(auth: Authority, role: str, field: str) -> None:
    if role not in auth.ladder:
        raise UnknownReferenceError(f"{field} (not on the authority ladder)", role, auth.ladder)


def _action(auth: Authority, action: str) -> ActionLimit:
    found = auth.action(action)
    if found is None:
        raise UnknownReferenceError("action", action, (a.action for a in auth.actions))
    return found


def _value(limit: ActionLimit, amount: Amount) -> Decimal | None:
    """The amount as a number in the action's unit, checked."""
    if limit.unit == "flag":
        if amount is not None:
            raise InvalidValueError("amount", f"{limit.action} is a yes/no action: give no amount")
        return None
    if amount is None:
        raise InvalidValueError("amount", f"{limit.action} needs an amount ({limit.unit})")
    if isinstance(amount, Money):
        if limit.unit != "money":
            raise InvalidValueError("amount", f"{limit.action} is a percentage, not money")
        if amount.currency != limit.currency:
            raise CurrencyMismatchError(limit.action, limit.currency, amount.currency)
        number = amount.amount
    else:
        number = _decimal(amount)
    if not number.is_finite() or number <= 0:
        raise InvalidValueError("amount", "must be a positive number", value=str(number))
    if limit.unit == "percent" and number > 100:
        raise InvalidValueError("amount", "a percentage is at most 100", value=str(number))
    return number


def _decimal(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, bool):
        raise InvalidValueError("amount", "is a yes/no value, not a number")
    try:
        return Decimal(str(amount).strip().rstrip("%"))
    except InvalidOperation:
        raise InvalidValueError("amount", "is not a number", value=str(amount)) from None


def _show(limit: ActionLimit, value: Decimal | None) -> str:
    name = limit.action.replace("_", " ")
    if value is None:
        return name
    if limit.unit == "money":
        return f"a {name} of {money_text(value, limit.currency)}"
    return f"a {name} of {value}%"


def _limit_note(limit: ActionLimit, role: str) -> str:
    if limit.unit == "flag" or role not in dict(limit.limits):
        return ""
    cap = limit.limit(role)
    shown = money_text(cap, limit.currency) if limit.unit == "money" else f"{cap}%"
    return f" (up to {shown})"
