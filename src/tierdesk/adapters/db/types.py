"""Column types that keep the records' promises on both databases.

`UTCDateTime`: aware UTC in and out. SQLite has no time zone type, so the UTC wall time is stored
(fixed-width text that sorts in time order) and read back as aware UTC; PostgreSQL stores
`timestamptz` and hands back the session's zone, which is converted to UTC. A naive datetime is
refused before it reaches the database.

`Amount`: money and percent amounts, exactly as given (`Decimal("500")` comes back as `500`,
`Decimal("500.00")` as `500.00`): an unconstrained NUMERIC on PostgreSQL, which keeps the scale;
on SQLite, whose NUMERIC affinity would turn it into a binary float, the decimal's text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class NaiveDatetimeError(ValueError):
    """A naive datetime was about to be stored."""


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime (see the module doc)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"refusing to store the naive datetime {value.isoformat()}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Amount(sa.types.TypeDecorator[Decimal]):
    """An exact decimal amount (see the module doc)."""

    impl = sa.Numeric(asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"expected a finite Decimal amount, got {value!r}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
