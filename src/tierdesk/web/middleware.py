"""ASGI middleware: the request-body size limit, defensive response headers, and HEAD.

The size limit refuses a declared `Content-Length` above the limit before reading anything,
and counts the bytes of a streamed (chunked) body as they arrive, so neither form can make the
server buffer more than `max_bytes`. Either way the client gets a 413 problem naming `body`.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tierdesk.web.errors import problem
from tierdesk.web.pages import CSP

_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_DENY_FRAMING = (b"x-frame-options", b"DENY")


BODY_ERROR = {"path": "body", "field": "body", "in": "body", "message": "too large"}


def too_large(max_bytes: int) -> HTTPException:
    """The 413 (an HTTPException, so FastAPI's body reader passes it on unchanged)."""
    return HTTPException(413, f"the request body is larger than {max_bytes} bytes")


class BodyLimit:
    """Refuse request bodies larger than `max_bytes` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            err = too_large(self.max_bytes)
            response = problem(413, "body_too_large", err.detail, errors=[BODY_ERROR])
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body read: the error translator answers 413.
                    raise too_large(self.max_bytes)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class SecurityHeaders:
    """Add nosniff / no-referrer / DENY framing to every response: the API answers JSON only,
    and a browser must never sniff stored customer text into HTML. Every HTML answer that has
    no Content-Security-Policy of its own gets the pages' (no inline script). A response whose
    own policy says who may frame it (the chat widget's `frame-ancestors`) gets no
    X-Frame-Options: DENY would contradict it where a client reads only the older header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), *_SECURITY_HEADERS]
                names = {name.lower(): value for name, value in headers}
                html = names.get(b"content-type", b"").startswith(b"text/html")
                own = names.get(b"content-security-policy")
                if html and own is None:
                    headers.append((b"content-security-policy", CSP.encode()))
                if own is None or b"frame-ancestors 'none'" in own:
                    headers.append(_DENY_FRAMING)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """Answer HEAD wherever GET is answered (RFC 9110: the same status and headers, no body).

    FastAPI routes declared with GET do not take HEAD (a 405 on /docs and every page), so a
    HEAD request is run as the GET it stands for and the body is dropped on the way out. Where
    GET is not answered either, the client gets that answer (404, or 405 naming the methods)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
