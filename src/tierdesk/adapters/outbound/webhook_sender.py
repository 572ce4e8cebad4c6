"""The HTTP sender of outgoing webhooks (outbox messages of kind "webhook").

Each delivery is one POST of the message's JSON payload to the subscription's URL as it is at
send time, with:

- `X-Tierdesk-Event`: the event kind (`opened`, `escalated`, ...);
- `X-Tierdesk-Delivery`: the message's dedupe key `{ticket}:{seq}:webhook:{webhook}`, the same
  on every retry: receivers deduplicate on it (a crash between the POST and recording it as
  sent makes the worker send it again);
- `X-Tierdesk-Timestamp`: Unix seconds when this attempt was signed;
- `X-Tierdesk-Signature`: `sha256=` + hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with the
  subscription's secret.

Any answer other than 2xx (redirects are not followed), a timeout (10 s) or a network error
raises, so the outbox retries with backoff and finally marks the message dead. A message whose
subscription was deactivated or deleted raises `WebhookGone` without any request: it retries
like any failure (a cheap lookup, nothing sent) and ends dead with that reason in `last_error`.
Neither secrets nor URLs (which may carry credentials) appear in errors or logs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tierdesk.services.records import OutboxRecord, WebhookRecord

log = logging.getLogger("tierdesk.webhooks")

TIMEOUT = 10.0
USER_AGENT = "tierdesk-webhooks/1"

Lookup = Callable[[str], WebhookRecord | None]
Send = Callable[[OutboxRecord], None]


class WebhookGone(Exception):  # noqa: N818 - reads as the reason: the subscription is gone
    """The message's subscription is deactivated or no longer exists: nothing was sent."""


class WebhookFailed(Exception):  # noqa: N818
    """The receiver did not accept the delivery (non-2xx, timeout, network error)."""


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    """The request body: compact UTF-8 JSON (what the signature covers, byte for byte)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with `secret`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookSender:
    """A `Sender` for webhook messages: `lookup(webhook_id)` reads the subscription at send
    time. `client` (tests) replaces the pooled httpx client; `now` gives Unix seconds."""

    def __init__(
        self,
        lookup: Lookup,
        *,
        timeout: float = TIMEOUT,
        client: httpx.Client | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._lookup = lookup
        self._client = client or httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )
        self._now = now

    def __call__(self, message: OutboxRecord) -> None:
        hook_id = message.recipient
        hook = self._lookup(hook_id)
        if hook is None:
            raise WebhookGone(f"webhook {hook_id} no longer exists; not sent")
        if not hook.active:
            raise WebhookGone(f"webhook {hook_id} is deactivated; not sent")
        body = body_bytes(message.payload)
        stamp = str(int(self._now()))
        event = message.payload.get("event", {}).get("kind", "")
        headers = {
            "Content-Type": "application/json",
            "X-Tierdesk-Event": str(event),
            "X-Tierdesk-Delivery": message.dedupe_key,
            "X-Tierdesk-Timestamp": stamp,
            "X-Tierdesk-Signature": signature(hook.secret, stamp, body),
        }
        try:
            response = self._client.post(hook.url, content=body, headers=headers)
        except Exception as exc:  # network errors, timeouts, a URL httpx refuses
            reason = str(exc).replace(hook.url, "<url>")
            raise WebhookFailed(f"webhook {hook_id}: {type(exc).__name__}: {reason}") from None
        if not response.is_success:
            raise WebhookFailed(f"webhook {hook_id}: HTTP {response.status_code}")
        log.debug("webhook %s: delivered %s", hook_id, message.dedupe_key)

    def close(self) -> None:
        self._client.close()


class RoutingSender:
    """A `Sender` that hands each message to the sender of its kind, else to `default`."""

    def __init__(self, default: Send, routes: Mapping[str, Send]) -> None:
        self._default = default
        self._by_kind = dict(routes)

    def __call__(self, message: OutboxRecord) -> None:
        self._by_kind.get(message.kind, self._default)(message)
