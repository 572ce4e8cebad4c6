"""Settings of a running tierdesk (pydantic-settings, environment prefix `TIERDESK_`).

Every field can be set as `TIERDESK_<NAME>` (e.g. `TIERDESK_DATABASE_URL`). The session
signing key is never logged or printed: when `TIERDESK_SECRET_KEY` is unset, `ensure_secret`
reads it from (or creates it in) `<var_dir>/secret_key`, readable by the owner only.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


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
