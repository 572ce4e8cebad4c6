"""The one translator of errors to HTTP: RFC 9457 problem details (`application/problem+json`).

Every error answer has `type`, `title`, `status`, `detail` and a stable `code`; input errors add
`errors`, one entry per offending field with its `path` (e.g. `body.contact.email`). The whole
error tree (`TierdeskError`) maps by family (NotFound 404, Forbidden 403, Conflict 409,
Rejected/InvalidInput 422, a domain or policy error that escapes a service 422),
request-validation errors (malformed JSON, unknown fields, wrong enums) to 422, web-layer refusals
(`WebError`: 401, 403 CSRF, 413, 429) to their own status. Anything unexpected is logged with its
traceback and answered with a bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tierdesk.domain.errors import DomainError, InvalidValueError, TierdeskError
from tierdesk.policy import PolicyError
from tierdesk.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Rejected,
    ServiceError,
)

log = logging.getLogger("tierdesk.web")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:tierdesk:problem:"

_FAMILIES: tuple[tuple[type[TierdeskError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (InvalidInput, 422),
    (Rejected, 422),
    (DomainError, 422),
    (PolicyError, 422),
    (ServiceError, 400),
)
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal server error",
}
_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    429: "rate_limited",
}

_BODY_TOO_LARGE = {"path": "body", "field": "body", "in": "body", "message": "too large"}


class WebError(Exception):
    """A refusal made by the web layer itself (auth, CSRF, size, rate), with a stable code."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = dict(headers or {})
        self.errors = list(errors)


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] = (),
    data: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = list(errors)
    if data:
        body["data"] = dict(data)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def status_for(exc: TierdeskError) -> int:
    """The HTTP status of an error's family (400 for a service error of no known family), or
    500 for an error that is the server's fault (the database unreachable, a bad model file)."""
    for family, status in _FAMILIES:
        if isinstance(exc, family):
            return status
    return 500


def _tierdesk_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(TierdeskError, exc)
    status = status_for(exc)
    if status == 500:
        return _unexpected(request, exc)
    errors: list[dict[str, Any]] = []
    if isinstance(exc, InvalidInput | InvalidValueError):
        field = str(exc.data["field"])
        errors.append({"path": field, "field": field, "message": exc.message, "type": exc.code})
    data = {k: v for k, v in exc.data.items() if k != "value"}  # never echo input back
    return problem(status, exc.code, exc.message, errors=errors, data=data)


def _field_error(err: Mapping[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in err.get("loc", ())]
    kind = str(err.get("type", "invalid"))
    if kind == "json_invalid":
        # The location is a character offset into the body, not a field.
        loc = ["body"]
    field = loc[-1] if loc else ""
    where = loc[0] if loc else ""
    message = str(err["msg"])
    if kind == "string_pattern_mismatch" and str(err.get("ctx", {}).get("pattern", "")).startswith(
        "^[^\\x00"
    ):  # the control-character rules of one-line fields
        message = "must be one line without control characters (tab is allowed)"
    message = message.removeprefix("Value error, ")
    return {"path": ".".join(loc), "field": field, "in": where, "message": message, "type": kind}


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    errors = [_field_error(e) for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(400, "malformed_json", "the request body is not valid JSON", errors=errors)
    names = ", ".join(dict.fromkeys(e["path"] for e in errors))
    return problem(422, "invalid_request", f"invalid request: {names}", errors=errors)


def _web_error(_: Request, exc: Exception) -> JSONResponse:
    exc = cast(WebError, exc)
    return problem(exc.status, exc.code, exc.detail, errors=exc.errors, headers=exc.headers)


_MALFORMED = {"path": "body", "field": "body", "in": "body", "message": "not valid JSON"}


def _http_error(request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    if exc.status_code == 405:
        # Starlette names the methods of one route only; a path has several (GET and POST).
        from tierdesk.web.openapi import allowed_methods, options_answer

        answer = options_answer(request)
        if answer is not None:
            return answer
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
            return problem(405, "method_not_allowed", "method not allowed", headers=headers)
    if exc.status_code == 400:
        # FastAPI's only 400: a body it could not parse (too deeply nested, not UTF-8).
        return problem(
            400, "malformed_json", "the request body is not valid JSON", errors=[_MALFORMED]
        )
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "error")
    errors = [_BODY_TOO_LARGE] if exc.status_code == 413 else []
    return problem(exc.status_code, code, detail, errors=errors, headers=exc.headers)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log (never to the client); request bodies are not logged.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal_error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    """Register the translators on `app`."""
    app.add_exception_handler(TierdeskError, _tierdesk_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
