"""The notifications panel (issue 16): the viewer's notices with the unread count, refreshed by
htmx polling (the count in the navigation every 20 s, the open panel every 10 s), marking read,
and the viewer's notice settings (channels and quiet hours). Each viewer sees only their own."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from tierdesk.services import staff_notices
from tierdesk.services.errors import ServiceError
from tierdesk.web.console.base import Page, Viewer, attempt, refused, show

router = APIRouter(prefix="/notices")
Field = Annotated[str, Form(max_length=320)]
PANEL_LIMIT = 50


@router.get("/count", response_class=HTMLResponse)
def count(request: Request, page: Page) -> HTMLResponse:
    """The unread count badge of the navigation (empty when nothing is unread)."""
    unread = staff_notices.unread_count(page.env, page.id)
    return show(request, page, "console/notices_count.html", unread=unread)


def _panel(request: Request, page: Viewer, template: str, **context: Any) -> HTMLResponse:
    notices, unread = staff_notices.for_user(page.env, page.id, limit=PANEL_LIMIT)
    return show(request, page, template, notices=notices, unread=unread, **context)


@router.get("", response_class=HTMLResponse)
def panel(request: Request, page: Page) -> HTMLResponse:
    """The panel: the latest notices, unread first in weight, folded ones with their count."""
    return _panel(request, page, "console/notices.html")


@router.get("/list", response_class=HTMLResponse)
def panel_list(request: Request, page: Page) -> HTMLResponse:
    """The panel's list alone (what the polling swaps in)."""
    return _panel(request, page, "console/notices_list.html")


@router.post("/read", response_class=HTMLResponse)
def read(
    request: Request, page: Page, notice_id: Annotated[str, Form(max_length=100)] = ""
) -> HTMLResponse:
    """Mark one notice read (or all, without `notice_id`); answers the refreshed list."""
    staff_notices.mark_read(page.env, page.id, [notice_id] if notice_id else None)
    return _panel(request, page, "console/notices_list.html")


def _settings_page(
    request: Request,
    page: Viewer,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    saved: bool = False,
) -> HTMLResponse:
    try:
        settings = staff_notices.get_settings(page.env, page.id)
    except ServiceError as exc:
        return refused(request, page, exc)
    return show(
        request, page, "console/notices_settings.html", status=status, error=error,
        saved=saved, settings=settings,
    )  # fmt: skip


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, page: Page) -> HTMLResponse:
    return _settings_page(request, page)


@router.post("/settings", response_class=HTMLResponse)
def save_settings(
    request: Request,
    page: Page,
    email_channel: Field = "",
    line_channel: Field = "",
    email: Field = "",
    line_user_id: Field = "",
    quiet_start: Field = "",
    quiet_end: Field = "",
    timezone: Field = "",
) -> HTMLResponse:
    channels = [c for c, on in (("email", email_channel), ("line", line_channel)) if on]
    return attempt(
        partial(_settings_page, request, page),
        lambda: staff_notices.set_settings(
            page.env, page.id, channels=channels, email=email or None,
            line_user_id=line_user_id or None, quiet_start=quiet_start or None,
            quiet_end=quiet_end or None, timezone=timezone or None,
        ),
        saved=True,
    )  # fmt: skip
