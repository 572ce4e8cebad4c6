"""Triage models (issue 12): the model versions learned from the store, each beside what it was
weighed against on the held-out slice, and a manager's approval that puts one in force."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from tierdesk.services import model_versions, users
from tierdesk.services.errors import ServiceError
from tierdesk.services.records import ModelVersionRecord
from tierdesk.web.console.base import Page, Viewer, attempt, show
from tierdesk.web.errors import status_for

router = APIRouter()
VersionId = Annotated[str, Path(min_length=1, max_length=100)]
Note = Annotated[str, Form(max_length=2000)]


def _refused(request: Request, page: Viewer, exc: ServiceError) -> HTMLResponse:
    return show(
        request, page, "console/models.html", status=status_for(exc), versions=[], error=exc
    )


@router.get("/models", response_class=HTMLResponse)
def versions(request: Request, page: Page) -> HTMLResponse:
    """Every version, newest first (leads, supervisors, managers, QA, admins)."""
    try:
        found = model_versions.history(page.env, actor_id=page.id)
    except ServiceError as exc:
        return _refused(request, page, exc)
    return show(
        request,
        page,
        "console/models.html",
        versions=found[::-1],
        names=_names(page, found),
        error=None,
    )


def _names(page: Viewer, versions: list[ModelVersionRecord]) -> dict[str, str]:
    """The display name of each author and approver ("operator": the command line)."""
    ids = {v.created_by for v in versions} | {v.approved_by for v in versions if v.approved_by}
    names = {}
    for user_id in ids - {"operator"}:
        try:
            names[user_id] = users.get_user(page.env, user_id).display_name
        except ServiceError:
            names[user_id] = user_id
    return names


def _version(
    request: Request, page: Viewer, version_id: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    try:
        version = model_versions.get(page.env, version_id, actor_id=page.id)
    except ServiceError as exc:
        return _refused(request, page, exc)
    return show(
        request,
        page,
        "console/model_version.html",
        status=status,
        v=version,
        rows=categories(version),
        names=_names(page, [version]),
        may_decide=page.user.role in model_versions.MODEL_APPROVER_ROLES
        and version.status == "draft"
        and version.created_by != page.id,
        **{"error": None, "notice": "", **context},
    )


@router.get("/models/{version_id}", response_class=HTMLResponse)
def version(request: Request, page: Page, version_id: VersionId) -> HTMLResponse:
    return _version(request, page, version_id)


@router.post("/models/{version_id}/{decision}", response_class=HTMLResponse)
def decide(
    request: Request,
    page: Page,
    version_id: VersionId,
    decision: Annotated[str, Path(pattern="^(approve|reject)$")],
    note: Note = "",
) -> HTMLResponse:
    """Approve (the model triages from now on, here at once) or reject with a reason."""

    def command() -> None:
        if decision == "approve":
            model_versions.approve(page.env, version_id=version_id, actor_id=page.id, note=note)
            page.state.policy.refresh()
        else:
            model_versions.reject(page.env, version_id=version_id, actor_id=page.id, note=note)

    return attempt(partial(_version, request, page, version_id), command, notice=decision)


def categories(version: ModelVersionRecord) -> list[dict[str, Any]]:
    """Per category of the held-out slice: its support, and the accuracy of the version and of
    its baseline (biggest categories first)."""
    baseline = {c["category"]: c for c in version.baseline_evaluation.get("categories", [])}
    rows = []
    for c in version.evaluation.get("categories", []):
        other = baseline.get(c["category"], {})
        rows.append({**c, "baseline": other.get("accuracy", 0.0)})
    return sorted(rows, key=lambda r: (-r["support"], r["category"]))
