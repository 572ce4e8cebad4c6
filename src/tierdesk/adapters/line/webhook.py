"""The LINE webhook: the SDK checks the signature and parses the events; we keep what we use.

`LineWebhook.parse` raises `LineSignatureError` for a missing or forged `X-Line-Signature`
before anything in the body is read, so a forged request can store nothing.
"""

from __future__ import annotations

import json
from typing import Any

from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    ImageMessageContent,
    MessageEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from tierdesk.services.line import LineEvent


class LineSignatureError(ValueError):
    """The request is not signed with this channel's secret (or not signed at all)."""


class LineWebhook:
    """Verifies and parses webhook bodies of one LINE channel."""

    def __init__(self, channel_secret: str) -> None:
        self._parser = WebhookParser(channel_secret)

    def parse(self, body: str, signature: str | None) -> list[LineEvent]:
        """The events of a signed body. LineSignatureError when the signature is missing or
        wrong; ValueError (naming what) when the body is not a webhook body."""
        if not signature:
            raise LineSignatureError("the X-Line-Signature header is missing")
        try:
            events = self._parser.parse(body, signature)
        except InvalidSignatureError:
            raise LineSignatureError("the X-Line-Signature does not match the body") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a LINE webhook body: {exc}") from None
        return [_event(e, raw) for e, raw in zip(events, _raw_events(body), strict=True)]


def _raw_events(body: str) -> list[dict[str, Any]]:
    events = json.loads(body).get("events", [])
    return [e if isinstance(e, dict) else {} for e in events]


def _event(event: Event, raw: dict[str, Any]) -> LineEvent:
    # Unknown event types parse as the SDK's UnknownEvent, which may lack the typed fields.
    event_id = str(getattr(event, "webhook_event_id", None) or raw.get("webhookEventId") or "")
    if not event_id:
        raise ValueError("an event has no webhookEventId")
    context = getattr(event, "delivery_context", None)
    source = getattr(event, "source", None)
    user = source.user_id if isinstance(source, UserSource) else None
    base: dict[str, Any] = {
        "event_id": event_id,
        "user_id": user,
        "redelivery": bool(context is not None and context.is_redelivery),
        "reply_token": getattr(event, "reply_token", None),
    }
    if isinstance(event, FollowEvent):
        return LineEvent(kind="follow", **base)
    if isinstance(event, UnfollowEvent):
        return LineEvent(kind="unfollow", **base)
    if isinstance(event, MessageEvent):
        return _message(event, base)
    return LineEvent(kind="other", **base)


def _message(event: MessageEvent, base: dict[str, Any]) -> LineEvent:
    content = event.message
    if isinstance(content, TextMessageContent):
        return LineEvent(kind="message", message_type="text", text=content.text, **base)
    if isinstance(content, ImageMessageContent):
        text = f"[image: LINE message {content.id}]"
        return LineEvent(kind="message", message_type="image", text=text, **base)
    if isinstance(content, StickerMessageContent):
        words = ", ".join(content.keywords or [])
        about = f" ({words})" if words else ""
        text = f"[sticker {content.package_id}/{content.sticker_id}{about}]"
        return LineEvent(kind="message", message_type="sticker", text=text, **base)
    kind = str(getattr(content, "type", "unknown"))
    return LineEvent(kind="other", message_type=kind, **base)
