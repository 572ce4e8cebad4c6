"""Schema migrations with Alembic, configured in code (the scripts ship inside the package in
`migrations/`; no alembic.ini is needed at run time).

`upgrade(url)` brings a database to the newest revision (creating a SQLite file and its
directory when missing); running it again changes nothing. On PostgreSQL it holds an advisory
lock, so two processes upgrading at once take turns instead of both creating tables.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tierdesk.adapters.db.database import (
    DatabaseUnavailableError,
    make_engine,
    safe_url,
    sqlite_path,
)

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x7469657264657368  # "tierdesh": any fixed 64-bit number shared by all upgraders


log = logging.getLogger("tierdesk.db")


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic Config for the packaged scripts (running on `connection` when given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def upgrade(url: str) -> None:
    """Migrate the database at `url` to the newest revision (idempotent); logs the step
    (from -> to) when there was one, read under the same lock: of two processes upgrading at
    once, only the one that did the work logs it."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            before = MigrationContext.configure(conn).get_current_revision()
            command.upgrade(alembic_config(conn), "head")
            after = MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise _unavailable(url, exc) from exc
    finally:
        engine.dispose()
    if after != before:
        log.info("database %s upgraded: %s -> %s", safe_url(url), before or "empty", after)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at; None when it was never migrated (a missing
    SQLite file is not created)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise _unavailable(url, exc) from exc
    finally:
        engine.dispose()


def _unavailable(url: str, exc: sa.exc.OperationalError) -> DatabaseUnavailableError:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    return DatabaseUnavailableError(f"cannot use the database {safe_url(url)}: {reason}")
