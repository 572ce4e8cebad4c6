"""The public customer pages (no account): the survey (/survey/{token}), the contact form
(/contact), the customer's magic-link page (/my) and the chat widget (/chat, with the
embeddable /static/public/chat.js). Each handler parses the form, calls one service and
renders; the rules (expiry, once-only, who owns a ticket) stay in the services, and tickets
and messages go in through the durable intake."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from tierdesk.web.public import chat, contact, customer, survey


def add_routes(app: FastAPI) -> None:
    """Add the public pages' routes to `app` (the console's install mounts /static)."""
    router = APIRouter(include_in_schema=False)
    for module in (survey, contact, customer, chat):
        router.include_router(module.router)
    app.include_router(router)
