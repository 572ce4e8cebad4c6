"""Composition root: the only module that knows the concrete adapters.

Entry points (cli, web, workers) call these small functions and never import `tierdesk.adapters`
(an import-linter contract enforces it). Keep this a flat module of small functions.

Errors raised here are all ValueError subclasses with a message fit to show a user as is:
`TrainingDataError` (training CSV), `ModelFileError` (model file), `IntentMapError` (intent map).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from tierdesk import analytics
from tierdesk import policy as _policy
from tierdesk.adapters import classifier as _classifier
from tierdesk.adapters import db as _db
from tierdesk.adapters.classifier import ModelFileError as ModelFileError
from tierdesk.adapters.classifier import TrainedClassifier
from tierdesk.adapters.classifier import TrainingDataError as TrainingDataError
from tierdesk.adapters.db import Database as Database
from tierdesk.adapters.db import DatabaseUnavailableError as DatabaseUnavailableError
from tierdesk.adapters.db import DatabaseUrlError as DatabaseUrlError
from tierdesk.adapters.db import tables as _tables
from tierdesk.adapters.outbound import FileSender
from tierdesk.adapters.outbound.routing import RoutingSender
from tierdesk.adapters.outbound.webhook_sender import WebhookSender
from tierdesk.adapters.security import Argon2Hasher
from tierdesk.config import Settings
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.errors import TierdeskError
from tierdesk.domain.intent_map import IntentMapError as IntentMapError
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import policies, webhooks
from tierdesk.services.env import Env
from tierdesk.services.outbox import Sender
from tierdesk.services.ports import Clock
from tierdesk.services.records import WebhookRecord


def train_classifier_from_csv(
    path: str | Path, text_col: str = "text", label_col: str = "category"
) -> TrainedClassifier:
    """Train the text classifier on a CSV file with a header row.

    `text_col` holds the texts, `label_col` the labels (e.g. Banking77 intents). Every label
    needs at least two examples. Takes 10-20 s for 10,000 texts on one core. Raises
    TrainingDataError naming the file, and the line or the missing column, on bad input.
    """
    texts, labels = _classifier.read_labelled_csv(path, text_col, label_col)
    try:
        return _classifier.train(texts, labels)
    except TrainingDataError as exc:
        raise TrainingDataError(f"{path}: {exc}") from exc


def save_classifier(model: Classifier, path: str | Path) -> None:
    """Write a model returned by `train_classifier_from_csv` to `path`, replacing it atomically.

    Raises TypeError for a Classifier that this deployment cannot persist (e.g. a test fake).
    """
    if not isinstance(model, TrainedClassifier):
        raise TypeError(f"cannot save a {type(model).__name__}; only trained classifiers")
    _classifier.save(model, path)


def load_classifier(path: str | Path) -> Classifier:
    """Load a model file written by `save_classifier`.

    Model files are trusted artifacts: loading unpickles them, so load only files your own
    deployment trained. Raises ModelFileError (naming the file) for a file that is not a model,
    was written by another format or scikit-learn version, or fails its sha256 check.
    """
    return _classifier.load(path)


def load_intent_map(path: str | Path) -> dict[str, IntentMapping]:
    """Intent -> IntentMapping (category, priority, tier, escalation_signal) from a CSV file with
    columns source_intent, category, priority, tier[, escalation_signal].

    Raises IntentMapError naming file:line for a missing column or a bad row.
    """
    return _classifier.load_intent_map(path)


# --- passwords (argon2id) ------------------------------------------------------------------------

_PASSWORDS = Argon2Hasher()


def password_hasher(*, fast: bool = False) -> Argon2Hasher:
    """The argon2id hasher (`hash(password)`, `verify(stored, password) -> bool`). `fast` is
    a cheap profile for test suites only."""
    return Argon2Hasher.fast() if fast else _PASSWORDS


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, to store in `UserRecord.password_hash`."""
    return _PASSWORDS.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches the stored argon2 hash (False for a malformed hash)."""
    return _PASSWORDS.verify(stored_hash, password)


# --- workers: time and outbound channels ---------------------------------------------------------


class _SystemClock:
    """The real time, aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def system_clock() -> Clock:
    """The clock of a running helpdesk (aware UTC); tests use `services.memory.FakeClock`."""
    return _SystemClock()


def file_sender(path: str | Path) -> Sender:
    """A development Sender: each delivered message is appended as one JSON line (fsync'd) to
    the mailbox file `path`; a message whose dedupe_key is already there is not written again.
    Real SMTP and LINE senders come later."""
    return FileSender(path)


def webhook_sender(env: policies.EnvSource, *, allow_private: bool = False) -> Sender:
    """The Sender of webhook messages: POSTs each, signed, to its subscription's current URL
    (looked up in `env` at send time); non-2xx or a network error fails the attempt. URLs
    that resolve to private or local addresses are refused unless `allow_private`."""

    def lookup(webhook_id: str) -> WebhookRecord | None:
        return webhooks.subscription(policies.current(env), webhook_id)

    return WebhookSender(lookup, allow_private=allow_private)


def channel_senders(settings: Settings) -> dict[str, Sender]:
    """The real sender of each configured channel, by delivery channel ("email", "line",
    "sms"; see `notify.delivery_channel`). A channel missing here delivers to the development
    mailbox file. Each channel adds its sender here, and only here."""
    senders: dict[str, Sender] = {}
    return senders


def outbound_sender(
    mailbox: str | Path,
    env: policies.EnvSource,
    *,
    allow_private_webhooks: bool = False,
    channels: Mapping[str, Sender] | None = None,
) -> Sender:
    """The Sender of a running helpdesk: webhook messages over HTTP (`webhook_sender`), each
    channel's messages to its sender in `channels` (`channel_senders(settings)`), everything
    else to the development mailbox file (`file_sender`)."""
    hooks = webhook_sender(env, allow_private=allow_private_webhooks)
    return RoutingSender(file_sender(mailbox), {webhooks.KIND: hooks}, channels)


# --- database ------------------------------------------------------------------------------------


class SchemaNotCurrentError(TierdeskError, ValueError):
    """The database schema is not at the revision this program needs."""

    code = "schema_not_current"


def default_database_url(base: Path) -> str:
    """`sqlite:///<base>/var/tierdesk.db` (absolute), creating `<base>/var/`."""
    var = Path(base).resolve() / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'tierdesk.db'}"


def open_database(url: str) -> Database:
    """The database at `url`, ready for `Env(uow=db.uow, ...)`; migrates nothing.

    Raises SchemaNotCurrentError when the schema is missing or not at the newest revision
    (the message says to run `tierdesk db upgrade`), DatabaseUrlError for a URL this program
    cannot use, DatabaseUnavailableError when the database cannot be reached."""
    current, head = _db.current_revision(url), _db.head_revision()
    if current != head:
        raise SchemaNotCurrentError(
            f"the database {_db.safe_url(url)} is at schema revision {current or '(none)'}, "
            f"this program needs {head}: run `tierdesk db upgrade`"
        )
    return _db.Database(url)


def upgrade_database(url: str) -> str:
    """Create or migrate the database at `url` to the newest schema revision (idempotent;
    a missing SQLite file and its directory are created). Returns the revision."""
    _db.upgrade(url)
    return _db.current_revision(url) or _db.head_revision()


def database_revision(url: str) -> tuple[str | None, str]:
    """(the revision the database at `url` is at, or None; the newest revision)."""
    return _db.current_revision(url), _db.head_revision()


# --- the read side: metrics ----------------------------------------------------------------------


class MetricsUnavailableError(ValueError):
    """Metrics were asked of a store that cannot run them (the in-memory fakes)."""


def analytics_tables() -> analytics.Tables:
    """The store's tables, as `tierdesk.analytics` reads them."""
    t = _tables
    return analytics.Tables(t.tickets, t.ticket_events, t.messages, t.calls, t.escalations)


def measure(env: Env, scope: analytics.Scope, *, trend_buckets: int = 0) -> analytics.Report:
    """The metrics report of `scope` on the env's database, as of the env's clock, against
    the env's policy (with trend lines over `trend_buckets` slices of the period when above
    0). MetricsUnavailableError when the env has no SQL store."""
    store = env.store
    if not isinstance(store, Database):
        raise MetricsUnavailableError("metrics need the SQL store (SQLite or PostgreSQL)")
    with store.reading() as conn:
        return analytics.measure(
            conn, analytics_tables(), env.rules, scope, env.now(), trend_buckets=trend_buckets
        )


# --- the running helpdesk's Env -------------------------------------------------------------------


def open_env(settings: Settings, rules: Rulebook | None = None, *, upgrade: bool = True) -> Env:
    """The services' Env on the configured database with the real clock: what `tierdesk serve`
    and `tierdesk user add` run on. Upgrades the schema first (idempotent) unless `upgrade` is
    False. The rules are the database's effective policy version (R-DOC-3) when one was
    approved, else `rules`, else the configured policy file or preset. Raises the database
    errors above (ValueErrors with a message fit to show) and `policy.PolicyError`."""
    url = settings.resolved_database_url()
    if upgrade:
        upgrade_database(url)
    database = open_database(url)
    if rules is None:
        preset = None if settings.policy_file else settings.policy_preset
        rules = _policy.rulebook(settings.policy_file, preset, settings.policy_max_bytes)
    return policies.in_force(
        Env(
            uow=database.uow,
            read=database.reader,
            clock=system_clock(),
            rules=rules,
            store=database,
        )
    )
