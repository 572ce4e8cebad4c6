"""The SOP page of the console (issue 11, R-DOC-3): the policy in force as the document, which
agents and leads acknowledge before they take tickets; the revision history; a version's
checker findings and what it changes against the version in force; proposals (authors:
upload a file or edit the current text) and decisions (named approvers).

Every rule is the services' (`services.policies`): the page hides the forms a viewer may not
use, and the service refuses a forged request (the page answers with the refusal's status).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from tierdesk.policy import PolicyError
from tierdesk.policy.loader import preset_path
from tierdesk.services import policies, users, worklist
from tierdesk.services.errors import InvalidInput, ServiceError
from tierdesk.services.records import PolicyVersionRecord
from tierdesk.web.console.base import Page, Viewer, attempt, go, show
from tierdesk.web.errors import status_for
from tierdesk.web.sanitize import document_html

router = APIRouter(prefix="/sop")
VersionId = Annotated[str, Path(min_length=1, max_length=100)]
Note = Annotated[str, Form(max_length=2000)]
Title = Annotated[str, Form(max_length=200)]


def N_(message: str) -> str:  # noqa: N802 - the name Babel extracts
    """Marks a string for the catalogs; translated where it is shown."""
    return message


# The policy file's top-level sections as the reader names them (a change's path begins with
# one; the path itself is the policy's own key and is shown as it is written).
SECTION_LABELS = {
    "tierdesk": N_("File format"),
    "business": N_("Business name"),
    "language": N_("Language"),
    "currency": N_("Currency"),
    "document": N_("Document control"),
    "calendars": N_("Business hours and holidays"),
    "tiers": N_("Support tiers"),
    "teams": N_("Teams"),
    "priorities": N_("Priorities and SLA targets"),
    "channels": N_("Contact channels"),
    "categories": N_("Categories"),
    "signals": N_("Signals"),
    "routing": N_("Routing"),
    "escalation": N_("Escalation"),
    "authority": N_("Authority"),
    "templates": N_("Reply templates"),
    "complaint_frameworks": N_("Complaint frameworks"),
    "qa_checklist": N_("QA checklist"),
    "metrics": N_("Metrics"),
    "surveys": N_("Surveys"),
    "triage": N_("Triage"),
    "notifications": N_("Staff notifications"),
}
_RULE = re.compile(r"\bR-[A-Z]+-\d+\b")
_SECTION = re.compile(r"[^.\[]+")
_MERMAID = re.compile(r"```mermaid\n.*?```\n?", re.S)


@lru_cache(maxsize=16)
def _html(markdown: str) -> str:
    """The SOP's Markdown as HTML (its Mermaid flowchart source left out: the printed SOP
    draws it; on the page it would be code)."""
    text = _MERMAID.sub("", markdown)
    return document_html(MarkdownIt("commonmark").enable("table").render(text))


def _names(page: Viewer) -> dict[str, str]:
    """Display names by user id (authors and approvers in the history)."""
    return {u.id: u.display_name for u in users.list_users(page.env)}


# -- the document in force and the history ----------------------------------------------------


def _sop(
    request: Request, page: Viewer, *, status: int = 200, error: ServiceError | None = None
) -> HTMLResponse:
    view = worklist.sop_view(page.env, actor_id=page.id, lang=page.user.language)
    document = Markup(_html(view.document)) if view.document else Markup("")  # noqa: S704 - nh3
    return show(
        request, page, "console/sop.html", status=status, view=view, document=document,
        error=error, names=_names(page),
        can_propose=page.user.role in users.POLICY_AUTHOR_ROLES,
    )  # fmt: skip


@router.get("", response_class=HTMLResponse)
def sop_page(request: Request, page: Page) -> HTMLResponse:
    return _sop(request, page)


@router.post("/{version_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(request: Request, page: Page, version_id: VersionId) -> HTMLResponse:
    return attempt(
        partial(_sop, request, page),
        lambda: policies.acknowledge(page.env, version_id=version_id, actor_id=page.id),
    )


# -- one version: findings, what it changes, the decision --------------------------------------


@dataclass(frozen=True)
class FindingRow:
    """A checker finding as the page lists it."""

    severity: str  # error, warning
    rule: str  # the SOP requirement the message cites (R-TIER-2), "" when none
    line: int
    column: int
    path: str  # the policy key the finding is about, "" for the file as a whole
    message: str  # the checker's own words (English)


def _finding(stored: dict[str, Any]) -> FindingRow:
    message = str(stored.get("message", ""))
    found = _RULE.search(message)
    return FindingRow(
        str(stored.get("severity", "warning")),
        found.group(0) if found else "",
        int(stored.get("line", 1)),
        int(stored.get("column", 1)),
        str(stored.get("path", "")),
        message,
    )


@dataclass(frozen=True)
class ChangeRow:
    """One semantic change (`policy.compare.Change`) with its values written out."""

    section: str  # the top-level key of the path (SECTION_LABELS names it)
    path: str
    kind: str  # changed, added, removed
    old: str  # "" when there is none (added)
    new: str  # "" when there is none (removed)


def _value(value: Any) -> str:
    """A policy value as the policy would read: text as it is, the rest as JSON (without the
    keys left unset, which the file would not write either)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(_set(value), ensure_ascii=False)


def _set(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _set(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_set(v) for v in value]
    return value


def _change_rows(found: policies.VersionChanges) -> list[ChangeRow]:
    rows = []
    for c in found.changes:
        head = _SECTION.match(c.path)
        rows.append(
            ChangeRow(head.group(0) if head else "", c.path, c.kind, _value(c.old), _value(c.new))
        )
    return rows


def _version(
    request: Request,
    page: Viewer,
    version_id: str,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    notice: str = "",
) -> HTMLResponse:
    try:
        version = policies.get_version(page.env, version_id)
    except ServiceError as exc:
        return show(
            request, page, "console/sop_version.html", status=status_for(exc), error=exc,
            version=None,
        )  # fmt: skip
    against = _effective(page)
    diff: policies.VersionChanges | None = None
    diff_error: ServiceError | None = None
    try:
        diff = _changes(page, version, against)
    except ServiceError as exc:  # a stored version that no longer loads
        diff_error = exc
    return show(
        request, page, "console/sop_version.html", status=status, error=error, notice=notice,
        version=version, findings=[_finding(f) for f in version.findings], diff=diff,
        rows=_change_rows(diff) if diff is not None else [], against=against,
        diff_error=diff_error, names=_names(page), sections=SECTION_LABELS,
        may_decide=_may_decide(page, version),
        approver=page.user.role in users.POLICY_APPROVER_ROLES,
    )  # fmt: skip


def _effective(page: Viewer) -> PolicyVersionRecord | None:
    return next((v for v in policies.history(page.env) if v.status == "effective"), None)


# What a version changes against the one in force, by (version, digest, in force, digest):
# stored versions never change and comparing two policies takes a second or more, so an
# approver's page is compared once, not on every view.
_CHANGES: dict[tuple[str, str, str, str], policies.VersionChanges] = {}
_CHANGES_KEPT = 64


def _changes(
    page: Viewer, version: PolicyVersionRecord, effective: PolicyVersionRecord | None
) -> policies.VersionChanges:
    if effective is None:  # nothing to compare with: the service says so, comparing nothing
        return policies.changes(page.env, version.id)
    if effective.id == version.id:
        return policies.VersionChanges(version.id, version.id, findings=version.findings)
    key = (version.id, version.digest, effective.id, effective.digest)
    found = _CHANGES.get(key)
    if found is None:
        found = policies.changes(page.env, version.id, effective.id)
        if len(_CHANGES) >= _CHANGES_KEPT:
            _CHANGES.pop(next(iter(_CHANGES)), None)
        _CHANGES[key] = found
    return found


def _may_decide(page: Viewer, version: PolicyVersionRecord) -> bool:
    """Whether the page offers Approve / Reject (the service decides either way)."""
    return (
        page.user.role in users.POLICY_APPROVER_ROLES
        and version.status == "draft"
        and version.created_by != page.id
    )


@router.get("/versions/{version_id}", response_class=HTMLResponse)
def version_page(request: Request, page: Page, version_id: VersionId) -> HTMLResponse:
    return _version(request, page, version_id)


@router.post("/versions/{version_id}/approve", response_class=HTMLResponse)
def approve(request: Request, page: Page, version_id: VersionId, note: Note = "") -> HTMLResponse:
    """A named approver puts a draft in force; this server runs it at once (as the API)."""

    def command() -> None:
        policies.approve_version(page.env, version_id=version_id, actor_id=page.id, note=note)
        page.state.policy.refresh()

    return attempt(partial(_version, request, page, version_id), command, notice="approved")


@router.post("/versions/{version_id}/reject", response_class=HTMLResponse)
def reject(request: Request, page: Page, version_id: VersionId, note: Note = "") -> HTMLResponse:
    return attempt(
        partial(_version, request, page, version_id),
        lambda: policies.reject_version(
            page.env, version_id=version_id, actor_id=page.id, note=note
        ),
        notice="rejected",
    )


# -- proposing a version ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a proposed text does not load or check: where (line, column, key) and what."""

    line: int | None
    column: int | None
    path: str
    message: str


_WHERE = re.compile(r"(\d+):(\d+): (.*?): (.*)\Z", re.S)


def _problems(exc: ServiceError, name: str) -> list[Problem]:
    """The loader's and checker's findings of a refused proposal (`Finding.format()` lines:
    `name:line:col: path: message`); the refusal's own message when it lists none."""
    out = []
    for text in exc.data.get("findings") or ():
        text = str(text)
        rest = text[len(name) + 1 :] if text.startswith(name + ":") else text
        m = _WHERE.match(rest)
        if m is None:
            out.append(Problem(None, None, "", text))
            continue
        path = "" if m.group(3) == "(top)" else m.group(3)
        out.append(Problem(int(m.group(1)), int(m.group(2)), path, m.group(4)))
    return out


def _current_text(page: Viewer) -> tuple[str, str]:
    """(title, text) to start an edit from: the version in force, else the configured policy
    file (the one running while no version is stored), else nothing."""
    effective = next((v for v in policies.history(page.env) if v.status == "effective"), None)
    if effective is not None:
        return effective.title, effective.source
    settings = page.state.settings
    try:
        if settings.policy_file is not None:
            return settings.policy_file.stem, settings.policy_file.read_text(encoding="utf-8")
        if settings.policy_preset:
            return settings.policy_preset, preset_path(settings.policy_preset).read_text("utf-8")
    except (OSError, UnicodeDecodeError, PolicyError):
        pass
    return "", ""


def _propose_page(
    request: Request,
    page: Viewer,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    title: str = "",
    source: str = "",
    change_note: str = "",
    problems: list[Problem] | None = None,
) -> HTMLResponse:
    return show(
        request, page, "console/sop_propose.html", status=status, error=error, title=title,
        source=source, change_note=change_note, problems=problems or [],
        can_propose=page.user.role in users.POLICY_AUTHOR_ROLES,
    )  # fmt: skip


@router.get("/propose", response_class=HTMLResponse)
def propose_form(request: Request, page: Page) -> HTMLResponse:
    """Authors only (supervisors, managers, admins): others see the refusal, not a form."""
    try:
        users.require_role(page.user, users.POLICY_AUTHOR_ROLES, "propose policy versions")
    except ServiceError as exc:
        return _propose_page(request, page, status=status_for(exc), error=exc)
    title, source = _current_text(page)
    return _propose_page(request, page, title=title, source=source)


@router.post("/propose", response_class=HTMLResponse)
def propose(
    request: Request,
    page: Page,
    title: Title = "",
    change_note: Note = "",
    source: Annotated[str, Form()] = "",
    policy_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A new draft from the uploaded file (when one is chosen) or the edited text. A text that
    does not load or check is refused with the findings and stored nowhere; the text stays
    in the form to be fixed. Too large a text is the service's refusal (policy_too_complex)."""
    limit = page.state.settings.policy_max_bytes
    if policy_file is not None and policy_file.filename:
        raw = policy_file.file.read(limit + 1)
        try:
            source = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            exc = InvalidInput("policy_file", "the file is not UTF-8 text")
            return _propose_page(
                request, page, status=status_for(exc), error=exc, title=title,
                change_note=change_note, source=source,
                problems=[Problem(None, None, "", exc.message)],
            )  # fmt: skip
    try:
        version = policies.propose_version(
            page.env, source=source, title=title, actor_id=page.id, change_note=change_note,
            max_bytes=limit,
        )  # fmt: skip
    except ServiceError as exc:
        return _propose_page(
            request, page, status=status_for(exc), error=exc, title=title,
            change_note=change_note, source=source, problems=_problems(exc, title or "<policy>"),
        )  # fmt: skip
    return go(request, f"/sop/versions/{version.id}")
