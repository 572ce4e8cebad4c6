"""The boundary check every API route runs first (an app-wide dependency): query parameters
an API route does not declare are refused (a typo such as `?sort=due` or `?assignee=me` is a 422
naming it, never silently ignored), and no query or path value may hold a control character
(NUL and the like: PostgreSQL cannot store NUL, and nothing in a URL needs one). Request
bodies get the same control-character rule from their schemas (`tierdesk.web.schemas`)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tierdesk.web.errors import WebError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DECLARED: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared(route: APIRoute) -> frozenset[str]:
    key = id(route)
    if key not in _DECLARED:
        _DECLARED[key] = frozenset(_query_names(route.dependant))
    return _DECLARED[key]


def _refused(path: str, message: str) -> WebError:
    field = path.rsplit(".", 1)[-1]
    error: dict[str, Any] = {"path": path, "field": field, "in": path.split(".")[0]}
    error["message"] = message
    return WebError(422, "invalid_request", f"invalid request: {path}", errors=[error])


def checked_parameters(request: Request) -> None:
    """422 `invalid_request` for an undeclared query parameter or a control character in a
    query or path value, naming it (`query.sort`, `path.ticket_id`)."""
    route = request.scope.get("route")
    declared = None  # pages (not under /api/) read their own, e.g. `?lang=`
    if isinstance(route, APIRoute) and request.url.path.startswith("/api/"):
        declared = _declared(route)
    for name, value in request.query_params.multi_items():
        if declared is not None and name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise _refused(f"query.{name}", f"unknown query parameter (this route takes: {known})")
        if _CONTROL.search(value) or _CONTROL.search(name):
            raise _refused(f"query.{name}", "must not contain control characters")
    for name, value in request.path_params.items():
        if isinstance(value, str) and _CONTROL.search(value):
            raise _refused(f"path.{name}", "must not contain control characters")
