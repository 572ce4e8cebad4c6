"""The OpenAPI document lists every answer an operation can give, and OPTIONS / 405 answers
name every method of a path.

FastAPI documents the success answers and a 422; `install` adds, to each operation, the
problem+json answers the web layer gives (`tierdesk.web.errors`), each with the codes it may
carry: 400 malformed_json and 413 body_too_large where there is a body, 401/403 (sign-in
needed or refused), 404 (an id the request names), 409 on writes, 422 everywhere (request and
service refusals), 429 with Retry-After where a rate limit applies.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (see docs/api.md, Errors).",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "data": {"type": "object"},
    },
}
RATE_LIMITED = {"/api/intake", "/api/surveys/{token}", "/api/auth/login", "/api/auth/password"}
WRITES = {"post", "put", "patch", "delete"}
CODES = {
    400: "`malformed_json`: the body is not valid JSON",
    401: "`unauthenticated`: no, invalid or expired credentials; `invalid_credentials` at sign-in",
    403: "`forbidden`, `insufficient_authority`, `csrf_failed`, `wrong_password`, `wrong_tier`",
    404: "`not_found`: an id the request names does not exist",
    409: "`stale_version`, `invalid_transition`, `conflict`, `username_taken`, "
    "`identity_taken`: the state does not allow it",
    413: "`body_too_large`: the body exceeds TIERDESK_MAX_BODY_BYTES",
    422: "`invalid_request` (a field is wrong: `errors` names it), `invalid_input`, "
    "`policy_too_complex`, `idempotency_key_reused`, `unsafe_url`, `approval_required`, "
    "`identity_not_verified`, `policy_not_acknowledged`, `tier_mismatch`, "
    "`unfilled_placeholders` and the other refusals listed in docs/api.md",
    429: "`rate_limited`: wait Retry-After seconds",
    503: "`metrics_unavailable`: the store cannot compute metrics",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def _answer(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": CODES[status],
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if status == 429:
        answer["headers"] = RETRY_AFTER
    return answer


def statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The problem answers of one operation (see the module doc)."""
    found = [422]
    if "requestBody" in operation:
        found += [400, 413]
    if path != "/healthz":  # public ones too: a wrong password, a CSRF or role refusal
        found += [401, 403]
    if path != "/healthz":  # an id in the path, the body or the query
        found.append(404)
    if method in WRITES:
        found.append(409)
    if path in RATE_LIMITED:
        found.append(429)
    if path.startswith("/api/metrics"):
        found.append(503)
    return sorted(found)


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every operation's problem answers and the Problem schema."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            answers = operation.setdefault("responses", {})
            for status in statuses(path, method, operation):
                answers[str(status)] = _answer(status)
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@cache
def _patterns(app: FastAPI) -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    found = []
    for path, item in app.openapi().get("paths", {}).items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
        found.append((re.compile(regex), frozenset(m.upper() for m in item)))
    return tuple(found)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the API answers on `path` (empty for a path it does not know)."""
    methods: set[str] = set()
    for pattern, names in _patterns(app):
        if pattern.match(path):
            methods |= names
    if "GET" in methods:
        methods.add("HEAD")  # tierdesk.web.middleware.HeadAsGet
    if methods:
        methods.add("OPTIONS")
    return sorted(methods)


def options_answer(request: Request) -> Response | None:
    """204 with Allow for OPTIONS on a known path, else None."""
    if request.method != "OPTIONS":
        return None
    methods = allowed_methods(request.app, request.url.path)
    if not methods:
        return None
    return Response(status_code=204, headers={"Allow": ", ".join(methods)})
