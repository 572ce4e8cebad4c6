"""The OpenAPI document lists every answer an operation can give, and OPTIONS / 405 answers
name every method of a path.

FastAPI documents the success answers and a 422; `install` adds, to each operation, the
problem+json answers the web layer gives (`tierdesk.web.errors`), each with the codes it may
carry: 400 malformed_json and 413 body_too_large where there is a body, 401/403 (sign-in
needed or refused), 404 (an id the request names), 409 on writes, 422 everywhere (request and
service refusals), 429 with Retry-After where a rate limit applies.

The document also states what the boundary checks beyond FastAPI's own schema: every path and
query string refuses control characters (`tierdesk.web.boundary`), so each gets that `pattern`.
What no JSON schema can say (a value that must be one of the policy in force's, a ticket merged
into itself, a host that resolves to a private address) is listed per operation under
`x-refusals` of its 422 answer: `{code, field, why}`. A request valid by the schema is accepted
or refused with one of those (the schemathesis test holds the server to it).
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
# Path and query strings: no control character (the boundary's rule, in the schema).
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
_POLICY = "must be a value of the policy in force (GET /api/policy-versions/{id})"
_INPUT = "invalid_input"
_QUIET = "quiet hours take quiet_start and quiet_end, or neither"
# A pattern for "not only white space" defeats schemathesis' coverage phase: stated here.
_EMPTY = "white space alone is an empty message"
_AMOUNT = "what the action takes: a positive amount, a percentage up to 100, one the policy grants"
# A ticket command's If-Match header and body `version` must agree when both are given.
_VERSIONS = ("invalid_request", "version", "the body's version disagrees with If-Match")
# (method, path) -> the 422 refusals of a request valid by the schema: (code, field, why).
BEYOND_SCHEMA: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {
    ("post", "/api/tickets/{ticket_id}/merge"): (
        (_INPUT, "target_id", "a ticket cannot be merged into itself"),
    ),
    ("post", "/api/customers/{customer_id}/merge"): (
        (_INPUT, "source_id", "a customer cannot be merged into itself"),
    ),
    ("post", "/api/intake"): ((_INPUT, "text", _EMPTY),),
    ("post", "/api/tickets"): (
        (_INPUT, "text", _EMPTY),
        (_INPUT, "related_to", "must name a ticket that exists"),
    ),
    ("post", "/api/tickets/{ticket_id}/replies"): ((_INPUT, "body", _EMPTY),),
    ("post", "/api/tickets/{ticket_id}/notes"): ((_INPUT, "body", _EMPTY),),
    ("post", "/api/tickets/{ticket_id}/calls"): (
        (_INPUT, "answer_seconds", "the time we took to answer: only for inbound calls"),
        (
            _INPUT,
            "started_at",
            "a call is logged once it took place: not more than 5 minutes "
            "ahead of the server's clock",
        ),
    ),
    ("post", "/api/tickets/{ticket_id}/escalations"): ((_INPUT, "to_tier", _POLICY),),
    ("post", "/api/tickets/{ticket_id}/triage-corrections"): (
        (_INPUT, "category", _POLICY),
        (_INPUT, "priority", _POLICY),
    ),
    ("get", "/api/tickets"): ((_INPUT, "priority", _POLICY),),
    ("post", "/api/tickets/{ticket_id}/approvals"): (
        (_INPUT, "action", _POLICY),
        (_INPUT, "amount", _AMOUNT),
    ),
    ("post", "/api/tickets/{ticket_id}/actions"): (
        (_INPUT, "action", _POLICY),
        (_INPUT, "amount", _AMOUNT),
    ),
    ("post", "/api/policy-versions"): (
        (_INPUT, "source", "the YAML must be a policy that checks (`tierdesk policy check`)"),
    ),
    ("post", "/api/webhooks"): (
        (_INPUT, "url", "an [IPv6] host must be an IPv6 address"),
        (
            "unsafe_url",
            "url",
            "the host must not be or resolve to a loopback, private, "
            "link-local, multicast or metadata address",
        ),
    ),
    ("put", "/api/notices/settings"): (
        (_INPUT, "timezone", "an IANA time zone name (e.g. Asia/Taipei)"),
        (_INPUT, "quiet_start", _QUIET),
        (_INPUT, "quiet_end", _QUIET),
        (_INPUT, "email", "a channel needs its address: email for email (or the user's)"),
        (_INPUT, "line_user_id", "a channel needs its address: line_user_id for line"),
    ),
    ("post", "/api/incidents"): ((_INPUT, "severity", _POLICY),),
    ("post", "/api/incidents/{incident_id}/resolve"): (
        (_INPUT, "resolution", "a text that is not empty, in each language given"),
        (_INPUT, "template_id", _POLICY),
    ),
    ("post", "/api/kb/articles"): (
        (_INPUT, "category", _POLICY),
        (_INPUT, "slug", "without a slug one is made from the title, which then needs a-z or 0-9"),
    ),
    ("post", "/api/kb/articles/{article_id}/translations/{language}/{action}"): (
        (_INPUT, "note", "a rejection says why (the `reject` action)"),
    ),
    ("get", "/api/kb/deflection"): (
        ("invalid_request", "since", "since must be before until (default: now)"),
    ),
    ("get", "/api/metrics"): (
        ("invalid_request", "until", "a report covers at most 1830 days within 2000-2100"),
    ),
    ("get", "/api/qa/scorecards"): (
        ("invalid_request", "since", "with a time zone offset, between 1970 and 9000"),
        ("invalid_request", "until", "with a time zone offset, between 1970 and 9000"),
        (_INPUT, "until", "after since, at most 400 days after it"),
    ),
    ("put", "/api/qa/tickets/{ticket_id}/items/{item_id}"): ((_INPUT, "comment", _EMPTY),),
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def _answer(status: int, refusals: tuple[tuple[str, str, str], ...] = ()) -> dict[str, Any]:
    description = CODES[status]
    if refusals:
        description += ". Beyond the schema: " + "; ".join(
            f"`{code}` on `{field}`: {why}" for code, field, why in refusals
        )
    answer: dict[str, Any] = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if status == 429:
        answer["headers"] = RETRY_AFTER
    if refusals:
        answer["x-refusals"] = [
            {"code": code, "field": field, "why": why} for code, field, why in refusals
        ]
    return answer


def _parameter(schema: dict[str, Any]) -> None:
    """A path, query or header parameter's schema as the server reads it: no `null` (a
    parameter is given or left out; "null" would be the text "null"), and free strings,
    alone or in a list, with the NO_CONTROL pattern."""
    options = schema.get("anyOf")
    if options is not None:
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            del schema["anyOf"]
            schema.update(kept[0])
        else:
            schema["anyOf"] = kept
    for option in schema.get("anyOf", [schema]):
        item = option.get("items", {}) if option.get("type") == "array" else option
        if item.get("type") == "string" and not {"pattern", "enum", "format"} & item.keys():
            item["pattern"] = NO_CONTROL


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
            refusals = BEYOND_SCHEMA.get((method, path), ())
            names = {p.get("name") for p in operation.get("parameters", ())}
            if "If-Match" in names and "requestBody" in operation:
                refusals = (*refusals, _VERSIONS)
            for status in statuses(path, method, operation):
                answers[str(status)] = _answer(status, refusals if status == 422 else ())
            for parameter in operation.get("parameters", ()):
                _parameter(parameter.get("schema", {}))
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
