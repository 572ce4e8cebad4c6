"""The approvals inbox (leads, supervisors, managers) and the SOP page (R-DOC-3)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from tierdesk.services import approvals, policies, worklist
from tierdesk.services.errors import ServiceError
from tierdesk.web.console.base import Page, Viewer, show
from tierdesk.web.errors import status_for
from tierdesk.web.sanitize import document_html

router = APIRouter()
ApprovalId = Annotated[str, Path(min_length=1, max_length=100)]
Note = Annotated[str, Form(max_length=2000)]


def _inbox(
    request: Request,
    page: Viewer,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    notice: str = "",
) -> HTMLResponse:
    rows = worklist.inbox(page.env, actor_id=page.id)
    return show(
        request, page, "console/approvals.html", status=status, rows=rows, error=error,
        notice=notice,
    )  # fmt: skip


@router.get("/approvals", response_class=HTMLResponse)
def inbox(request: Request, page: Page) -> HTMLResponse:
    """What the viewer may decide: only requests within the viewer's authority are listed,
    so an agent sees none (and a forged decision is refused by the service)."""
    return _inbox(request, page)


@router.post("/approvals/{approval_id}/{decision}", response_class=HTMLResponse)
def decide(
    request: Request,
    page: Page,
    approval_id: ApprovalId,
    decision: Annotated[str, Path(pattern="^(approve|deny)$")],
    note: Note = "",
) -> HTMLResponse:
    try:
        if decision == "approve":
            approvals.approve(page.env, approval_id=approval_id, actor_id=page.id, note=note)
        else:
            approvals.deny(page.env, approval_id=approval_id, actor_id=page.id, note=note)
    except ServiceError as exc:
        return _inbox(request, page, status=status_for(exc), error=exc)
    return _inbox(request, page, notice="approved" if decision == "approve" else "denied")


_MERMAID = re.compile(r"```mermaid\n.*?```\n?", re.S)


@lru_cache(maxsize=16)
def _html(markdown: str) -> str:
    """The SOP's Markdown as HTML (its Mermaid flowchart source left out: the printed SOP
    draws it; on the page it would be code)."""
    text = _MERMAID.sub("", markdown)
    return document_html(MarkdownIt("commonmark").enable("table").render(text))


def _sop(
    request: Request, page: Viewer, *, status: int = 200, error: ServiceError | None = None
) -> HTMLResponse:
    view = worklist.sop_view(page.env, actor_id=page.id, lang=page.user.language)
    document = Markup(_html(view.document)) if view.document else Markup("")  # noqa: S704 - nh3
    return show(
        request, page, "console/sop.html", status=status, view=view, document=document,
        error=error,
    )  # fmt: skip


@router.get("/sop", response_class=HTMLResponse)
def sop_page(request: Request, page: Page) -> HTMLResponse:
    return _sop(request, page)


@router.post("/sop/{version_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(
    request: Request, page: Page, version_id: Annotated[str, Path(max_length=100)]
) -> HTMLResponse:
    try:
        policies.acknowledge(page.env, version_id=version_id, actor_id=page.id)
    except ServiceError as exc:
        return _sop(request, page, status=status_for(exc), error=exc)
    return _sop(request, page)
