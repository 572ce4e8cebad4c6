"""The database: engine set-up for SQLite and PostgreSQL, and the SQL unit of work.

SQLite (the default, one file): WAL journal with `synchronous=FULL`, because an intake is
acknowledged only once it is durably stored; `busy_timeout` 5 s; foreign keys on; and every
unit of work is a `BEGIN IMMEDIATE` transaction (SQLAlchemy's documented pysqlite recipe: the
driver's own BEGIN is switched off and the `begin` event emits ours). Taking the write lock up
front means two writers queue on the busy timeout instead of deadlocking when both try to
upgrade a read lock. A reader (`Database.reader()`, for queries) begins a deferred transaction
with `PRAGMA query_only` on: it reads a snapshot beside the writer instead of queueing for the
write lock, and any write through it fails. On PostgreSQL a reader is a READ ONLY transaction.

PostgreSQL through psycopg 3 (`postgresql+psycopg://`; a bare `postgresql://` URL is given that
driver). READ COMMITTED; tickets are locked with FOR UPDATE and saves check the version.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import sqlalchemy as sa
from sqlalchemy import event

from tierdesk.adapters.db.errors import as_duplicate
from tierdesk.adapters.db.repo_channels import SqlChannelEvents
from tierdesk.adapters.db.repo_kb import SqlKnowledgeBase
from tierdesk.adapters.db.repo_mail import SqlMail
from tierdesk.adapters.db.repo_notices import SqlIncidents, SqlNotices
from tierdesk.adapters.db.repo_people import SqlCustomers, SqlModels, SqlPolicies, SqlUsers
from tierdesk.adapters.db.repo_qa import SqlQa
from tierdesk.adapters.db.repo_sessions import SqlSessions
from tierdesk.adapters.db.repo_tickets import SqlEvents, SqlTickets
from tierdesk.adapters.db.repo_tokens import SqlTokens
from tierdesk.adapters.db.repo_webhooks import SqlWebhooks
from tierdesk.adapters.db.repo_work import (
    SqlApprovals,
    SqlMessages,
    SqlOutbox,
    SqlSurveys,
    sql_actions,
    sql_calls,
    sql_escalations,
)
from tierdesk.adapters.db.tx import Tx
from tierdesk.domain.errors import TierdeskError
from tierdesk.services.ports import (
    ActionRepository,
    ApiTokenRepository,
    ApprovalRepository,
    CallRepository,
    ChannelEventRepository,
    CustomerRepository,
    EscalationRepository,
    EventLog,
    IncidentRepository,
    KnowledgeBaseRepository,
    MailRepository,
    MessageRepository,
    ModelVersionRepository,
    NoticeRepository,
    OutboxRepository,
    PolicyVersionRepository,
    QaRepository,
    SessionRepository,
    SurveyRepository,
    TicketRepository,
    UserRepository,
    WebhookRepository,
)

Dialect = Literal["sqlite", "postgresql"]
BUSY_TIMEOUT_MS = 5000


class DatabaseUrlError(TierdeskError, ValueError):
    """A database URL this program cannot use."""

    code = "bad_database_url"


class DatabaseUnavailableError(TierdeskError, ValueError):
    """The database cannot be reached (server down, wrong password, unreadable file)."""

    code = "database_unavailable"


def safe_url(url: str) -> str:
    """The URL with its password hidden, fit for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"


def normalize_url(url: str) -> sa.URL:
    """The URL with its driver: psycopg 3 for PostgreSQL. DatabaseUrlError for another
    database, an in-memory SQLite database (each connection would see its own) or junk."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise DatabaseUrlError(
                f"{url!r}: an in-memory SQLite database is not supported; give a file, "
                "e.g. sqlite:///var/tierdesk.db"
            )
        return parsed.set(drivername="sqlite")
    raise DatabaseUrlError(
        f"{url!r}: unsupported database {backend!r}; use sqlite:///FILE or "
        "postgresql+psycopg://USER:PASSWORD@HOST/DB"
    )


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL)."""
    parsed = normalize_url(url)
    return Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" else None


def make_engine(url: str) -> sa.Engine:
    """An engine configured as the module doc says."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Switch off the driver's own (deferred) BEGIN: `_sqlite_begin` emits BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


_READ_ONLY = "tierdesk_read_only"  # execution option of a reader's connection


def _sqlite_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get(_READ_ONLY):
        conn.exec_driver_sql("PRAGMA query_only=ON")
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("PRAGMA query_only=OFF")
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One database: `uow()` makes units of work (the services' `Env.uow` factory),
    `dispose()` closes the pooled connections. Nothing is created or migrated here."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        name = self.engine.dialect.name
        self.dialect: Dialect = "postgresql" if name == "postgresql" else "sqlite"
        self.url = self.engine.url.render_as_string(hide_password=True)

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (a transaction per `with` block)."""
        return SqlUnitOfWork(self.engine, self.dialect)

    def reader(self) -> SqlUnitOfWork:
        """A new unit of work that only reads (see the module doc); the services' `Env.read`."""
        return SqlUnitOfWork(self.engine, self.dialect, read_only=True)

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection in a read-only transaction (as `reader()`'s) for set-based queries
        (`tierdesk.analytics`); rolled back and returned to the pool after the block."""
        options = (
            {"postgresql_readonly": True} if self.dialect == "postgresql" else {_READ_ONLY: True}
        )
        with self.engine.connect() as conn:
            yield conn.execution_options(**options)

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"


class SqlUnitOfWork:
    """The UnitOfWork port on one connection: `with uow:` opens it, the first statement
    begins the transaction, `commit()` makes the work visible (work after it runs in a new
    transaction), leaving the block rolls back whatever was not committed. A unique
    violation, on insert or at commit, raises DuplicateKey naming the key."""

    def __init__(self, engine: sa.Engine, dialect: Dialect, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: sa.Connection | None = None
        self._tx = Tx(dialect)
        self.tickets: TicketRepository = SqlTickets(self._tx)
        self.events: EventLog = SqlEvents(self._tx)
        self.messages: MessageRepository = SqlMessages(self._tx)
        self.calls: CallRepository = sql_calls(self._tx)
        self.escalations: EscalationRepository = sql_escalations(self._tx)
        self.customers: CustomerRepository = SqlCustomers(self._tx)
        self.outbox: OutboxRepository = SqlOutbox(self._tx)
        self.users: UserRepository = SqlUsers(self._tx)
        self.tokens: ApiTokenRepository = SqlTokens(self._tx)
        self.sessions: SessionRepository = SqlSessions(self._tx)
        self.policies: PolicyVersionRepository = SqlPolicies(self._tx)
        self.models: ModelVersionRepository = SqlModels(self._tx)
        self.approvals: ApprovalRepository = SqlApprovals(self._tx)
        self.actions: ActionRepository = sql_actions(self._tx)
        self.surveys: SurveyRepository = SqlSurveys(self._tx)
        self.webhooks: WebhookRepository = SqlWebhooks(self._tx)
        self.mail: MailRepository = SqlMail(self._tx)
        self.channel_events: ChannelEventRepository = SqlChannelEvents(self._tx)
        self.notices: NoticeRepository = SqlNotices(self._tx)
        self.incidents: IncidentRepository = SqlIncidents(self._tx)
        self.kb: KnowledgeBaseRepository = SqlKnowledgeBase(self._tx)
        self.qa: QaRepository = SqlQa(self._tx)

    def __enter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("this unit of work is already open; make a new one per command")
        conn = self._engine.connect()
        if self._read_only:
            options = {"postgresql_readonly": True} if self._tx.postgres else {_READ_ONLY: True}
            conn = conn.execution_options(**options)
        self._conn = conn
        self._tx.bind(self._conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        self._tx.bind(None)
        if conn is not None:
            conn.close()  # returns it to the pool, rolling back what was not committed

    def commit(self) -> None:
        conn = self._tx.conn
        try:
            conn.commit()
        except sa.exc.IntegrityError as exc:
            conn.rollback()
            duplicate = as_duplicate(exc)
            if duplicate is None:
                raise
            raise duplicate from exc

    def rollback(self) -> None:
        self._tx.conn.rollback()
