"""A local stand-in of the LINE Messaging API on 127.0.0.1, checking requests as the real one
does: the bearer token, JSON shapes (reply, push, text messages), reply tokens (issued here,
used once, expiring), X-Line-Retry-Key (a repeat is 409), a used-up monthly quota (429), users
who blocked the account (400 "Failed to send messages"), profiles and the bot's info.
Error bodies are LINE's: `{"message": ..., "details": [...]}`.

Tests start it with `LineStandIn.start()`; people with
`python tests/integration/db/line_standin.py --port 8701 --token TOKEN`.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLY_TOKEN_TTL = 60.0  # seconds, as LINE documents
_USER = re.compile(r"^U[0-9a-f]{32}$")
_MESSAGE_KEYS = {"type", "text", "quickReply", "sender", "emojis", "quoteToken"}


@dataclass
class Sent:
    """One message LINE accepted: how (reply or push), to whom, the texts."""

    via: str
    to: str
    texts: list[str]
    retry_key: str | None = None


@dataclass
class LineStandIn:
    token: str = "standin-access-token"
    bot_name: str = "tierdesk stand-in"
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    quota_left: int | None = None  # None: no monthly limit
    reply_ttl: float = REPLY_TOKEN_TTL
    sent: list[Sent] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> user, at
    _retry_keys: set[str] = field(default_factory=set)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what a test arranges ------------------------------------------------------------------

    def issue_reply_token(self, user_id: str) -> str:
        """A reply token as LINE puts in a webhook event of `user_id`."""
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = (user_id, time.monotonic())
        return token

    def expire(self, token: str) -> None:
        with self._lock:
            user, _ = self._tokens[token]
            self._tokens[token] = (user, time.monotonic() - self.reply_ttl - 1)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @classmethod
    def start(cls, port: int = 0, **kwargs: Any) -> LineStandIn:
        standin = cls(**kwargs)
        standin._server = ThreadingHTTPServer(("127.0.0.1", port), standin._handler())
        threading.Thread(target=standin._server.serve_forever, daemon=True).start()
        return standin

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- the API -------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(*standin.handle("GET", self.path, dict(self.headers), b""))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                self._answer(*standin.handle("POST", self.path, dict(self.headers), body))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-line-request-id", str(uuid.uuid4()))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": headers})
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 401, {
                    "message": "Authentication failed. Confirm that the access token in the "
                    "authorization header is valid."
                }
            if method == "GET" and path == "/v2/bot/info":
                return 200, {
                    "userId": "U" + "0" * 32,
                    "basicId": "@000standin",
                    "displayName": self.bot_name,
                    "chatMode": "bot",
                    "markAsReadMode": "auto",
                }
            if method == "GET" and path.startswith("/v2/bot/profile/"):
                user = path.rsplit("/", 1)[-1]
                found = self.profiles.get(user)
                if found is None or user in self.blocked:
                    return 404, {"message": "Not found"}
                return 200, {"userId": user, **found}
            if method == "POST" and path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
                if not headers.get("Content-Type", "").startswith("application/json"):
                    return 415, {"message": "The content type is not supported"}
                try:
                    request = json.loads(body)
                except ValueError:
                    return 400, {"message": "The request body could not be parsed as JSON"}
                if path.endswith("reply"):
                    return self._reply(request)
                return self._push(request, headers.get("X-Line-Retry-Key"))
            return 404, {"message": "Not found"}

    def _reply(self, request: Any) -> tuple[int, dict[str, Any]]:
        problems = _shape(request, "replyToken")
        if problems:
            return _invalid(problems)
        token = request["replyToken"]
        issued = self._tokens.pop(token, None)  # used once, whatever happens next
        if issued is None or time.monotonic() - issued[1] > self.reply_ttl:
            return 400, {"message": "Invalid reply token"}
        return self._deliver("reply", issued[0], request["messages"], None)

    def _push(self, request: Any, retry_key: str | None) -> tuple[int, dict[str, Any]]:
        problems = _shape(request, "to")
        if not problems and not _USER.match(request["to"]):
            problems.append(("to", "The value is not a valid user, group or room ID"))
        if retry_key is not None:
            try:
                uuid.UUID(retry_key)
            except ValueError:
                problems.append(("X-Line-Retry-Key", "The retry key must be a UUID"))
        if problems:
            return _invalid(problems)
        if retry_key is not None and retry_key in self._retry_keys:
            return 409, {"message": "The retry key is already accepted"}
        if request["to"] in self.blocked:
            return 400, {"message": "Failed to send messages"}
        if self.quota_left is not None and self.quota_left < len(request["messages"]):
            return 429, {"message": "You have reached your monthly limit."}
        if retry_key is not None:
            self._retry_keys.add(retry_key)
        return self._deliver("push", request["to"], request["messages"], retry_key)

    def _deliver(
        self, via: str, to: str, messages: list[dict[str, Any]], key: str | None
    ) -> tuple[int, dict[str, Any]]:
        if self.quota_left is not None and via == "push":
            self.quota_left -= len(messages)
        self.sent.append(Sent(via, to, [m["text"] for m in messages], key))
        return 200, {"sentMessages": [{"id": secrets.token_hex(8)} for _ in messages]}


def _shape(request: Any, target: str) -> list[tuple[str, str]]:
    """What is wrong with a reply or push body (property, message), as LINE reports it."""
    if not isinstance(request, dict):
        return [("", "The request body must be a JSON object")]
    problems: list[tuple[str, str]] = []
    if not isinstance(request.get(target), str) or not request[target]:
        problems.append((target, "Must not be empty"))
    messages = request.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return [*problems, ("messages", "Size must be between 1 and 5")]
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("type") != "text":
            problems.append((f"messages[{i}].type", "Only text messages are expected here"))
            continue
        extra = set(m) - _MESSAGE_KEYS
        if extra:
            problems.append((f"messages[{i}]", f"Unknown properties: {sorted(extra)}"))
        text = m.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 5000:
            problems.append((f"messages[{i}].text", "Length must be between 1 and 5000"))
    return problems


def _invalid(problems: list[tuple[str, str]]) -> tuple[int, dict[str, Any]]:
    return 400, {
        "message": f"The request body has {len(problems)} error(s)",
        "details": [{"message": m, "property": p} for p, m in problems],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--token", default="standin-access-token")
    args = parser.parse_args()
    running = LineStandIn.start(args.port, token=args.token)
    print(f"LINE stand-in on {running.url} (token {args.token!r}); Ctrl-C stops", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()
