"""The one error tree. Every error tierdesk raises on purpose is a `TierdeskError`.

`TierdeskError` carries a stable `code` (it never changes once published: entry points map it to
an HTTP problem, an HTML page or a CLI exit code), a `message` fit to show a person that names
what is wrong and where, and `data`: the facts (field, value, what is known) a caller needs to
correct the input. Its branches say how to answer:

- `DomainError` (here): the pure core refuses bad input. They are `ValueError`s too.
- `tierdesk.services.errors.ServiceError`: a command is refused (not found, forbidden, conflict,
  rejected, invalid input).
- the policy loader's `PolicyError`, the planning and SOP input errors, the adapters' database
  and model-file errors.

The web layer (`tierdesk.web.errors`) and the CLI (`tierdesk.cli.errors`) each have one
translator for the whole tree. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar


class TierdeskError(Exception):
    """Base of every tierdesk error: a stable `code`, a readable `message` and `data`."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data: dict[str, Any] = data

    def to_json(self) -> dict[str, Any]:
        """`{"code", "message", **data}`: what an API or `--json` output shows."""
        return {"code": self.code, "message": self.message, **self.data}


class DomainError(TierdeskError, ValueError):
    """Base of the domain's errors: bad input the pure core refuses."""

    code: ClassVar[str] = "domain_error"


class InvalidValueError(DomainError):
    """A value is wrong; `data["field"]` names it."""

    code = "invalid_value"

    def __init__(self, field: str, message: str, **data: Any) -> None:
        super().__init__(f"{field}: {message}", field=field, **data)


class NaiveDatetimeError(InvalidValueError):
    """A datetime without a time zone: the domain never guesses one."""

    code = "naive_datetime"

    def __init__(self, field: str, value: object) -> None:
        super().__init__(
            field,
            f"must be timezone-aware (e.g. 2026-02-13T17:00:00+08:00), got naive {value}",
            value=str(value),
        )


class UnknownReferenceError(DomainError):
    """A name the policy does not define (a role, an action, a matrix row or level)."""

    code = "unknown_reference"

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        names = tuple(known)
        listed = ", ".join(names) if names else "none"
        super().__init__(
            f"unknown {kind} {name!r}; the policy defines: {listed}",
            kind=kind,
            name=name,
            known=list(names),
        )


class CurrencyMismatchError(DomainError):
    """An amount in one currency compared with limits in another: never converted silently."""

    code = "currency_mismatch"

    def __init__(self, what: str, expected: str, got: str) -> None:
        super().__init__(
            f"{what}: the amount is in {got} but the policy's limits are in {expected}; "
            f"convert it to {expected} first",
            what=what,
            expected=expected,
            got=got,
        )
