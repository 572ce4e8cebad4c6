"""Customer search through its indexes (issue 15): SQLite FTS5 trigram tables and PostgreSQL
pg_trgm GIN indexes (migration 0011), kept in step with inserts, merges and name changes, with
the same answers as the in-memory store; substrings shorter than 3 characters (no trigram)
are read with LIKE. The plans show the index, not a scan of customers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from db_records import at, customer
from test_db_query_plans import plan, recorded

from tierdesk.adapters.db import Database
from tierdesk.services.ports import IdentityRecord, UnitOfWork

Factory = Callable[[], UnitOfWork]


def _identity(kind: str, value: str, customer_id: str) -> IdentityRecord:
    return IdentityRecord(kind=kind, value=value, customer_id=customer_id, created_at=at(0))  # type: ignore[arg-type]


def _seed(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_chen", name="陳美玲", created_at=at(1)))
        uow.customers.add(customer("c_lin", name="Kai LIN", created_at=at(2)))
        uow.customers.add(customer("c_quote", name='The "Best" Shop', created_at=at(3)))
        uow.customers.add(customer("c_old", name="Old Account", created_at=at(4)))
        uow.customers.add_identity(_identity("email", "meiling@example.com.tw", "c_chen"))
        uow.customers.add_identity(_identity("phone", "0912345678", "c_lin"))
        uow.customers.add_identity(_identity("line", "Ua1b2c3d4e5", "c_lin"))
        uow.customers.add_identity(_identity("email", "moved@old.example", "c_old"))
        uow.commit()
    with uow_factory() as uow:
        uow.customers.merge("c_old", "c_chen")  # its email now finds c_chen
        uow.commit()


CASES = {
    "美玲": ["c_chen"],  # 2 characters: LIKE
    "陳美玲": ["c_chen"],  # a Chinese name by trigrams
    "MEILING@": ["c_chen"],
    "moved@old": ["c_chen"],  # moved over by the merge
    "old account": [],  # the merged customer is left out
    "a1b2c3": ["c_lin"],  # a LINE id
    "kai lin": ["c_lin"],
    "345678": ["c_lin"],  # a phone
    "56": ["c_lin"],
    '"best"': ["c_quote"],  # quotes are text, not FTS syntax
    "best OR kai": [],
    "zzqx": [],
    "example": ["c_chen"],
}


def test_search_answers_alike_on_every_store(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        found = {q: [c.id for c in uow.customers.search(q).items] for q in CASES}
    assert found == CASES


def test_the_index_follows_a_change_of_name(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        uow.customers.save(replace(customer("c_lin", name="Kai Wong", created_at=at(2))))
        uow.commit()
    with uow_factory() as uow:
        assert [c.id for c in uow.customers.search("wong").items] == ["c_lin"]
        assert [c.id for c in uow.customers.search("kai lin").items] == []
        assert [c.id for c in uow.customers.search("a1b2c3").items] == ["c_lin"]


@pytest.mark.parametrize("q", ["meiling", "zzqx"])
def test_search_reads_the_index(sql_db: Database, q: str) -> None:
    _seed(sql_db.uow)
    with recorded(sql_db) as seen, sql_db.uow() as uow:
        uow.customers.search(q)
    explained = plan(sql_db, *seen[0], bitmaps=True)
    if sql_db.engine.dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in explained, explained
        assert "customer_fts" in explained and "customer_name_fts" in explained, explained
        assert "SCAN customers" not in explained and "SCAN customer_identities" not in explained
    else:
        assert "ix_trgm_customers_name" in explained, explained
        assert "ix_trgm_customer_identities_value" in explained, explained
