"""The outbox's LINE sender, through the SDK's MessagingApi.

A message answers with the user's reply token while one is valid (free, and LINE shows it as
an answer), else it is pushed with `X-Line-Retry-Key` derived from the outbox dedupe key, so a
retried push is accepted once (LINE answers 409 to the repeat, which counts as sent). Failures
that retrying cannot fix raise `Undeliverable` (the outbox marks the message dead at once):
the user blocked the account (an unfollow event, or LINE refusing the send), the monthly
message quota is used up. A rate limit (429) or a server error is retried with backoff.

The channel access token goes into the SDK's Configuration and nowhere else: error messages
name the status and LINE's message, never the request headers.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)

from tierdesk.services.errors import Undeliverable
from tierdesk.services.line import LineProfile
from tierdesk.services.records import OutboxRecord

log = logging.getLogger(__name__)

MAX_TEXT = 5000  # LINE: characters in one text message
MAX_MESSAGES = 5  # LINE: messages in one reply or push
TIMEOUT = 10.0  # seconds; below the outbox's send budget
_RETRY_NAMESPACE = uuid.UUID("6b1f0e3c-6a43-4c57-9d1e-7f0d1c2b3a40")


class LineError(RuntimeError):
    """LINE refused a request in a way a later attempt may get past (rate limit, 5xx)."""


def chunks(text: str) -> list[str]:
    """`text` in LINE-sized text messages (at most 5 of 5,000 characters; the rest is cut)."""
    parts = [text[i : i + MAX_TEXT] for i in range(0, max(len(text), 1), MAX_TEXT)]
    return parts[:MAX_MESSAGES]


def retry_key(dedupe_key: str) -> str:
    """The X-Line-Retry-Key of a message: a UUID, the same for every attempt."""
    return str(uuid.uuid5(_RETRY_NAMESPACE, dedupe_key))


class LineSender:
    """Sends outbox messages to LINE users (see the module doc). `claim_reply_token(user)`
    hands out a valid reply token once, `blocked(user)` says the user unfollowed."""

    def __init__(
        self,
        access_token: str,
        *,
        api_url: str = "https://api.line.me",
        claim_reply_token: Callable[[str], str | None] = lambda _: None,
        blocked: Callable[[str], bool] = lambda _: False,
        timeout: float = TIMEOUT,
    ) -> None:
        self._config = Configuration(host=api_url.rstrip("/"), access_token=access_token)
        self._client = ApiClient(self._config)
        self._api = MessagingApi(self._client)
        self._claim = claim_reply_token
        self._blocked = blocked
        self._timeout = timeout

    def __call__(self, message: OutboxRecord) -> None:
        """Deliver `message` to the LINE user `message.recipient`."""
        user = message.recipient
        if self._blocked(user):
            raise Undeliverable(f"LINE user {user} has blocked the account (unfollowed)")
        texts = [
            TextMessage(text=t, quickReply=None, quoteToken=None)
            for t in chunks(str(message.payload.get("text", "")))
        ]
        token = self._claim(user)
        if token is not None and self._reply(token, texts):
            return
        self._push(user, texts, retry_key(message.dedupe_key))

    def _reply(self, token: str, texts: list[TextMessage]) -> bool:
        """True when the reply went out; False when the token was no longer valid."""
        request = ReplyMessageRequest(replyToken=token, messages=texts, notificationDisabled=False)
        try:
            self._api.reply_message(request, _request_timeout=self._timeout)
        except ApiException as exc:
            if exc.status == 400 and "reply token" in _message(exc).lower():
                return False  # expired or used: push instead
            raise _failure(exc, "reply") from None
        return True

    def _push(self, user: str, texts: list[TextMessage], key: str) -> None:
        request = PushMessageRequest(
            to=user, messages=texts, notificationDisabled=False, customAggregationUnits=None
        )
        try:
            self._api.push_message(request, x_line_retry_key=key, _request_timeout=self._timeout)
        except ApiException as exc:
            if exc.status == 409:
                return  # LINE accepted this retry key before: the message went out
            raise _failure(exc, "push") from None

    def profile(self, user_id: str) -> LineProfile:
        """The user's display name and language; an empty profile when LINE does not give
        one (the user blocked us, has not agreed to share it, LINE is down): the customer is
        then created without a name, and the ticket is not held up."""
        try:
            found = self._api.get_profile(user_id, _request_timeout=self._timeout)
        except ApiException as exc:
            log.warning("LINE profile of %s: %s", user_id, _summary(exc))
            return LineProfile()
        except OSError as exc:  # urllib3 raises its network errors as OSError subclasses
            log.warning("LINE profile of %s: %s", user_id, type(exc).__name__)
            return LineProfile()
        return LineProfile(found.display_name or "", getattr(found, "language", None))

    def check(self) -> str:
        """One line on the connection: the bot's name, or what is wrong (channels check)."""
        try:
            info = self._api.get_bot_info(_request_timeout=self._timeout)
        except ApiException as exc:
            return f"failed: {_summary(exc)}"
        except OSError as exc:
            return f"failed: cannot reach {self._config.host} ({type(exc).__name__})"
        return f"ok: bot {info.display_name} ({info.basic_id})"

    def close(self) -> None:
        self._client.close()


def _message(exc: ApiException) -> str:
    """LINE's error message (its JSON body's `message`), or the raw reason."""
    try:
        body = json.loads(exc.body or b"{}")
    except (ValueError, TypeError):
        return str(exc.reason or "")
    return str(body.get("message", exc.reason or "")) if isinstance(body, dict) else ""


def _summary(exc: ApiException) -> str:
    return f"HTTP {exc.status}: {_message(exc)}"


def _failure(exc: ApiException, what: str) -> Exception:
    """The exception for a refused send: Undeliverable when retrying cannot help."""
    text = _message(exc)
    if exc.status == 429 and "monthly limit" in text.lower():
        return Undeliverable(f"LINE {what}: the monthly message quota is used up ({text})")
    if exc.status in (400, 403) and "failed to send messages" in text.lower():
        return Undeliverable(f"LINE {what}: LINE will not deliver to this user ({text})")
    if exc.status in (400, 403, 404, 413, 415):  # 401: a token being fixed, so retried
        return Undeliverable(f"LINE {what}: HTTP {exc.status}: {text}")
    return LineError(f"LINE {what}: HTTP {exc.status}: {text}")
