"""POST /channels/line/webhook: LINE's Messaging API webhook.

No sign-in: the `X-Line-Signature` (HMAC-SHA256 of the body with the channel secret) is the
credential, checked by the SDK before anything is read; missing or forged is 401 and stores
nothing. The 200 is sent only after every event is stored and handled (`services.line`); any
failure answers 500, so LINE redelivers and the redelivery is handled once.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from tierdesk import bootstrap
from tierdesk.services import line
from tierdesk.web.api.common import State
from tierdesk.web.errors import WebError

router = APIRouter(prefix="/channels/line", tags=["channels"])


class HandledOut(BaseModel):
    event_id: str
    outcome: str
    ticket_id: str | None


class WebhookOut(BaseModel):
    handled: list[HandledOut]


@router.post(
    "/webhook",
    response_model=WebhookOut,
    responses={401: {"description": "Missing or forged X-Line-Signature"}},
)
async def line_webhook(
    request: Request,
    state: State,
    x_line_signature: Annotated[str | None, Header(max_length=200)] = None,
) -> WebhookOut:
    """Receive LINE webhook events (text, image, sticker, follow, unfollow)."""
    channel = state.line
    if channel is None:
        raise WebError(404, "not_found", "the LINE channel is not configured")
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
        events = channel.webhook.parse(body, x_line_signature)
    except (UnicodeDecodeError, bootstrap.LineSignatureError) as exc:
        detail = str(exc) if isinstance(exc, bootstrap.LineSignatureError) else "not UTF-8"
        raise WebError(401, "invalid_signature", f"LINE webhook refused: {detail}") from None
    except ValueError as exc:
        raise WebError(400, "malformed_webhook", str(exc)) from None
    done = await asyncio.to_thread(line.handle, state.env, events, channel.sender.profile)
    return WebhookOut(
        handled=[
            HandledOut(event_id=h.event_id, outcome=h.outcome, ticket_id=h.ticket_id) for h in done
        ]
    )
