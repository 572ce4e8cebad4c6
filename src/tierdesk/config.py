"""Settings of a running tierdesk (pydantic-settings, environment prefix `TIERDESK_`).

Every field can be set as `TIERDESK_<NAME>` (e.g. `TIERDESK_DATABASE_URL`). The session
signing key is never logged or printed: when `TIERDESK_SECRET_KEY` is unset, `ensure_secret`
reads it from (or creates it in) `<var_dir>/secret_key`, readable by the owner only.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class MailboxSettings(BaseModel):
    """One IMAP mailbox: where it is, how to sign in, what to do with a mail once its ticket
    or reply is committed (`ack`), and the team it belongs to. The password comes from the
    environment variable named by `password_env` or from `password_file`, never inline."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    host: str = Field(min_length=1)
    port: int = Field(993, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str = Field(min_length=1)
    password_env: str | None = None
    password_file: Path | None = None
    folder: str = "INBOX"
    ack: Literal["seen", "move", "delete"] = "seen"
    move_to: str = "Processed"
    team: str | None = None
    brand: str | None = None
    address: str | None = None  # the mailbox's own address (mail from it is a loop)
    idle: bool = True
    poll_seconds: float = Field(30.0, gt=0)
    timeout: float = Field(30.0, gt=0)

    def secret(self) -> str:
        """The password (from `password_env` or `password_file`); ValueError when neither
        yields one. The message names where it looked, never the value."""
        env_value = os.environ.get(self.password_env, "") if self.password_env else ""
        if env_value:
            return env_value
        found = _secret(None, self.password_file, f"mailbox {self.name}: password_file")
        if found:
            return found
        where = self.password_env or "password_env/password_file"
        raise ValueError(f"mailbox {self.name}: no password ({where} is not set)")


def _secret(value: SecretStr | None, path: Path | None, name: str) -> str | None:
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    if path is None:
        return None
    try:
        first = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"{name}: cannot read {path}: {exc.strerror}") from None
    return first[0].strip() if first and first[0].strip() else None


class Settings(BaseSettings):
    """What `tierdesk serve` and the web app are configured with."""

    model_config = SettingsConfigDict(env_prefix="TIERDESK_", extra="ignore")

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL (SQLite or PostgreSQL); default: tierdesk.db in var_dir.",
    )
    host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `serve` listens on.")
    policy_preset: str | None = Field("cs-sop", description="Packaged policy preset.")
    policy_file: Path | None = Field(None, description="Policy YAML file (wins over the preset).")
    var_dir: Path = Field(Path("var"), description="Where the SQLite file and secret key live.")
    secret_key: SecretStr | None = Field(
        None, description="Signs session cookies; generated in var/ when unset."
    )
    session_max_age: int = Field(8 * 3600, ge=60, description="Session lifetime, seconds.")
    token_max_age_days: int = Field(90, ge=1, le=3650, description="Default API token lifetime.")
    cookie_secure: bool = Field(False, description="Mark cookies Secure (set behind HTTPS).")
    login_rate_per_minute: float = Field(6.0, gt=0, description="Login attempts per user+IP.")
    login_burst: int = Field(5, ge=1, description="Login attempts allowed at once.")
    login_failures_per_minute: float = Field(
        6.0, gt=0, description="Failed sign-ins per client address, whatever the usernames."
    )
    login_failures_burst: int = Field(
        10, ge=1, description="Failed sign-ins allowed at once per client address."
    )
    forwarded_allow_ips: str | None = Field(
        None,
        description="Proxies whose X-Forwarded-For/-Proto are believed (comma-separated IPs "
        "or networks, or *); unset: forwarded headers are ignored.",
    )
    public_rate_per_minute: float = Field(60.0, gt=0, description="Intake/survey posts per IP.")
    public_burst: int = Field(20, ge=1, description="Intake/survey posts allowed at once per IP.")
    public_url: str | None = Field(
        None,
        description="The address customers reach tierdesk at, e.g. https://help.example.com: "
        "survey, customer-page and chat links are built from it; unset: http://host:port.",
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
    )
    chat_frame_ancestors: str = Field(
        "",
        description="Sites that may embed the chat widget (space-separated origins, e.g. "
        "https://shop.example.com); empty: only tierdesk's own pages.",
        pattern=r"^(\s*https?://[^\s/?#'\";,]+\s*)*$",
    )
    customer_link_max_age: int = Field(
        3600, ge=60, le=30 * 86400, description="How long a customer's magic link works, seconds."
    )
    customer_link_mail_max_age: int = Field(
        14 * 86400,
        ge=3600,
        le=90 * 86400,
        description="How long the link to the customer's page in a receipt or reply works, "
        "seconds (longer than an asked-for link: the mail is kept and read later).",
    )
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body accepted.")
    policy_max_bytes: int = Field(
        1_000_000,
        ge=1024,
        description="Largest policy YAML read (API, CLI, files); larger is policy_too_complex.",
    )
    intake_batch_max: int = Field(200, ge=1, description="Most intakes in one group commit.")
    webhook_allow_private: bool = Field(
        False,
        description="Let webhooks reach private, loopback and link-local addresses (refused "
        "by default: an admin account must not become a door into the internal network).",
    )
    demo: bool = Field(False, description="Seed demo users and tickets on start.")
    template_reload: bool = Field(
        False,
        description="Check the page templates for changes on every render (development; off: "
        "each template is read and compiled once per process).",
    )
    # --- email (docs/operations.md, "Email") ---
    email_from: str | None = Field(
        None, description="From address of outgoing mail, e.g. 'Support <support@example.com>'."
    )
    email_message_id_domain: str | None = Field(
        None, description="Domain of outgoing Message-IDs; default: the From address's domain."
    )
    smtp_host: str | None = Field(None, description="Outgoing mail relay; unset: the dev mailbox.")
    smtp_port: int = Field(587, ge=1, le=65535, description="Relay port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls (587), ssl (465) or none (a local relay only)."
    )
    smtp_username: str | None = Field(None, description="Relay login; unset: no AUTH.")
    smtp_password: SecretStr | None = Field(None, description="Relay password (env only).")
    smtp_password_file: Path | None = Field(None, description="File holding the relay password.")
    smtp_timeout: float = Field(10.0, gt=0, le=120, description="Relay timeout, seconds.")
    email_mailboxes: list[MailboxSettings] = Field(
        default_factory=list, description="IMAP mailboxes to poll (a JSON list)."
    )
    email_blob_dir: Path | None = Field(
        None, description="Attachments and original mails by hash; default: var_dir/mail."
    )
    email_max_attachment_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Larger attachments are listed, not stored."
    )
    email_max_attachments: int = Field(20, ge=0, description="Attachments stored per mail.")
    email_hold_per_minute: int = Field(
        20, ge=0, description="A sender writing more mails a minute is held (0: never)."
    )
    smtp_receive_port: int | None = Field(
        None, ge=1, le=65535, description="Receive mail by SMTP on this port (aiosmtpd)."
    )
    smtp_receive_host: str = Field("127.0.0.1", description="Address the SMTP receiver uses.")
    smtp_receive_team: str | None = Field(
        None,
        max_length=100,
        description="The team of mail received by SMTP, as a mailbox's `team` (a tier or a "
        "policy team routes its new tickets).",
    )
    smtp_receive_brand: str | None = Field(
        None, max_length=100, description="The brand recorded on tickets received by SMTP."
    )

    def blob_dir(self) -> Path:
        """Where attachments and original mails are kept."""
        return self.email_blob_dir or self.var_dir / "mail"

    def smtp_secret(self) -> str | None:
        """The relay password: TIERDESK_SMTP_PASSWORD, else the file's first line."""
        return _secret(self.smtp_password, self.smtp_password_file, "smtp_password_file")

    line_channel_secret: SecretStr | None = Field(
        None, description="LINE channel secret (verifies webhook signatures); never logged."
    )
    line_channel_secret_file: Path | None = Field(
        None, description="A file holding the LINE channel secret (instead of the variable)."
    )
    line_channel_access_token: SecretStr | None = Field(
        None, description="LINE channel access token (replies, pushes, profiles); never logged."
    )
    line_channel_access_token_file: Path | None = Field(
        None, description="A file holding the LINE channel access token."
    )
    line_api_url: str = Field(
        "https://api.line.me", description="Base URL of the LINE Messaging API."
    )

    def line_credentials(self) -> tuple[str, str] | None:
        """(channel secret, access token) when LINE is configured, else None. ValueError
        naming the setting when only one of them is set or a file cannot be read."""
        secret = _secret(
            self.line_channel_secret,
            self.line_channel_secret_file,
            "TIERDESK_LINE_CHANNEL_SECRET_FILE",
        )
        token = _secret(
            self.line_channel_access_token,
            self.line_channel_access_token_file,
            "TIERDESK_LINE_CHANNEL_ACCESS_TOKEN_FILE",
        )
        if secret is None and token is None:
            return None
        if secret is None or token is None:
            missing = "TIERDESK_LINE_CHANNEL_" + ("SECRET" if secret is None else "ACCESS_TOKEN")
            raise ValueError(f"LINE is half configured: set {missing} (or its _FILE)")
        return secret, token

    def public_base(self) -> str:
        """The public address without a trailing slash (`public_url`, else http://host:port)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

    def resolved_database_url(self) -> str:
        """`database_url`, or the SQLite file `tierdesk.db` under `var_dir` (absolute)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'tierdesk.db').resolve()}"


def ensure_secret(settings: Settings) -> Settings:
    """`settings` with a secret key: the configured one, else the one stored in
    `<var_dir>/secret_key`, else a new random one written there (mode 0600)."""
    if settings.secret_key is not None:
        return settings
    path = settings.var_dir / SECRET_FILE
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
    else:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: two processes starting at once never overwrite each other's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return ensure_secret(settings)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key)
    if len(key) < 32:
        raise ValueError(f"{path}: the secret key is shorter than 32 characters")
    return settings.model_copy(update={"secret_key": SecretStr(key)})
