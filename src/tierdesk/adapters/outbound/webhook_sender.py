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

A URL whose host names or resolves to an address that is not global (loopback, private,
link-local such as a cloud metadata service, multicast, reserved; decimal, hex and octal
spellings included) is refused before any request, and the message ends dead at once
(`WebhookRefused`, an `Undeliverable`), unless the helpdesk runs
with `TIERDESK_WEBHOOK_ALLOW_PRIVATE=true` (an on-premises receiver). The check resolves the
host just before the POST; a DNS answer that changes between the check and the connection
(rebinding) is not covered: put an egress proxy in front for that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tierdesk.services.errors import Undeliverable, UnsafeUrl
from tierdesk.services.records import OutboxRecord, WebhookRecord
from tierdesk.services.webhooks import host_and_port, literal_address, unsafe_host

log = logging.getLogger("tierdesk.webhooks")

TIMEOUT = 10.0
USER_AGENT = "tierdesk-webhooks/1"

Lookup = Callable[[str], WebhookRecord | None]
Send = Callable[[OutboxRecord], None]
Resolve = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def url_problem(url: str, resolver: Resolve = resolve) -> str | None:
    """Why `url` must not be called (its host names or resolves to a loopback, private,
    link-local, multicast or reserved address, in any spelling), or None. A host that does
    not resolve now is not a problem here: the delivery checks again."""
    host, port = host_and_port(url)
    if literal_address(host) is not None:
        return unsafe_host(host, ())
    try:
        addresses = resolver(host, port)
    except OSError:
        addresses = []
    return unsafe_host(host, addresses)


def check_registration(url: str) -> None:
    """UnsafeUrl (422 `unsafe_url`) for a URL that reaches a private or local address."""
    problem = url_problem(url)
    if problem is not None:
        raise UnsafeUrl(
            "url", f"refused: {problem} (TIERDESK_WEBHOOK_ALLOW_PRIVATE=true allows it)"
        )


class WebhookGone(Exception):  # noqa: N818 - reads as the reason: the subscription is gone
    """The message's subscription is deactivated or no longer exists: nothing was sent."""


class WebhookFailed(Exception):  # noqa: N818
    """The receiver did not accept the delivery (non-2xx, timeout, network error)."""


class WebhookRefused(WebhookFailed, Undeliverable):
    """The URL reaches a private or local address: never sent, dead at once."""


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    """The request body: compact UTF-8 JSON (what the signature covers, byte for byte)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with `secret`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookSender:
    """A `Sender` for webhook messages: `lookup(webhook_id)` reads the subscription at send
    time. `allow_private` lets URLs reach addresses that are not global (see the module doc).
    `client` (tests) replaces the pooled httpx client; `now` gives Unix seconds; `resolver`
    the host's addresses."""

    def __init__(
        self,
        lookup: Lookup,
        *,
        allow_private: bool = False,
        timeout: float = TIMEOUT,
        client: httpx.Client | None = None,
        now: Callable[[], float] = time.time,
        resolver: Resolve = resolve,
    ) -> None:
        self._lookup = lookup
        self._allow_private = allow_private
        self._resolve = resolver
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
        self._refuse_private(hook_id, hook.url)
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

    def _refuse_private(self, hook_id: str, url: str) -> None:
        """WebhookFailed, before any request, when the URL's host resolves to an address
        that is not global and such addresses are not allowed."""
        if self._allow_private:
            return
        host, port = host_and_port(url)
        addresses: list[str] = []
        if literal_address(host) is None:
            try:
                addresses = self._resolve(host, port)
            except OSError as exc:
                raise WebhookFailed(
                    f"webhook {hook_id}: its host does not resolve ({type(exc).__name__})"
                ) from None
        problem = unsafe_host(host, addresses)
        if problem is not None:
            raise WebhookRefused(
                f"webhook {hook_id}: refused, {problem}; not sent and not retried "
                "(TIERDESK_WEBHOOK_ALLOW_PRIVATE=true allows it)"
            )

    def close(self) -> None:
        self._client.close()
