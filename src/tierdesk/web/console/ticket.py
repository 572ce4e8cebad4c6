"""The ticket page and its commands: assign to me, reply, note, pending/resume, resolve, log a
call, verify identity, escalate with the brief, recovery actions and approval requests.

Every command form carries the ticket version it was based on: a change made meanwhile by
someone else comes back as `stale_version` (409), and the page then shows the newer state with
the conflict above it and the agent's text kept in its box, never a lost update. Each command
answers with the whole ticket section (htmx swaps it in place).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from tierdesk.services import (
    approvals,
    conversation,
    corrections,
    escalations,
    lifecycle,
    templates,
    worklist,
)
from tierdesk.services.errors import InvalidInput, ServiceError
from tierdesk.services.users import ROLE_TIER
from tierdesk.web.console.base import Page, Viewer, refused, show
from tierdesk.web.errors import status_for

router = APIRouter()

TicketId = Annotated[str, Path(min_length=1, max_length=100)]
Version = Annotated[int | None, Form()]
Text = Annotated[str, Form(max_length=100_000)]
Short = Annotated[str, Form(max_length=2000)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _context(page: Viewer, desk: worklist.Desk) -> dict[str, Any]:
    view, rules, role = desk.view, page.env.rules, page.user.role
    ticket = view.ticket
    events = view.events
    triage = next((e for e in reversed(events) if e.kind == "triaged"), None)
    routed = next((e for e in reversed(events) if e.kind == "routed"), None)
    # The warm-handoff brief for the tier that received it (leads see it too).
    brief = next((x for x in reversed(view.escalations) if x.to_tier == ticket.tier), None)
    own = ROLE_TIER.get(role)
    show_brief = brief is not None and (own is None or own == ticket.tier)
    # What the page offers; the services refuse the same (wrong_tier) whatever is sent.
    below = own is not None and rules.tier_rank(own) < rules.tier_rank(ticket.tier)
    # What the agent may grant on this issue: the same rows as GET /api/tickets/{id}/authority.
    authority = [
        a for a in approvals.authority_rows(rules, role, desk.granted) if a.unit == "money"
    ]
    approved = [x for x in view.approvals if x.status == "approved"]
    return {
        "desk": desk,
        "works_it": not below and role != "qa",
        "ticket": ticket,
        "triage": triage,
        "routed": routed,
        "brief": brief if show_brief else None,
        "authority": authority,
        "percent_actions": [a for a in rules.authority.actions if a.unit != "money"],
        "approved": approved,
        "higher_tiers": [
            t for t in rules.tier_order if rules.tier_rank(t) > rules.tier_rank(ticket.tier)
        ],
        "people": desk.people,
        "escalate_defaults": _brief_defaults(desk),
        "reply_templates": [
            (x.id, x.name.get(page.user.language))
            for x in rules.templates
            if x.use in ("reply", "apology")
        ],
        "filled": None,
        "corrections": [
            corrections.as_correction(e) for e in events if corrections.is_correction(e)
        ],
        "categories": [(c.id, c.label.get(page.user.language)) for c in rules.categories],
        "priorities": [p.id for p in rules.priorities],
    }


def _brief_defaults(desk: worklist.Desk) -> dict[str, str]:
    """What the escalation form starts with, from the ticket: the replies and notes so far
    as what was tried. The agent completes it; the service builds the brief (R-ESC-8)."""
    tried = [
        m.body.splitlines()[0][:160]
        for m in desk.view.messages
        if m.kind in ("reply", "note") and m.body.strip()
    ]
    return {"tried": "\n".join(tried[-5:])}


def _render(
    request: Request,
    page: Viewer,
    ticket_id: str,
    *,
    partial: bool,
    status: int = 200,
    error: ServiceError | None = None,
    notice: str = "",
    draft: dict[str, str] | None = None,
) -> HTMLResponse:
    try:
        desk = worklist.desk(page.env, ticket_id, actor_id=page.id)
    except ServiceError as exc:
        return refused(request, page, exc)
    template = "console/_ticket.html" if partial else "console/ticket.html"
    return show(
        request,
        page,
        template,
        status=status,
        error=error,
        notice=notice,
        draft=draft or {},
        **_context(page, desk),
    )


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(request: Request, page: Page, ticket_id: TicketId) -> HTMLResponse:
    return _render(request, page, ticket_id, partial=False)


def _command(
    request: Request,
    page: Viewer,
    ticket_id: str,
    run: Callable[[], object],
    notice: str,
    draft: dict[str, str] | None = None,
) -> HTMLResponse:
    """Run one service command; answer with the ticket section (the refusal above it, the
    agent's text kept, when it was refused)."""
    try:
        run()
    except ServiceError as exc:
        return _render(
            request, page, ticket_id, partial=True, status=status_for(exc), error=exc, draft=draft
        )
    return _render(request, page, ticket_id, partial=True, notice=notice)


@router.post("/tickets/{ticket_id}/assign", response_class=HTMLResponse)
def assign_to_me(
    request: Request, page: Page, ticket_id: TicketId, version: Version = None
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: lifecycle.assign(
            page.env, ticket_id=ticket_id, actor_id=page.id, assignee_id=page.id,
            expected_version=version,
        ),
        "assigned",
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/reply", response_class=HTMLResponse)
def reply(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    body: Text,
    template_id: Annotated[str, Form(max_length=100)] = "",
    version: Version = None,
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: conversation.reply(
            page.env, ticket_id=ticket_id, actor_id=page.id, body=body,
            template_id=template_id or None, expected_version=version,
        ),
        "replied", {"reply": body, "template_id": template_id},
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/note", response_class=HTMLResponse)
def note(
    request: Request, page: Page, ticket_id: TicketId, body: Text, version: Version = None
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: conversation.add_note(
            page.env, ticket_id=ticket_id, actor_id=page.id, body=body, expected_version=version
        ),
        "noted", {"note": body},
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/pending", response_class=HTMLResponse)
def pending(
    request: Request, page: Page, ticket_id: TicketId, reason: Short, version: Version = None
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: conversation.set_pending(
            page.env, ticket_id=ticket_id, actor_id=page.id, reason=reason,
            expected_version=version,
        ),
        "pending", {"pending": reason},
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/resume", response_class=HTMLResponse)
def resume(
    request: Request, page: Page, ticket_id: TicketId, version: Version = None
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: conversation.resume(
            page.env, ticket_id=ticket_id, actor_id=page.id, expected_version=version
        ),
        "resumed",
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/resolve", response_class=HTMLResponse)
def resolve(
    request: Request, page: Page, ticket_id: TicketId, summary: Short, version: Version = None
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: lifecycle.resolve(
            page.env, ticket_id=ticket_id, actor_id=page.id, summary=summary,
            expected_version=version,
        ),
        "resolved", {"resolve": summary},
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/call", response_class=HTMLResponse)
def log_call(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    minutes: Annotated[float, Form(gt=0, le=24 * 60)],
    direction: Annotated[str, Form(max_length=10)] = "inbound",
    call_note: Short = "",
    answer_seconds: Annotated[str, Form(max_length=8)] = "",
    version: Version = None,
) -> HTMLResponse:
    seconds = max(1, round(minutes * 60))
    started = page.env.now() - timedelta(seconds=seconds)
    return _command(
        request, page, ticket_id,
        lambda: lifecycle.log_call(
            page.env, ticket_id=ticket_id, actor_id=page.id, started_at=started,
            duration_seconds=seconds, direction=direction, note=call_note,
            expected_version=version, answer_seconds=_seconds(answer_seconds),
        ),
        "call_logged", {"call_note": call_note},
    )  # fmt: skip


def _seconds(text: str) -> int | None:
    """A form's optional whole seconds (empty: None); InvalidInput naming the field."""
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise InvalidInput("answer_seconds", "must be whole seconds", value=text)
    return int(text.strip())


@router.post("/tickets/{ticket_id}/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    method: Annotated[str, Form(max_length=40)],
    version: Version = None,
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: lifecycle.verify_identity(
            page.env, ticket_id=ticket_id, actor_id=page.id, method=method,
            expected_version=version,
        ),
        "verified",
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/escalate", response_class=HTMLResponse)
def escalate(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    to_tier: Annotated[str, Form(max_length=20)],
    reason: Short,
    tried: Text = "",
    mood: Short = "",
    promises: Text = "",
    version: Version = None,
) -> HTMLResponse:
    return _command(
        request, page, ticket_id,
        lambda: escalations.escalate(
            page.env, ticket_id=ticket_id, actor_id=page.id, to_tier=to_tier, reason=reason,
            tried=_lines(tried), mood=mood.strip(), promises=_lines(promises),
            expected_version=version,
        ),
        "escalated",
        {"esc_reason": reason, "tried": tried, "mood": mood, "promises": promises},
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/action", response_class=HTMLResponse)
def apply_action(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    action: Annotated[str, Form(max_length=40)],
    amount: Annotated[str, Form(max_length=40)] = "",
    approval_id: Annotated[str, Form(max_length=100)] = "",
    action_note: Short = "",
    version: Version = None,
) -> HTMLResponse:
    """Apply a recovery action (within authority, or with an approved request)."""
    return _command(
        request, page, ticket_id,
        lambda: approvals.apply_action(
            page.env, ticket_id=ticket_id, actor_id=page.id, action=action,
            amount=amount or None, approval_id=approval_id or None, note=action_note,
            expected_version=version,
        ),
        "action_applied", {"amount": amount, "action_note": action_note},
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/approval", response_class=HTMLResponse)
def request_approval(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    action: Annotated[str, Form(max_length=40)],
    justification: Short,
    amount: Annotated[str, Form(max_length=40)] = "",
    version: Version = None,
) -> HTMLResponse:
    """Above the agent's authority the action becomes a request to the role that may grant it."""
    return _command(
        request, page, ticket_id,
        lambda: approvals.request_approval(
            page.env, ticket_id=ticket_id, actor_id=page.id, action=action,
            justification=justification, amount=amount or None, expected_version=version,
        ),
        "approval_requested", {"amount": amount, "justification": justification},
    )  # fmt: skip


@router.get("/tickets/{ticket_id}/compose", response_class=HTMLResponse)
def compose(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    template_id: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """The reply box filled from a template for this ticket (what is left to write shown)."""
    filled = None
    if template_id:
        try:
            filled = templates.fill(
                page.env, ticket_id=ticket_id, template_id=template_id, actor_id=page.id
            )
        except ServiceError as exc:
            return refused(request, page, exc)
    return show(request, page, "console/_composer.html", filled=filled, draft={})


@router.post("/tickets/{ticket_id}/coverage", response_class=JSONResponse)
def reply_coverage(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    body: Annotated[str, Form(max_length=100_000)] = "",
) -> JSONResponse:
    """The complaint steps (LAST, HEARD) the reply draft covers, as the reply box's script
    ticks them while the agent types (R-TPL-2); the detection is QA's, in the service."""
    try:
        steps = templates.reply_coverage(page.env, ticket_id=ticket_id, actor_id=page.id, body=body)
    except ServiceError as exc:
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=status_for(exc))
    return JSONResponse(
        [
            {"framework": s.framework, "step": s.step, "covered": s.covered, "evidence": s.evidence}
            for s in steps
        ]
    )


@router.post("/tickets/{ticket_id}/triage", response_class=HTMLResponse)
def correct_triage(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    reason: Short,
    category: Annotated[str, Form(max_length=100)] = "",
    priority: Annotated[str, Form(max_length=10)] = "",
    version: Version = None,
) -> HTMLResponse:
    """Correct the category and/or priority; recorded with who and why (the service)."""
    desk_now = worklist.desk(page.env, ticket_id, actor_id=page.id).view.ticket
    return _command(
        request, page, ticket_id,
        lambda: corrections.correct_triage(
            page.env, ticket_id=ticket_id, actor_id=page.id, reason=reason,
            category=category if category and category != desk_now.category else None,
            priority=priority if priority and priority != desk_now.priority else None,
            expected_version=version,
        ),
        "triage_corrected", {"triage_reason": reason},
    )  # fmt: skip
