"""Customers, users, policy and model versions on SQLAlchemy Core (their ports in
`tierdesk.services.ports`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.tables import (
    acknowledgements,
    customer_identities,
    customers,
    model_versions,
    policy_versions,
    users,
)
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.paging import cut
from tierdesk.services.ports import (
    AcknowledgementRecord,
    CustomerPage,
    CustomerRecord,
    IdentityRecord,
    ModelVersionRecord,
    PolicyVersionRecord,
    UserRecord,
)

_C, _I, _U, _P, _A = (
    customers.c,
    customer_identities.c,
    users.c,
    policy_versions.c,
    acknowledgements.c,
)


# The statements of intake, built once so that SQLAlchemy reuses their cache key and compiled
# form (building a `select(customers)` costs more than running it).
_CUSTOMER = sa.select(customers).where(_C.id == sa.bindparam("p_id"))
_NAMES = sa.select(_C.id, _C.name).where(_C.id.in_(sa.bindparam("p_ids", expanding=True)))
_BY_IDENTITY = (
    sa.select(customers)
    .join(customer_identities, _I.customer_id == _C.id)
    .where(_I.kind == sa.bindparam("p_kind"), _I.value == sa.bindparam("p_value"))
)
_IDENTITIES = (
    sa.select(customer_identities)
    .where(_I.customer_id == sa.bindparam("p_customer"))
    .order_by(_I.row_id)
)
# Every request reads its user (authentication, then the service's role check).
_USER_BY_ID = sa.select(users).where(_U.id == sa.bindparam("p_value"))
_USER_BY_USERNAME = sa.select(users).where(_U.username == sa.bindparam("p_value"))
_EFFECTIVE = (
    sa.select(policy_versions).where(_P.status == "effective").order_by(_P.number.desc()).limit(1)
)


# SQLite's full-text tables of customer search (migration 0011; not in `metadata`).
_FTS = sa.table("customer_fts", sa.column("customer_id", sa.String))
_NAME_FTS = sa.table("customer_name_fts", sa.column("customer_id", sa.String))


def _matches(table: str, phrase: str) -> sa.ColumnElement[bool]:
    """`table MATCH phrase` (FTS5: every column of the row)."""
    return sa.literal_column(table).op("MATCH", is_comparison=True)(phrase)


@functools.cache
def _merged(postgres: bool) -> sa.Select[Any]:
    customer_id = _C.id.collate("C") if postgres else _C.id
    return (
        sa.select(_C.id)
        .where(_C.merged_into == sa.bindparam("p_target"))
        .order_by(_C.created_at, customer_id)
    )


@functools.cache
def _users_by_name(postgres: bool, by_role: bool) -> sa.Select[Any]:
    """Users by username (bytewise), of role `p_role` when `by_role`; built once."""
    query = sa.select(users).order_by(_U.username.collate("C") if postgres else _U.username)
    return query.where(_U.role == sa.bindparam("p_role")) if by_role else query


def update_by_id(tx: Tx, table: sa.Table, record: Any) -> int:
    """Replace the row with the record's id; the number of rows changed (0 or 1)."""
    values = to_row(record)
    record_id = values.pop("id")
    return tx.execute(table.update().where(table.c.id == record_id).values(**values)).rowcount


class SqlCustomers:
    """CustomerRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, customer: CustomerRecord) -> None:
        self._tx.insert(customers, to_row(customer))

    def get(self, customer_id: str) -> CustomerRecord | None:
        found = self._tx.execute(_CUSTOMER, {"p_id": customer_id}).mappings().first()
        return None if found is None else from_row(CustomerRecord, found)

    def get_many(self, customer_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        ids = list(dict.fromkeys(customer_ids))
        if not ids:
            return {}
        query = sa.select(customers).where(customers.c.id.in_(ids))
        rows = self._tx.execute(query).mappings()
        return {r["id"]: from_row(CustomerRecord, r) for r in rows}

    def names(self, customer_ids: Sequence[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(customer_ids))
        if not ids:
            return {}
        rows = self._tx.execute(_NAMES, {"p_ids": ids})
        return {r.id: r.name for r in rows}

    def save(self, customer: CustomerRecord) -> None:
        update_by_id(self._tx, customers, customer)

    def add_identity(self, identity: IdentityRecord) -> None:
        self._tx.insert(customer_identities, to_row(identity))

    def find_by_identity(self, kind: str, value: str) -> CustomerRecord | None:
        params = {"p_kind": kind, "p_value": value}
        found = self._tx.execute(_BY_IDENTITY, params).mappings().first()
        return None if found is None else from_row(CustomerRecord, found)

    def identities(self, customer_id: str) -> list[IdentityRecord]:
        rows = self._tx.execute(_IDENTITIES, {"p_customer": customer_id}).mappings()
        return [from_row(IdentityRecord, r) for r in rows]

    def merge(self, source_id: str, target_id: str) -> None:
        self._tx.execute(
            customer_identities.update()
            .where(_I.customer_id == source_id)
            .values(customer_id=target_id)
        )
        changed = self._tx.execute(
            customers.update().where(_C.id == source_id).values(merged_into=target_id)
        ).rowcount
        if changed != 1:
            raise KeyError(f"customer {source_id} not found")

    def merged_ids(self, customer_id: str) -> list[str]:
        query = _merged(self._tx.postgres)
        return list(self._tx.execute(query, {"p_target": customer_id}).scalars())

    def search(
        self, text: str | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> CustomerPage:
        query = sa.select(customers).where(_C.merged_into.is_(None))
        if text:
            query = query.where(self._containing(text))
        found = self._tx.newest_first(query, customers, limit, cursor)
        return CustomerPage(*cut([from_row(CustomerRecord, r) for r in found], limit))

    def _containing(self, text: str) -> sa.ColumnElement[bool]:
        """Customers whose name or an identity contains `text`, ignoring case, read through
        the search indexes of migration 0011: SQLite's trigram FTS5 tables for 3 characters
        or more; PostgreSQL's pg_trgm GIN indexes on name and value, which its planner uses
        for this ILIKE. A shorter `text` on SQLite has no trigram: LIKE, read newest first
        so that the scan stops at the page's last hit."""
        if not self._tx.postgres and len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            return _C.id.in_(
                sa.union_all(  # IN ignores repeats: no sort to remove them
                    sa.select(_NAME_FTS.c.customer_id).where(_matches("customer_name_fts", phrase)),
                    sa.select(_FTS.c.customer_id).where(_matches("customer_fts", phrase)),
                )
            )
        if not self._tx.postgres:
            by_identity = sa.exists().where(
                _I.customer_id == _C.id, _I.value.icontains(text, autoescape=True)
            )
            return sa.or_(_C.name.icontains(text, autoescape=True), by_identity)
        return _C.id.in_(
            sa.union_all(
                sa.select(_C.id).where(_C.name.icontains(text, autoescape=True)),
                sa.select(_I.customer_id).where(_I.value.icontains(text, autoescape=True)),
            )
        )

    def identities_for(self, customer_ids: Sequence[str]) -> list[IdentityRecord]:
        if not customer_ids:
            return []
        query = (
            sa.select(customer_identities)
            .where(_I.customer_id.in_(list(customer_ids)))
            .order_by(_I.row_id)
        )
        return [from_row(IdentityRecord, r) for r in self._tx.execute(query).mappings()]


class SqlUsers:
    """UserRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _one(self, query: sa.Select[Any], value: str) -> UserRecord | None:
        found = self._tx.execute(query, {"p_value": value}).mappings().first()
        return None if found is None else from_row(UserRecord, found)

    def add(self, user: UserRecord) -> None:
        self._tx.insert(users, to_row(user))

    def get(self, user_id: str) -> UserRecord | None:
        return self._one(_USER_BY_ID, user_id)

    def get_by_username(self, username: str) -> UserRecord | None:
        return self._one(_USER_BY_USERNAME, username)

    def save(self, user: UserRecord) -> None:
        update_by_id(self._tx, users, user)

    def search(self, role: str | None = None) -> list[UserRecord]:
        query = _users_by_name(self._tx.postgres, role is not None)
        params = {"p_role": role} if role is not None else None
        return [from_row(UserRecord, r) for r in self._tx.execute(query, params).mappings()]


class SqlPolicies:
    """PolicyVersionRepository (with the acknowledgements of each version)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any]) -> list[PolicyVersionRecord]:
        return [from_row(PolicyVersionRecord, r) for r in self._tx.execute(query).mappings()]

    def add(self, version: PolicyVersionRecord) -> None:
        self._tx.insert(policy_versions, to_row(version))

    def get(self, version_id: str) -> PolicyVersionRecord | None:
        found = self._many(sa.select(policy_versions).where(_P.id == version_id))
        return found[0] if found else None

    def save(self, version: PolicyVersionRecord) -> None:
        update_by_id(self._tx, policy_versions, version)

    def history(self) -> list[PolicyVersionRecord]:
        return self._many(sa.select(policy_versions).order_by(_P.number))

    def effective(self) -> PolicyVersionRecord | None:
        found = self._many(_EFFECTIVE)
        return found[0] if found else None

    def add_acknowledgement(self, ack: AcknowledgementRecord) -> None:
        self._tx.insert(acknowledgements, to_row(ack), ignore=("version_id", "user_id"))

    def acknowledgement(self, version_id: str, user_id: str) -> AcknowledgementRecord | None:
        query = sa.select(acknowledgements).where(
            _A.version_id == version_id, _A.user_id == user_id
        )
        found = self._tx.execute(query).mappings().first()
        return None if found is None else from_row(AcknowledgementRecord, found)

    def acknowledgements(self, version_id: str) -> list[AcknowledgementRecord]:
        query = sa.select(acknowledgements).where(_A.version_id == version_id).order_by(_A.row_id)
        return [from_row(AcknowledgementRecord, r) for r in self._tx.execute(query).mappings()]


_M = model_versions.c
# A version's row without the model's bytes (listing versions reads no model).
_MODEL_ROW = sa.select(*(c for c in model_versions.c if c.name != "payload"))


class SqlModels:
    """ModelVersionRepository: the rows, and the model bytes read only by `payload`."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _many(self, query: sa.Select[Any]) -> list[ModelVersionRecord]:
        return [from_row(ModelVersionRecord, r) for r in self._tx.execute(query).mappings()]

    def add(self, version: ModelVersionRecord, payload: bytes) -> None:
        self._tx.insert(model_versions, {**to_row(version), "payload": payload})

    def get(self, version_id: str) -> ModelVersionRecord | None:
        found = self._many(_MODEL_ROW.where(_M.id == version_id))
        return found[0] if found else None

    def save(self, version: ModelVersionRecord) -> None:
        update_by_id(self._tx, model_versions, version)

    def history(self) -> list[ModelVersionRecord]:
        return self._many(_MODEL_ROW.order_by(_M.number))

    def effective(self) -> ModelVersionRecord | None:
        found = self._many(_MODEL_ROW.where(_M.status == "effective").order_by(_M.number.desc()))
        return found[0] if found else None

    def payload(self, version_id: str) -> bytes | None:
        query = sa.select(_M.payload).where(_M.id == version_id)
        found = self._tx.execute(query).scalar_one_or_none()
        return None if found is None else bytes(found)
