"""Migrations, the composition-root functions and the `tierdesk db` commands."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from db_records import SQL_BACKENDS, customer, ticket
from typer.testing import CliRunner

from tierdesk import bootstrap
from tierdesk.adapters.db import Database, NaiveDatetimeError, head_revision
from tierdesk.adapters.db.migrate import alembic_config
from tierdesk.adapters.db.tables import in_metadata, metadata
from tierdesk.cli.main import app

# Full-text search indexes live outside `metadata` (tables.SEARCH_INDEX_PREFIXES).
COMPARE: dict[str, Any] = {"compare_type": True, "include_name": in_metadata}
# Migrations that add only such indexes (on both databases): revision -> some of them.
OUTSIDE_METADATA = {
    "0010": {"ix_keyset_customers", "ix_keyset_tickets_assignee"},
    "0011": {"customer_fts", "customer_name_fts", "ix_trgm_customers_name"},  # either db
}


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_the_migrated_schema_is_exactly_the_tables_module(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(f"{backend}_db")
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=COMPARE)
        diff = compare_metadata(context, metadata)
    assert diff == []


def _revisions() -> list[tuple[str, str]]:
    """(revision, the one before it) of every packaged migration after the first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    steps = [(s.revision, s.down_revision) for s in scripts.walk_revisions()]
    return sorted((rev, str(down)) for rev, down in steps if down is not None)


@pytest.mark.parametrize("backend", SQL_BACKENDS)
@pytest.mark.parametrize(("revision", "before"), _revisions())
def test_each_migration_steps_down_and_up_again_to_exactly_the_tables_module(
    backend: str, revision: str, before: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(f"{backend}_db")

    def schema_diff() -> list[Any]:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts=COMPARE)
            return list(compare_metadata(context, metadata))

    try:
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), before)
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == before
        if revision in OUTSIDE_METADATA:  # what it adds is left out of the comparison
            assert not _outside(db) & OUTSIDE_METADATA[revision]
        else:
            assert schema_diff() != []  # the step down removed what `revision` adds
    finally:
        with db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    assert schema_diff() == []
    if revision in OUTSIDE_METADATA:
        assert OUTSIDE_METADATA[revision] & _outside(db)


def _outside(db: Database) -> set[str]:
    """Names of the tables and indexes outside `metadata` (tables.SEARCH_INDEX_PREFIXES)."""
    inspector = sa.inspect(db.engine)
    tables = inspector.get_table_names()
    names = {i["name"] for t in tables for i in inspector.get_indexes(t)} | set(tables)
    return {str(n) for n in names if n and not in_metadata(str(n), "index", None)}


def test_the_schema_comparison_notices_a_column_the_migrations_lack(sqlite_db: Database) -> None:
    changed = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["tickets"].append_column(sa.Column("mood", sa.String(16)))
    with sqlite_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=COMPARE), changed)
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "mood")]


def test_upgrade_creates_the_file_and_running_it_again_changes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path}/new/dir/t.db"
    assert bootstrap.database_revision(url) == (None, head_revision())
    assert not (tmp_path / "new").exists()  # asking does not create the database
    with caplog.at_level(logging.INFO, logger="tierdesk.db"):
        assert bootstrap.upgrade_database(url) == head_revision()
        assert bootstrap.upgrade_database(url) == head_revision()
    assert bootstrap.database_revision(url) == (head_revision(), head_revision())
    # the step is logged once, when there was one
    assert [r.getMessage() for r in caplog.records if r.name == "tierdesk.db"] == [
        f"database {url} upgraded: empty -> {head_revision()}"
    ]


def test_opening_a_database_that_was_not_upgraded_says_what_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    with pytest.raises(bootstrap.SchemaNotCurrentError, match="run `tierdesk db upgrade`"):
        bootstrap.open_database(url)
    sa.create_engine(url).connect().close()  # an empty file is not a database either
    with pytest.raises(bootstrap.SchemaNotCurrentError, match=r"\(none\)"):
        bootstrap.open_database(url)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "not a url"])
def test_an_unusable_url_is_refused_by_name(url: str) -> None:
    with pytest.raises(bootstrap.DatabaseUrlError):
        bootstrap.open_database(url)


def test_the_default_database_is_a_sqlite_file_under_var(tmp_path: Path) -> None:
    url = bootstrap.default_database_url(tmp_path)
    assert url == f"sqlite:///{tmp_path.resolve()}/var/tierdesk.db"
    assert (tmp_path / "var").is_dir()


def test_sqlite_connections_are_durable_wal_with_foreign_keys(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


def test_a_naive_datetime_is_refused_before_it_is_stored(sql_db: Database) -> None:
    naive = replace(customer("c_1"), created_at=datetime(2025, 3, 4, 2, 0))  # noqa: DTZ001
    with sql_db.uow() as uow, pytest.raises(sa.exc.StatementError) as err:
        uow.customers.add(naive)
    assert isinstance(err.value.orig, NaiveDatetimeError)
    assert "naive datetime 2025-03-04T02:00:00" in str(err.value)


def test_a_foreign_key_is_checked_at_commit(sql_db: Database) -> None:
    with sql_db.uow() as uow:
        uow.tickets.add(ticket("t_1", customer_id="c_missing"))
        with pytest.raises(sa.exc.IntegrityError):
            uow.commit()


def test_the_db_commands_upgrade_and_report_the_revision(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path}/cli.db"
    behind = runner.invoke(app, ["db", "current", "--database-url", url])
    upgraded = runner.invoke(app, ["db", "upgrade"], env={"TIERDESK_DATABASE_URL": url})
    current = runner.invoke(app, ["db", "current", "--database-url", url])
    bad = runner.invoke(app, ["db", "upgrade", "--database-url", "mysql://x/y"])
    assert (behind.exit_code, upgraded.exit_code, current.exit_code, bad.exit_code) == (1, 0, 0, 2)
    assert "tierdesk db upgrade" in behind.output
    assert f"revision {head_revision()}" in upgraded.output
    assert current.output.startswith(head_revision())
