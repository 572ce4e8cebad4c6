"""The SQL storage adapter: the ports of `tierdesk.services.ports` on SQLAlchemy Core, for
SQLite (default, one file) and PostgreSQL (psycopg 3), with Alembic migrations.

    upgrade(url)              # create or migrate the schema to the newest revision
    db = Database(url)        # db.uow() is the services' unit-of-work factory
    current_revision(url)     # None when never migrated
"""

from tierdesk.adapters.db.database import (
    Database,
    DatabaseUnavailableError,
    DatabaseUrlError,
    SqlUnitOfWork,
    safe_url,
)
from tierdesk.adapters.db.migrate import current_revision, head_revision, upgrade
from tierdesk.adapters.db.types import NaiveDatetimeError

__all__ = [
    "Database",
    "DatabaseUnavailableError",
    "DatabaseUrlError",
    "NaiveDatetimeError",
    "SqlUnitOfWork",
    "current_revision",
    "head_revision",
    "safe_url",
    "upgrade",
]
