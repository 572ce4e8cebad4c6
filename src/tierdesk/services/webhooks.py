"""Outgoing webhooks: admin-managed subscriptions to ticket events, delivered by the outbox.

A subscription names a URL (http or https), the event kinds it wants (`EventKind` values, or
"*" for all) and a secret that signs every delivery. `queue` is called for every saved ticket
change (`tierdesk.services.unit.save`), in the same unit of work: each new event queues ONE
outbox message per matching active subscription, with the dedupe key
`{ticket_id}:{seq}:webhook:{webhook_id}`, so a retried command or sweep never queues the same
delivery twice. The outbox worker sends it (`tierdesk.adapters.outbound.webhook_sender`),
looking the subscription up again at send time: its current URL and secret are used, and a
message of a deactivated or deleted subscription fails (and ends dead) instead of being sent.

The active subscriptions are read once per unit of work (an intake batch opens many tickets in
one), not once per event: a subscription added or deactivated while a unit of work is open
applies from the next one.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.ports import UnitOfWork, WebhookRepository
from tierdesk.services.records import OutboxRecord, TicketRecord, WebhookRecord, new_id
from tierdesk.services.users import USER_ADMIN_ROLES, actor

KIND = "webhook"  # the outbox kind and channel of a delivery
ALL = "*"
EVENT_KINDS: frozenset[str] = frozenset(k.value for k in EventKind)
URL_MAX = 2000
SECRET_MIN = 16
SECRET_MAX = 200

# The active subscriptions as read by a unit of work, keyed by its repository object (the
# in-memory fake makes a new one per transaction; the SQL unit of work one per unit of work).
_ACTIVE: weakref.WeakKeyDictionary[WebhookRepository, tuple[WebhookRecord, ...]] = (
    weakref.WeakKeyDictionary()
)


def valid_url(url: str) -> str:
    """`url` trimmed, when it is http(s) with a host; InvalidInput naming `url` otherwise."""
    text = url.strip()
    if not text or len(text) > URL_MAX:
        raise InvalidInput("url", f"1-{URL_MAX} characters")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidInput("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidInput("url", "not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput("url", "must start with http:// or https://")
    if not host:
        raise InvalidInput("url", "must name a host, e.g. https://example.com/hook")
    return text


_LOCAL_NAMES = ("localhost", "metadata", "metadata.google.internal")
UrlCheck = Callable[[str], None]


def unsafe_address(address: str) -> bool:
    """True for an IP address an outgoing request must not reach unless allowed: loopback,
    private, link-local (cloud metadata 169.254.169.254), multicast, unspecified, reserved,
    and IPv6 forms of these (IPv4-mapped included)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def literal_address(host: str) -> str | None:
    """The IP address `host` spells, in any form a resolver accepts without DNS: dotted,
    decimal (2130706433), hex (0x7f000001), octal (0177.0.0.1), short (127.1), IPv6."""
    text = host.strip("[]")
    try:
        return str(ipaddress.ip_address(text.split("%")[0]))
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(text))
    except OSError:
        return None


def host_and_port(url: str) -> tuple[str, int]:
    """The host (lower case, no brackets) and port (default by scheme) of a valid URL."""
    parts = urlsplit(url)
    default = 443 if parts.scheme.lower() == "https" else 80
    return (parts.hostname or ""), (parts.port or default)


def unsafe_host(host: str, addresses: Iterable[str]) -> str | None:
    """Why a URL's `host` (resolving to `addresses`) must not be called, or None."""
    name = host.strip("[]").rstrip(".").lower()
    if name in _LOCAL_NAMES or name.endswith((".localhost", ".local", ".internal")):
        return f"{name} is a local name"
    literal = literal_address(name)
    for address in (literal,) if literal is not None else addresses:
        if unsafe_address(address):
            shown = ipaddress.ip_address(address.split("%")[0])
            return f"it resolves to {shown}, a private or local address"
    return None


def valid_events(events: Iterable[str]) -> tuple[str, ...]:
    """The event kinds, in order without repeats: `EventKind` values, or just "*"."""
    kinds = tuple(dict.fromkeys(events))
    if not kinds:
        raise InvalidInput("events", 'name at least one event kind, or "*" for all')
    if ALL in kinds:
        if len(kinds) > 1:
            raise InvalidInput("events", '"*" already means every event: give it alone')
        return kinds
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise InvalidInput(
            "events",
            f"unknown event kind(s) {', '.join(map(repr, unknown))}; "
            f'use "*" or any of {", ".join(sorted(EVENT_KINDS))}',
            value=unknown,
        )
    return kinds


def _valid_secret(secret: str) -> str:
    if not SECRET_MIN <= len(secret) <= SECRET_MAX or not secret.isprintable():
        # The value is never echoed back: it is a secret.
        raise InvalidInput("secret", f"{SECRET_MIN}-{SECRET_MAX} printable characters")
    return secret


def add(
    env: Env,
    actor_id: str,
    url: str,
    events: Sequence[str],
    secret: str | None = None,
    check_url: UrlCheck | None = None,
) -> tuple[WebhookRecord, str]:
    """A new active subscription (admins only). Returns the record and its secret, which the
    caller shows once; a random one (`secrets.token_urlsafe(32)`) when none is given.
    `check_url` (the entry point's, which may resolve the host) raises UnsafeUrl for a URL
    that reaches a private or local address."""
    target = valid_url(url)
    if check_url is not None:
        check_url(target)
    kinds = valid_events(events)
    key = secrets.token_urlsafe(32) if secret is None else _valid_secret(secret)
    with env.uow() as uow:
        who = actor(uow, actor_id, USER_ADMIN_ROLES, "manage webhooks")
        record = WebhookRecord(
            id=new_id("wh"),
            url=target,
            secret=key,
            events=kinds,
            created_by=who.id,
            created_at=env.now(),
        )
        uow.webhooks.add(record)
        uow.commit()
    return record, key


def list_all(env: Env, actor_id: str) -> list[WebhookRecord]:
    """Every subscription, deactivated ones too, oldest first (admins only). The records
    hold the secrets: callers never show them."""
    with env.reader() as uow:
        actor(uow, actor_id, USER_ADMIN_ROLES, "manage webhooks")
        return uow.webhooks.list()


def deactivate(env: Env, actor_id: str, webhook_id: str) -> WebhookRecord:
    """Stop a subscription (admins only): no new messages are queued for it, and its queued
    ones are not sent. Idempotent; NotFound for an unknown id."""
    with env.uow() as uow:
        actor(uow, actor_id, USER_ADMIN_ROLES, "manage webhooks")
        hook = uow.webhooks.get(webhook_id)
        if hook is None:
            raise NotFound("webhook", webhook_id)
        if not hook.active:
            return hook
        hook = replace(hook, active=False)
        uow.webhooks.save(hook)
        uow.commit()
        return hook


def subscription(env: Env, webhook_id: str) -> WebhookRecord | None:
    """The subscription as it is now (for the sender, at send time), active or not."""
    with env.reader() as uow:
        return uow.webhooks.get(webhook_id)


def wants(hook: WebhookRecord, kind: str) -> bool:
    """True when an active subscription asked for events of `kind`."""
    return hook.active and (ALL in hook.events or kind in hook.events)


def _active(uow: UnitOfWork) -> tuple[WebhookRecord, ...]:
    repo = uow.webhooks
    found = _ACTIVE.get(repo)
    if found is None:
        found = tuple(repo.list(active_only=True))
        _ACTIVE[repo] = found
    return found


def event_payload(event: TicketEvent) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "reason": event.reason,
        "data": dict(event.data),
    }


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def ticket_payload(ticket: TicketRecord) -> dict[str, Any]:
    """The ticket as a delivery shows it: its state after the command that made the event."""
    return {
        "id": ticket.id,
        "version": ticket.version,
        "status": ticket.status,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "queue": ticket.queue,
        "category": ticket.category,
        "channel": ticket.channel,
        "language": ticket.language,
        "subject": ticket.subject,
        "customer_id": ticket.customer_id,
        "assignee_id": ticket.assignee_id,
        "related_to": ticket.related_to,
        "merged_into": ticket.merged_into,
        "escalation_count": ticket.escalation_count,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "resolved_at": _iso(ticket.resolved_at),
        "closed_at": _iso(ticket.closed_at),
    }


def dedupe_key(ticket_id: str, seq: int, webhook_id: str) -> str:
    return f"{ticket_id}:{seq}:{KIND}:{webhook_id}"


def queue(uow: UnitOfWork, events: Sequence[TicketEvent], ticket: TicketRecord) -> int:
    """Queue one delivery per (new event, matching active subscription) in the open unit of
    work; the number queued (a delivery already queued is not queued again)."""
    if not events:
        return 0
    hooks = _active(uow)
    if not hooks:
        return 0
    shown = ticket_payload(ticket)
    queued = 0
    for event in events:
        kind = event.kind.value
        for hook in hooks:
            if not wants(hook, kind):
                continue
            message = OutboxRecord(
                id=new_id("o"),
                kind=KIND,
                channel=KIND,
                recipient=hook.id,
                payload={"event": event_payload(event), "ticket": shown},
                dedupe_key=dedupe_key(ticket.id, event.seq, hook.id),
                created_at=event.at,
                next_attempt_at=event.at,
                ticket_id=ticket.id,
            )
            queued += uow.outbox.add(message)
    return queued
