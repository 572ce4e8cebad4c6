"""The seed 003 decision matrix (R-ESC-6): who decides a case of a matrix row.

A row is decided by an amount (bands, [min, max) in the row's currency) or by a severity level
(which a signal can set: `level_from_signals`). Standard library only.

Not yet called by the engine, on purpose: nothing on a ticket names its matrix row (the policy
maps categories to tiers and priorities, not to matrix rows), so there is no case to decide
until the policy says which row a ticket is; the printed SOP prints the matrix from the policy.
Wiring it in is a policy-schema change (a category's `matrix_row`), with the approvals'
decider order (issue 8) as its consumer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tierdesk.domain.errors import CurrencyMismatchError, InvalidValueError, UnknownReferenceError
from tierdesk.domain.model import Money, Signal, money_text
from tierdesk.domain.rulebook import AmountBand, MatrixRow, Rulebook


@dataclass(frozen=True)
class MatrixDecision:
    """Who decides a case of a matrix row, and why. `band` or `level` says which cell."""

    row: str
    role: str
    reason: str
    band: AmountBand | None = None
    level: str | None = None


def matrix_decision(
    row_id: str, amount_or_level: Money | Decimal | int | str, rules: Rulebook
) -> MatrixDecision:
    """The role that decides a case of matrix row `row_id` (R-ESC-6).

    A row with amount bands takes an amount: `Money` in the row's currency (the policy's
    authority currency when the row names none) or a bare number in that currency; bands are
    [min, max). A row with severity levels takes a level id. Raises `UnknownReferenceError` for
    an unknown row or level, `CurrencyMismatchError` for money in another currency and
    `InvalidValueError` for a negative amount or the wrong kind of value for the row.
    """
    row = next((r for r in rules.matrix if r.id == row_id), None)
    if row is None:
        raise UnknownReferenceError("matrix row", row_id, (r.id for r in rules.matrix))
    if isinstance(amount_or_level, str):
        return _by_level(row, amount_or_level)
    return _by_amount(row, amount_or_level, row.currency or rules.authority.currency)


def level_from_signals(row_id: str, signals: Iterable[Signal], rules: Rulebook) -> str | None:
    """The most severe level of matrix row `row_id` that one of `signals` puts a case at
    (e.g. media_mention -> social_media), or None when no level names any of them.

    Raises `UnknownReferenceError` for an unknown row.
    """
    row = next((r for r in rules.matrix if r.id == row_id), None)
    if row is None:
        raise UnknownReferenceError("matrix row", row_id, (r.id for r in rules.matrix))
    present = set(signals)
    order = [lv[0] for lv in row.levels]
    hits = [level for level, signal in row.level_signals if signal in present]
    return max(hits, key=order.index) if hits else None


def _by_level(row: MatrixRow, level_id: str) -> MatrixDecision:
    if not row.levels:
        raise InvalidValueError("amount_or_level", f"matrix row {row.id} is decided by an amount")
    found = next((lv for lv in row.levels if lv[0] == level_id), None)
    if found is None:
        raise UnknownReferenceError(f"level of {row.id}", level_id, (lv[0] for lv in row.levels))
    _, role, label = found
    reason = f"R-ESC-6: {row.label.get('en')}, {label.get('en')}: {role} decides"
    return MatrixDecision(row.id, role, reason, level=level_id)


def _by_amount(row: MatrixRow, value: Money | Decimal | int, currency: str) -> MatrixDecision:
    if not row.bands:
        raise InvalidValueError("amount_or_level", f"matrix row {row.id} is decided by a level")
    amount = Money(Decimal(value), currency) if not isinstance(value, Money) else value
    if amount.currency != currency:
        raise CurrencyMismatchError(f"matrix row {row.id}", currency, amount.currency)
    if amount.amount < 0:
        raise InvalidValueError("amount_or_level", "must not be negative", value=str(amount.amount))
    band = next(
        (
            b
            for b in row.bands
            if b.low <= amount.amount and (b.high is None or amount.amount < b.high)
        ),
        None,
    )
    if band is None:  # only below the lowest band: the checker allows no gaps
        raise InvalidValueError("amount_or_level", f"{amount} is below every band of {row.id}")
    span = (
        f"{money_text(band.low, currency)} and over"
        if band.high is None
        else (f"{money_text(band.low, currency)} to under {money_text(band.high, currency)}")
    )
    reason = f"R-ESC-6: {row.label.get('en')}, {amount} is in the band {span}: {band.role} decides"
    return MatrixDecision(row.id, band.role, reason, band=band)
