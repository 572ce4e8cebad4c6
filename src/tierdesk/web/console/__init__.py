"""The agent console at `/`: server-rendered pages (Jinja2 + htmx) over the same services the
REST API uses. A page handler parses the request, calls one service and renders; every rule
stays in the services, so the server refuses whatever a page merely hides."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from tierdesk.web.console import (
    admin,
    base,
    dashboard,
    home,
    inbox,
    incidents,
    models,
    notices,
    presence,
    qa,
    queue,
    sop,
    ticket,
)

# The page modules, each with its `router` (the SOP page is `sop`, no longer in `inbox`).
PAGES = (
    home, queue, ticket, presence, inbox, sop, dashboard, models, qa, admin, notices, incidents,
)  # fmt: skip


def install(app: FastAPI) -> None:
    """The console's sign-in redirect on `app` (its routes are added by `add_routes`)."""
    base.install(app)


def add_routes(app: FastAPI) -> None:
    """Mount /static and add the console's pages to `app`."""
    base.mount_static(app)
    router = APIRouter(include_in_schema=False)
    for module in PAGES:
        router.include_router(module.router)
    app.include_router(router)
