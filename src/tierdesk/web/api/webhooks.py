"""Outgoing webhook subscriptions (admin only): add, list, deactivate. A subscription's secret
is shown once, in the answer that creates it; it is never listed or logged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from tierdesk import bootstrap
from tierdesk.services import webhooks
from tierdesk.services.records import WebhookRecord
from tierdesk.services.users import USER_ADMIN_ROLES
from tierdesk.web.api.common import State
from tierdesk.web.auth import Principal, require_role
from tierdesk.web.schemas import WebhookCreated, WebhookIn, WebhookOut

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
# Checked here too (the services check again), so a non-admin gets 403 before any validation.
Admin = Annotated[Principal, Depends(require_role(USER_ADMIN_ROLES, "manage webhooks"))]
WebhookId = Annotated[str, Path(min_length=1, max_length=100)]


def _out(hook: WebhookRecord) -> WebhookOut:
    return WebhookOut(
        id=hook.id,
        url=hook.url,
        events=list(hook.events),
        active=hook.active,
        created_by=hook.created_by,
        created_at=hook.created_at,
    )


@router.post("", status_code=201, response_model=WebhookCreated)
def add_webhook(body: WebhookIn, admin: Admin, state: State) -> WebhookCreated:
    """Subscribe a URL to ticket events. Each delivery is a signed POST (see docs/api.md);
    the secret is shown only in this answer. 422 naming `url`, `events` or `secret` for a bad
    value; 422 `unsafe_url` for a URL naming or resolving to a loopback, private, link-local,
    multicast or reserved address (unless TIERDESK_WEBHOOK_ALLOW_PRIVATE)."""
    record, secret = webhooks.add(
        state.env,
        admin.user_id,
        body.url,
        body.events,
        body.secret,
        check_url=bootstrap.webhook_url_check(state.settings),
    )
    return WebhookCreated(secret=secret, **_out(record).model_dump())


@router.get("", response_model=list[WebhookOut])
def list_webhooks(admin: Admin, state: State) -> list[WebhookOut]:
    """Every subscription, deactivated ones too, oldest first (never their secrets)."""
    return [_out(h) for h in webhooks.list_all(state.env, admin.user_id)]


@router.delete("/{webhook_id}", status_code=204)
def deactivate_webhook(webhook_id: WebhookId, admin: Admin, state: State) -> Response:
    """Deactivate a subscription: nothing more is queued for it and its queued deliveries
    are not sent. Deactivating twice is fine; 404 for an unknown id."""
    webhooks.deactivate(state.env, admin.user_id, webhook_id)
    return Response(status_code=204)
