"""The JSON API routers, mounted under `/api` by `tierdesk.web.app.create_app`."""

from __future__ import annotations

from fastapi import APIRouter

from tierdesk.web.api import (
    auth_routes,
    authority,
    customers,
    held_mail,
    incidents,
    kb,
    metrics,
    model_versions,
    notices,
    public,
    qa,
    templates,
    ticket_commands,
    tickets,
    users_routes,
    versions,
    webhooks,
)


def api_router() -> APIRouter:
    """Every /api route."""
    router = APIRouter(prefix="/api")
    for module in (
        public,
        auth_routes,
        tickets,
        ticket_commands,
        authority,
        templates,
        customers,
        versions,
        model_versions,
        users_routes,
        webhooks,
        metrics,
        qa,
        notices,
        incidents,
        kb,
        held_mail,
    ):
        router.include_router(module.router)
    return router
