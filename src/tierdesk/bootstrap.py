"""Composition root: the only module that knows the concrete adapters.

Entry points (cli, web, workers) call these small functions and never import `tierdesk.adapters`
(an import-linter contract enforces it). Keep this a flat module of small functions.

Errors raised here are all ValueError subclasses with a message fit to show a user as is:
`TrainingDataError` (training CSV), `ModelFileError` (model file), `IntentMapError` (intent map).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import sqlalchemy as sa

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
from tierdesk.adapters.db import parquet as _parquet
from tierdesk.adapters.db import tables as _tables
from tierdesk.adapters.db.database import SqlUnitOfWork
from tierdesk.adapters.db.parquet import ParquetExportError as ParquetExportError
from tierdesk.adapters.email.compose import sender_domain
from tierdesk.adapters.email.imap import ImapMailbox, MailboxConfig
from tierdesk.adapters.email.parse import parse as _parse_mail
from tierdesk.adapters.email.smtp_receiver import SmtpReceiver
from tierdesk.adapters.email.smtp_sender import Relay, SmtpError, SmtpSender
from tierdesk.adapters.email.smtp_sender import connect as smtp_connect
from tierdesk.adapters.email.store import BlobStore
from tierdesk.adapters.line import LineSender, LineWebhook
from tierdesk.adapters.line import LineSignatureError as LineSignatureError
from tierdesk.adapters.outbound import FileSender
from tierdesk.adapters.outbound.routing import RoutingSender
from tierdesk.adapters.outbound.webhook_sender import WebhookSender
from tierdesk.adapters.outbound.webhook_sender import (
    check_registration as check_webhook_registration,
)
from tierdesk.adapters.security import Argon2Hasher
from tierdesk.config import MailboxSettings, Settings, ensure_secret
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.errors import TierdeskError
from tierdesk.domain.intent_map import IntentMapError as IntentMapError
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import email_intake, held_mail, line, policies, signing, webhooks
from tierdesk.services.email_intake import (
    InboundMail,
    Mailbox,
    MailSource,
    Received,
    Receiver,
)
from tierdesk.services.env import Env
from tierdesk.services.kb_records import ArticleFilter, ArticleRecord, TranslationRecord
from tierdesk.services.outbox import Sender
from tierdesk.services.ports import Clock, TicketFilter
from tierdesk.services.records import InboundMailRecord, WebhookRecord


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


def train_classifier(texts: Sequence[str], labels: Sequence[str]) -> TrainedClassifier:
    """Train the text classifier on parallel texts and labels (TrainingDataError when they
    cannot make one)."""
    return _classifier.train(texts, labels)


def read_labelled(
    path: str | Path, text_col: str = "text", label_col: str = "category"
) -> tuple[list[str], list[str]]:
    """Texts and labels of a labelled CSV (header row) or JSONL file (one object a line).
    Raises TrainingDataError naming file:line on bad input."""
    return _classifier.read_labelled(path, text_col, label_col)


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


def model_bytes(model: Classifier) -> bytes:
    """A model returned by `train_classifier` as a model file's bytes, to store as a model
    version (`services.training.propose`). TypeError as `save_classifier`."""
    if not isinstance(model, TrainedClassifier):
        raise TypeError(f"cannot store a {type(model).__name__}; only trained classifiers")
    return _classifier.dumps(model)


def load_stored_classifier(data: bytes) -> Classifier:
    """The model in a stored model version's bytes (`Env.load_model`); the trust and the
    ModelFileError of `load_classifier`."""
    return _classifier.loads(data, "stored triage model")


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
    """The clock of a running helpdesk (aware UTC); tests and the demo's seeding run use
    `services.fake_clock.FakeClock`."""
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


def webhook_url_check(settings: Settings) -> webhooks.UrlCheck | None:
    """What registering a webhook checks its URL with: UnsafeUrl for a URL reaching a
    private or local address (resolving its host), None when TIERDESK_WEBHOOK_ALLOW_PRIVATE."""
    return None if settings.webhook_allow_private else check_webhook_registration


def channel_senders(settings: Settings, env: policies.EnvSource) -> dict[str, Sender]:
    """The real sender of each configured channel, by delivery channel ("email", "line",
    "sms"; see `notify.delivery_channel`). A channel missing here delivers to the development
    mailbox file. Each channel adds its sender here, and only here. `env`: the store the
    LINE sender claims reply tokens in."""
    senders: dict[str, Sender] = {}
    if settings.smtp_host:
        senders["email"] = email_sender(settings)
    line_found = line_channel(settings, env)
    if line_found is not None:
        senders[line.CHANNEL] = line_found.sender
    return senders


def email_from(settings: Settings) -> tuple[str, str]:
    """(the From address of outgoing mail, the domain of its Message-IDs). ValueError when
    mail is configured without TIERDESK_EMAIL_FROM."""
    if not settings.email_from:
        raise ValueError("TIERDESK_EMAIL_FROM is not set (the From address of outgoing mail)")
    domain = settings.email_message_id_domain or sender_domain(settings.email_from)
    return settings.email_from, domain


def smtp_relay(settings: Settings) -> Relay:
    """The outgoing relay of `settings` (TIERDESK_SMTP_*); the password is read now."""
    return Relay(
        host=settings.smtp_host or "",
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=settings.smtp_secret(),
        timeout=settings.smtp_timeout,
    )


def email_sender(settings: Settings) -> Sender:
    """The email channel's Sender: SMTP through the configured relay (TLS, AUTH), with
    Message-ID, In-Reply-To, References and the subject token, plain text and HTML."""
    from_address, domain = email_from(settings)
    return SmtpSender(smtp_relay(settings), from_address, domain)


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


# --- email in ------------------------------------------------------------------------------------

SMTP_MAILBOX = "smtp"  # the mailbox name of mail the SMTP receiver takes


def blob_store(settings: Settings) -> BlobStore:
    """Attachments and original mails, by content hash, under `settings.blob_dir()`."""
    return BlobStore(settings.blob_dir())


def orphan_blobs(settings: Settings) -> BlobStore | None:
    """The blob store housekeeping cleans of orphans: only where mail comes in (mailboxes or
    the SMTP receiver are configured), so a process pointed at another database never
    deletes the blobs of the one the mail directory belongs to."""
    if not (settings.email_mailboxes or settings.smtp_receive_port):
        return None
    return blob_store(settings)


def parse_mail(settings: Settings, mailbox: str, raw: bytes) -> InboundMail:
    """Read one mail (RFC 5322 bytes) as the intake needs it, storing its original and its
    attachments (within the configured limits) by hash."""
    return _parse_mail(
        raw,
        mailbox=mailbox,
        store=blob_store(settings).put,
        max_attachment_bytes=settings.email_max_attachment_bytes,
        max_attachments=settings.email_max_attachments,
    )


def own_addresses(settings: Settings) -> frozenset[str]:
    """tierdesk's own addresses (mail from them is a loop): the From address and each
    mailbox's address."""
    found = {parseaddr(settings.email_from or "")[1]}
    found |= {parseaddr(m.address or "")[1] for m in settings.email_mailboxes}
    return frozenset(a.lower() for a in found if a)


def email_take(settings: Settings, env: policies.EnvSource) -> Callable[[str, bytes], Received]:
    """`take(mailbox, raw)`: parse a mail and take it in (`email_intake.receive`) on the
    policy in force; returns once its ticket or reply is committed."""
    own = own_addresses(settings)
    blobs = blob_store(settings)
    teams = mailbox_teams(settings)

    def take(mailbox: str, raw: bytes) -> Received:
        mail = _parse_mail(
            raw,
            mailbox=mailbox,
            store=blobs.put,
            max_attachment_bytes=settings.email_max_attachment_bytes,
            max_attachments=settings.email_max_attachments,
        )
        return email_intake.receive(
            policies.current(env),
            mail,
            own_addresses=own,
            hold_per_minute=settings.email_hold_per_minute,
            team=teams.get(mailbox, (None, None))[0],
            brand=teams.get(mailbox, (None, None))[1],
        )

    return take


def mailbox_teams(settings: Settings) -> dict[str, tuple[str | None, str | None]]:
    """(team, brand) by mailbox name: each IMAP mailbox's, and the SMTP receiver's
    (TIERDESK_SMTP_RECEIVE_TEAM/_BRAND) under `smtp` unless a mailbox takes that name."""
    teams: dict[str, tuple[str | None, str | None]] = {
        SMTP_MAILBOX: (settings.smtp_receive_team, settings.smtp_receive_brand)
    }
    teams.update({m.name: (m.team, m.brand) for m in settings.email_mailboxes})
    return teams


def held_mail_reader(settings: Settings) -> held_mail.Rereader:
    """`reread(record)` for releasing held mail: its original from the blob store parsed
    again (ValueError when the original is gone), with its mailbox's team and brand."""
    blobs = blob_store(settings)
    teams = mailbox_teams(settings)

    def reread(record: InboundMailRecord) -> held_mail.Reread:
        try:
            raw = blobs.get(record.raw_sha256)
        except OSError as exc:
            raise ValueError("its original is no longer stored") from exc
        mail = _parse_mail(
            raw,
            mailbox=record.mailbox,
            store=blobs.put,
            max_attachment_bytes=settings.email_max_attachment_bytes,
            max_attachments=settings.email_max_attachments,
        )
        team, brand = teams.get(record.mailbox, (None, None))
        return held_mail.Reread(mail, team, brand)

    return reread


def mailbox_config(mailbox: MailboxSettings) -> MailboxConfig:
    """The IMAP connection settings of one configured mailbox, its password read now
    (ValueError naming the mailbox when it has none)."""
    return MailboxConfig(
        name=mailbox.name,
        host=mailbox.host,
        port=mailbox.port,
        username=mailbox.username,
        password=mailbox.secret(),
        security=mailbox.security,
        folder=mailbox.folder,
        ack=mailbox.ack,
        move_to=mailbox.move_to,
        idle=mailbox.idle,
        poll_seconds=mailbox.poll_seconds,
        timeout=mailbox.timeout,
    )


def mail_source(config: MailboxConfig) -> MailSource:
    """An IMAP mailbox to poll (imapclient)."""
    return ImapMailbox(config)


def mailboxes(settings: Settings, env: policies.EnvSource) -> list[Mailbox]:
    """One poller per configured mailbox (TIERDESK_EMAIL_MAILBOXES), for the workers."""
    take = email_take(settings, env)
    return [
        Mailbox(mail_source(mailbox_config(m)), take, m.poll_seconds)
        for m in settings.email_mailboxes
    ]


def smtp_receiver(settings: Settings, env: policies.EnvSource) -> Receiver | None:
    """The SMTP server receiving mail (TIERDESK_SMTP_RECEIVE_PORT), or None when unset."""
    if settings.smtp_receive_port is None:
        return None
    take = email_take(settings, env)
    limit = settings.email_max_attachment_bytes * 2 + 10 * 1024 * 1024
    return SmtpReceiver(
        lambda raw: take(SMTP_MAILBOX, raw),
        settings.smtp_receive_host,
        settings.smtp_receive_port,
        limit,
    )


# --- channels check ------------------------------------------------------------------------------


def check_smtp(relay: Relay) -> str | None:
    """Connect, secure and log in to the relay once: None when that works, else what is
    wrong (one line, no secrets)."""
    try:
        smtp = smtp_connect(relay)
    except SmtpError as exc:
        return str(exc).removeprefix(f"{relay.where}: ")
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
    return None


def channel_checks(settings: Settings) -> list[tuple[str, Callable[[], str | None]]]:
    """(channel, check) for every configured channel connection, in the order `tierdesk
    channels check` prints them; a check returns None when the connection works, else one
    line saying what is wrong. A channel configured wrongly (no password, no From address)
    gets a check that reports that. Each channel adds its checks here."""
    checks: list[tuple[str, Callable[[], str | None]]] = []
    if settings.smtp_host:
        where = f"email out smtp {settings.smtp_host}:{settings.smtp_port}"
        try:
            email_from(settings)
            relay = smtp_relay(settings)
        except ValueError as exc:
            checks.append((where, _fails(str(exc))))
        else:
            checks.append((where, lambda: check_smtp(relay)))
    for mailbox in settings.email_mailboxes:
        where = f"email in {mailbox.name} imap {mailbox.host}:{mailbox.port}/{mailbox.folder}"
        try:
            source = mail_source(mailbox_config(mailbox))
        except ValueError as exc:
            checks.append((where, _fails(str(exc))))
        else:
            checks.append((where, source.check))
    checks.extend(_line_checks(settings))
    return checks


def _line_checks(settings: Settings) -> list[tuple[str, Callable[[], str | None]]]:
    where = f"line messaging api {settings.line_api_url}"
    try:
        credentials = settings.line_credentials()
    except ValueError as exc:
        return [(where, _fails(str(exc)))]
    if credentials is None:
        return []

    def check() -> str | None:
        sender = LineSender(credentials[1], api_url=settings.line_api_url)
        try:
            said = sender.check()
        finally:
            sender.close()
        return None if said.startswith("ok") else said.removeprefix("failed: ")

    return [(where, check)]


def _fails(reason: str) -> Callable[[], str | None]:
    return lambda: reason


# --- LINE ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineChannel:
    """A configured LINE channel: `webhook.parse(body, signature)` verifies (raising
    `LineSignatureError`) and parses; `sender` delivers outbox messages and fetches profiles
    (`sender.profile(user_id)`) and `sender.check()` says whether the API answers."""

    webhook: LineWebhook
    sender: LineSender


def line_channel(settings: Settings, env: policies.EnvSource) -> LineChannel | None:
    """The LINE channel of `settings` (None when LINE is not configured). Its sender answers
    with a reply token of the user while one is valid (claimed in `env`'s store), else
    pushes; it does not push to a user who unfollowed. ValueError naming the setting when
    LINE is half configured."""
    credentials = settings.line_credentials()
    if credentials is None:
        return None
    secret, token = credentials

    def claim(user_id: str) -> str | None:
        now = policies.current(env).now()
        return line.claim_reply_token(policies.current(env), user_id, now)

    def blocked(user_id: str) -> bool:
        return line.blocked(policies.current(env), user_id)

    sender = LineSender(
        token, api_url=settings.line_api_url, claim_reply_token=claim, blocked=blocked
    )
    return LineChannel(LineWebhook(secret), sender)


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


def analytics_tables() -> analytics.Tables:
    """The store's tables, as `tierdesk.analytics` reads them."""
    t = _tables
    kb = {"kb_articles": t.kb_articles, "kb_translations": t.kb_translations}
    return analytics.Tables(t.tickets, t.ticket_events, t.messages, t.calls, t.escalations, kb)


def measure(env: Env, scope: analytics.Scope, *, trend_buckets: int = 0) -> analytics.Report:
    """The metrics report of `scope` on the env's database, as of the env's clock, against
    the env's policy (with trend lines over `trend_buckets` slices of the period when above
    0). A store without SQL (the in-memory fakes) is first copied to an in-memory SQLite."""
    store = env.store
    if isinstance(store, Database):
        return _measure_on(store, env, scope, trend_buckets)
    engine = _mirror(env)
    try:
        with engine.connect() as conn:
            return analytics.measure(
                conn, analytics_tables(), env.rules, scope, env.now(), trend_buckets=trend_buckets
            )
    finally:
        engine.dispose()


def _measure_on(
    db: Database, env: Env, scope: analytics.Scope, trend_buckets: int
) -> analytics.Report:
    with db.reading() as conn:
        return analytics.measure(
            conn, analytics_tables(), env.rules, scope, env.now(), trend_buckets=trend_buckets
        )


def export_parquet(env: Env, directory: str | Path) -> dict[str, int]:
    """Write the tables the metrics read to `directory` as Parquet, for data teams and for
    `measure_export` (rows by table). The env's store must be the SQL database."""
    store = env.store
    if not isinstance(store, Database):
        raise TypeError("a Parquet export reads the SQL store")
    return _parquet.export(store.engine, directory, env.now())


def exported_at(directory: str | Path) -> datetime:
    """When the Parquet export in `directory` was written (ParquetExportError: none there)."""
    return _parquet.exported_at(directory)


def measure_export(
    directory: str | Path, rules: Rulebook, scope: analytics.Scope, *, trend_buckets: int = 0
) -> analytics.Report:
    """The metrics report of `scope` over a Parquet export (DuckDB), as of the moment it was
    exported: the same queries as `measure` on the store. ParquetExportError for a directory
    that holds no export."""
    now = exported_at(directory)
    with _parquet.open_export(directory) as conn:
        return analytics.measure(
            conn, analytics_tables(), rules, scope, now, trend_buckets=trend_buckets
        )


def _mirror(env: Env) -> sa.Engine:
    """An in-memory SQLite copy of what the metrics read from a store without SQL (the
    in-memory fakes of tests and demos), so the same queries answer there too."""
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    _tables.metadata.create_all(engine)
    with env.reader() as src, SqlUnitOfWork(engine, "sqlite") as dst:
        tickets = src.tickets.search(TicketFilter(), limit=10_000_000).items
        for customer_id in {t.customer_id for t in tickets}:
            customer = src.customers.get(customer_id)
            if customer is not None:
                dst.customers.add(customer)
        for t in tickets:
            dst.tickets.add(t)
            dst.events.append(src.events.for_ticket(t.id))
            for message in src.messages.for_ticket(t.id):
                dst.messages.add(message)
            for call in src.calls.for_ticket(t.id):
                dst.calls.add(call)
            for escalation in src.escalations.for_ticket(t.id):
                dst.escalations.add(escalation)
        dst.commit()
        articles = src.kb.articles(ArticleFilter(live_only=True), limit=1_000_000)
        live = [t for t in src.kb.translations([a.id for a in articles]) if t.live]
    _mirror_kb(engine, articles, live)
    return engine


def _mirror_kb(
    engine: sa.Engine, articles: list[ArticleRecord], live: list[TranslationRecord]
) -> None:
    """The live articles (the Top 10 Contact Reasons' "article available"); no search index."""
    if not live:
        return
    with engine.begin() as conn:
        conn.execute(
            _tables.kb_articles.insert(),
            [{**vars(a), "tags": list(a.tags)} for a in articles],
        )
        conn.execute(
            _tables.kb_translations.insert(),
            [{**vars(t), "search_title": "", "search_body": ""} for t in live],
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
            load_model=load_stored_classifier,
            **public_links(settings),
        )
    )


def public_links(settings: Settings) -> dict[str, Any]:
    """The absolute links messages carry (`Env.survey_url`, `Env.customer_link`), from
    TIERDESK_PUBLIC_URL and the web app's key: the same in `serve` and in a `worker` process,
    whose mail poller writes receipts and whose sweeper may close tickets."""
    return {
        "survey_url": settings.public_base() + "/survey/{token}",
        "customer_link": _customer_link(settings),
    }


def _customer_link(settings: Settings) -> Callable[[str], str]:
    """`Env.customer_link`: links to the customer's page signed with the web app's key (the
    configured one or `<var_dir>/secret_key`), valid TIERDESK_CUSTOMER_LINK_MAIL_MAX_AGE."""
    key = ensure_secret(settings).secret_key
    if key is None:  # pragma: no cover - ensure_secret always sets it
        raise RuntimeError("no secret key")
    return signing.customer_link_builder(
        signing.Signer(key.get_secret_value()),
        settings.public_base(),
        timedelta(seconds=settings.customer_link_mail_max_age),
        lambda: datetime.now(UTC),
    )
