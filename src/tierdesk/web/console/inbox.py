"""The approvals inbox (leads, supervisors, managers); the SOP page is `console.sop`."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from tierdesk.services import approvals, worklist
from tierdesk.services.errors import ServiceError
from tierdesk.web.console.base import Page, Viewer, attempt, show

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
    decided = approvals.approve if decision == "approve" else approvals.deny
    return attempt(
        partial(_inbox, request, page),
        lambda: decided(page.env, approval_id=approval_id, actor_id=page.id, note=note),
        notice="approved" if decision == "approve" else "denied",
    )
