"""Fixtures for the storage adapter: fresh SQLite and PostgreSQL databases, and `uow_factory`,
which runs one contract test on the in-memory fakes and on both databases.

PostgreSQL comes from TIERDESK_TEST_POSTGRES_URL: each test module gets its own schema
(dropped afterwards) and every test starts from empty tables. Without the URL the PostgreSQL
tests skip, unless TIERDESK_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from db_records import BACKENDS, SQL_BACKENDS

from tierdesk import bootstrap
from tierdesk.adapters.db import Database
from tierdesk.adapters.db.tables import metadata
from tierdesk.services.ports import UnitOfWork
from tierdesk.testing.memory import MemoryStore


def postgres_server_url() -> str:
    """The test server's URL; skips (or fails when PostgreSQL is required) without one."""
    url = os.environ.get("TIERDESK_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    message = "TIERDESK_TEST_POSTGRES_URL is not set"
    if os.environ.get("TIERDESK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message}, but TIERDESK_REQUIRE_POSTGRES=1 requires PostgreSQL")
    pytest.skip(message)


def with_search_path(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema`."""
    parsed = sa.make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A migrated, private schema on the test server for this module."""
    server = postgres_server_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sa.make_url(server).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(server, schema)
    try:
        bootstrap.upgrade_database(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _empty(db: Database) -> None:
    # DELETE, not TRUNCATE: on a few rows it is ten times faster (no new files to fsync).
    with db.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[Database]:
    """A PostgreSQL database with the newest schema and no rows."""
    db = bootstrap.open_database(postgres_url)
    _empty(db)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file to copy (migrating once per session saves time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    bootstrap.upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """The URL of a fresh, migrated SQLite file of this test."""
    path = tmp_path / "tierdesk.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """A fresh SQLite file database with the newest schema."""
    db = bootstrap.open_database(sqlite_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(params=SQL_BACKENDS)
def sql_db(request: pytest.FixtureRequest) -> Database:
    """Each real database in turn."""
    db: Database = request.getfixturevalue(f"{request.param}_db")
    return db


@pytest.fixture(params=BACKENDS)
def uow_factory(request: pytest.FixtureRequest) -> Callable[[], UnitOfWork]:
    """The in-memory fakes, SQLite and PostgreSQL in turn: one contract, three stores."""
    if request.param == "memory":
        return MemoryStore().uow
    db: Database = request.getfixturevalue(f"{request.param}_db")
    return db.uow
