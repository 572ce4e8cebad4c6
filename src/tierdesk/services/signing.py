"""Signed, expiring tokens (HMAC-SHA256 with a per-purpose key, standard library only) and
the customer's magic link built from them.

The web app signs its cookies and form tokens with `Signer`; the services get
`Env.customer_link(customer_id)`, the absolute address of the customer's own page (/my/...),
which the composition root builds from TIERDESK_PUBLIC_URL and the secret key
(`customer_link_builder`), so a receipt queued by the email poller carries the same link the
web app would make and the web app opens it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

CUSTOMER_LINK = "customer-link"  # the purpose of a magic-link token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Sign and check small JSON payloads with an expiry (`exp`, POSIX seconds)."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the signing secret must be at least 16 characters")
        self._secret = secret.encode("utf-8")

    def _mac(self, purpose: str, body: str) -> str:
        key = hmac.new(self._secret, purpose.encode("ascii"), hashlib.sha256).digest()
        return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())

    def dumps(self, purpose: str, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(purpose, body)}"

    def loads(self, purpose: str, signed: str, now: datetime) -> dict[str, Any] | None:
        """The payload, or None when the signature is wrong, it is malformed or expired."""
        body, _, mac = signed.partition(".")
        if not body or not hmac.compare_digest(mac.encode(), self._mac(purpose, body).encode()):
            return None
        try:
            payload = json.loads(_unb64(body))
        except ValueError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int | float):
            return None
        return payload if payload["exp"] > now.timestamp() else None


def customer_token(signer: Signer, customer_id: str, expires: datetime) -> str:
    """A magic-link token naming the customer, valid until `expires`."""
    return signer.dumps(CUSTOMER_LINK, {"c": customer_id, "exp": int(expires.timestamp())})


def customer_of_token(signer: Signer, token: str, now: datetime) -> str | None:
    """The customer a magic-link token names, or None (forged, of another purpose, expired)."""
    payload = signer.loads(CUSTOMER_LINK, token, now)
    customer = payload.get("c") if payload else None
    return customer if isinstance(customer, str) else None


def customer_link_builder(
    signer: Signer, public_base: str, max_age: timedelta, clock: Callable[[], datetime]
) -> Callable[[str], str]:
    """`customer_link(customer_id)`: the absolute address of the customer's page, the token
    valid for `max_age` from `clock()` (the links in mail: TIERDESK_CUSTOMER_LINK_MAIL_MAX_AGE)."""
    base = public_base.rstrip("/")

    def customer_link(customer_id: str) -> str:
        return f"{base}/my/{customer_token(signer, customer_id, clock() + max_age)}"

    return customer_link
