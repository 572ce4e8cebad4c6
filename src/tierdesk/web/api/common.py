"""Small helpers the routers share: versions (If-Match / ETag), client IPs, rate limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request, Response

from tierdesk.services.records import TicketRecord, UserRecord
from tierdesk.web.errors import WebError
from tierdesk.web.ratelimit import RateLimiter
from tierdesk.web.schemas import UserOut
from tierdesk.web.state import WebState, web_state

# A version number, quoted or not, weak or not, or "*" (any version).
IF_MATCH = r'^ *(\*|(W/)?"?[0-9]{1,12}"?) *$'
State = Annotated[WebState, Depends(web_state)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        pattern=IF_MATCH,
        description='The ticket version the change is based on ("3" or 3); stale -> 409.',
    ),
]


def invalid_field(path: str, message: str) -> WebError:
    """A 422 `invalid_request` naming one field by its path (e.g. `body.email`)."""
    field = path.rsplit(".", 1)[-1]
    error = {"path": path, "field": field, "in": path.split(".")[0], "message": message}
    return WebError(422, "invalid_request", f"invalid request: {path}", errors=[error])


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    """The version a ticket command is based on: the body's `version` or the If-Match header
    (either; when both are given they must agree). None when neither is given."""
    header: int | None = None
    if if_match is not None and if_match.strip() != "*":
        text = if_match.strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise invalid_field("header.If-Match", "must be a ticket version number")
        header = int(text)
    if header is not None and body_version is not None and header != body_version:
        raise invalid_field("body.version", "disagrees with the If-Match header")
    return body_version if body_version is not None else header


def tagged(response: Response, ticket: TicketRecord) -> TicketRecord:
    """`ticket`, with its version as the response's ETag."""
    response.headers["ETag"] = f'"{ticket.version}"'
    return ticket


def user_out(user: UserRecord) -> UserOut:
    """A user as the API shows it (never the password hash)."""
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        email=user.email,
        language=user.language,
        created_at=user.created_at,
    )


def client_ip(request: Request) -> str:
    """The peer address. Forwarded headers are believed only from the proxies named by
    TIERDESK_FORWARDED_ALLOW_IPS (uvicorn then puts the client's address here)."""
    return request.client.host if request.client is not None else "unknown"


def too_many(wait: int) -> WebError:
    """429 `rate_limited` with Retry-After: `wait` seconds."""
    return WebError(
        429,
        "rate_limited",
        f"too many requests; retry in {wait} s",
        headers={"Retry-After": str(wait)},
    )


def rate_limit(limiter: RateLimiter, key: str) -> None:
    """429 `rate_limited` with Retry-After when `key` has used up its bucket."""
    wait = limiter.hit(key)
    if wait is not None:
        raise too_many(wait)
