"""The email channel's `Sender`: each outbox message as one mail through an SMTP relay.

TLS by default (STARTTLS on 587, or implicit TLS on 465 with `security="ssl"`; "none" only for
a relay on the same host), AUTH when a username is configured. The certificate is verified
with the system's CA store. A refused recipient, a dropped connection or a timeout raises, so
the outbox retries with backoff and finally marks the message dead. The password is never
logged or put into an error; errors name the relay as host:port.

SMTP has no idempotency key: a crash after the relay accepted a mail but before the outbox
recorded it sends it again with the same Message-ID, which mail clients show once.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field

from tierdesk.adapters.email.compose import compose
from tierdesk.services.records import OutboxRecord


@dataclass(frozen=True)
class Relay:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls, ssl, none
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


class SmtpError(Exception):
    """The relay refused a mail or could not be reached (the message says which, no secrets)."""


def connect(relay: Relay) -> smtplib.SMTP:
    """An open, authenticated connection to `relay`; SmtpError when that fails."""
    context = relay.context or ssl.create_default_context()
    smtp: smtplib.SMTP | None = None
    try:
        if relay.security == "ssl":
            smtp = smtplib.SMTP_SSL(relay.host, relay.port, timeout=relay.timeout, context=context)
        else:
            smtp = smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout)
            if relay.security == "starttls":
                smtp.starttls(context=context)
        if relay.username:
            smtp.login(relay.username, relay.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        _close(smtp)
        raise SmtpError(f"{relay.where}: login refused ({exc.smtp_code})") from None
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        raise SmtpError(f"{relay.where}: {type(exc).__name__}: {_safe(exc)}") from None
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    """Drop a connection that failed half-way (no QUIT: the relay may be what failed)."""
    if smtp is not None:
        smtp.close()


def _safe(exc: BaseException) -> str:
    return str(exc).replace("\n", " ")[:300]


class SmtpSender:
    """Sends outbox messages as mail from `from_address` through `relay`."""

    def __init__(self, relay: Relay, from_address: str, domain: str) -> None:
        self.relay = relay
        self.from_address = from_address
        self.domain = domain

    def __call__(self, message: OutboxRecord) -> None:
        mail = compose(message, self.from_address, self.domain)
        smtp = connect(self.relay)
        try:
            refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = ", ".join(str(code) for code, _ in exc.recipients.values())
            raise SmtpError(f"{self.relay.where}: recipient refused ({codes})") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpError(f"{self.relay.where}: {type(exc).__name__}: {_safe(exc)}") from None
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        if refused:
            raise SmtpError(f"{self.relay.where}: recipient refused")
