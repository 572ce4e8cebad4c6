"""QA pages (issue 14, R-QA-1) for QA specialists, leads and admins (`services.qa.QA_ROLES`):
/qa, what to review (lowest automatic score first); /qa/tickets/{id}, one conversation's
review (each checklist item passed, failed or not shown, with the sentence that shows it, LAST /
HEARD coverage, unedited-template flags, the override form and who overrode what, when);
/qa/scorecards, per agent. Every rule is the service's; agents are refused (403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from tierdesk.domain.quality import StepCoverage
from tierdesk.services import qa, users
from tierdesk.services.errors import ServiceError
from tierdesk.services.qa_records import QUEUE_CURSOR_PATTERN
from tierdesk.services.records import UserRecord
from tierdesk.web import i18n
from tierdesk.web.console.base import Page, Viewer, attempt, refused, show
from tierdesk.web.errors import status_for

router = APIRouter(prefix="/qa")
Id = Annotated[str, Path(min_length=1, max_length=100)]
ItemId = Annotated[str, Path(min_length=1, max_length=64)]
DEFAULT_DAYS = 30


def N_(message: str) -> str:  # noqa: N802 - the name Babel extracts
    """Marks a string for the catalogs; translated where it is shown."""
    return message


# Items scored beside the policy's checklist (no text of their own in the policy).
EXTRA_ITEMS = {"first_response": N_("First response within its SLA target")}
# The domain's reasons (tierdesk.domain.quality), as the page says them.
REASONS = {
    "the first reply lacks a greeting": N_("The first reply lacks a greeting."),
    "the first reply lacks the company or agent name": N_(
        "The first reply lacks the company or agent name."
    ),
    "no account action": N_("No account action on this ticket."),
    "the account action came before identity was verified": N_(
        "The account action came before identity was verified."
    ),
    "no concrete action with a timeline": N_("No concrete action with a timeline."),
    "no apology or empathy": N_("No apology or empathy."),
    "no offer of more help": N_("No offer of more help at the end."),
    "first response missed its SLA": N_("The first response missed its SLA target."),
    "neither resolved nor escalated with a follow-up": N_(
        "Neither resolved nor escalated with a follow-up."
    ),
    "scored by a QA specialist": N_("The text cannot show this: a QA specialist decides."),
}


class Words:
    """The review's names in the reader's language."""

    def __init__(self, viewer: Viewer) -> None:
        self.lang = viewer.user.language
        self.rules = viewer.env.rules
        self._ = i18n.translations(self.lang).gettext

    def item(self, item_id: str) -> str:
        found = next((q for q in self.rules.qa_checklist if q.id == item_id), None)
        if found is not None:
            return found.text.get(self.lang)
        return self._(EXTRA_ITEMS[item_id]) if item_id in EXTRA_ITEMS else item_id

    def reason(self, reason: str) -> str:
        return self._(REASONS[reason]) if reason in REASONS else reason

    def known_reason(self, reason: str) -> bool:
        return reason in REASONS

    def step(self, c: StepCoverage) -> str:
        """ "Listen: let the customer express fully ..." in the reader's language."""
        fw = next((f for f in self.rules.frameworks if f.id == c.framework), None)
        text = dict(fw.steps).get(c.step) if fw is not None else None
        return text.get(self.lang) if text is not None else c.step

    def framework(self, framework_id: str) -> str:
        fw = next((f for f in self.rules.frameworks if f.id == framework_id), None)
        return fw.name.get(self.lang) if fw is not None else framework_id

    def score(self, value: float | None) -> str:
        return "–" if value is None else f"{round(value * 100)}%"


def _refuse(request: Request, page: Viewer, template: str) -> HTMLResponse | None:
    try:
        users.require_role(page.user, qa.QA_ROLES, "review QA")
    except ServiceError as exc:
        return show(request, page, template, status=status_for(exc), error=exc)
    return None


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    page: Page,
    cursor: Annotated[str | None, Query(max_length=140, pattern=QUEUE_CURSOR_PATTERN)] = None,
    agent: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """What to review: resolved tickets not yet reviewed, lowest automatic score first."""
    if (no := _refuse(request, page, "console/qa_queue.html")) is not None:
        return no
    try:
        found = qa.queue(page.env, actor_id=page.id, cursor=cursor, agent_id=agent or None)
    except ServiceError as exc:
        return refused(request, page, exc)
    return show(
        request, page, "console/qa_queue.html", error=None, found=found, words=Words(page),
        agent=agent, agents=_agents(page),
    )  # fmt: skip


def _agents(page: Viewer) -> list[UserRecord]:
    working = users.AGENT_ROLES | users.LEAD_ROLES
    return [u for u in users.list_users(page.env) if u.role in working]


def _review_page(
    request: Request,
    page: Viewer,
    ticket_id: str,
    *,
    status: int = 200,
    error: ServiceError | None = None,
) -> HTMLResponse:
    try:
        review = qa.review(page.env, ticket_id=ticket_id, actor_id=page.id)
    except ServiceError as exc:
        return show(request, page, "console/qa_review.html", status=status_for(exc), error=exc)
    return show(
        request, page, "console/qa_review.html", status=status, error=error, review=review,
        words=Words(page), own=review.agent_id == page.id,
    )  # fmt: skip


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def review_page(request: Request, page: Page, ticket_id: Id) -> HTMLResponse:
    """One conversation's review."""
    if (no := _refuse(request, page, "console/qa_review.html")) is not None:
        return no
    return _review_page(request, page, ticket_id)


@router.post("/tickets/{ticket_id}/items/{item_id}", response_class=HTMLResponse)
def override(
    request: Request,
    page: Page,
    ticket_id: Id,
    item_id: ItemId,
    verdict: Annotated[Literal["pass", "fail", "not_shown"], Form()],
    comment: Annotated[str, Form(max_length=qa.COMMENT_MAX)] = "",
) -> Response:
    """Override one item with a comment; the review is shown again (with the refusal, if any)."""
    passed = {"pass": True, "fail": False, "not_shown": None}[verdict]
    return attempt(
        partial(_review_page, request, page, ticket_id),
        lambda: qa.override(
            page.env, ticket_id=ticket_id, item_id=item_id, passed=passed, comment=comment,
            actor_id=page.id,
        ),
    )  # fmt: skip


@router.post("/tickets/{ticket_id}/confirm", response_class=HTMLResponse)
def confirm(request: Request, page: Page, ticket_id: Id) -> Response:
    """Accept the review as it stands (it leaves the queue)."""
    return attempt(
        partial(_review_page, request, page, ticket_id),
        lambda: qa.confirm(page.env, ticket_id=ticket_id, actor_id=page.id),
    )


@dataclass(frozen=True)
class Range:
    """Days, inclusive, in the policy's time zone (the last one up to now)."""

    since: date
    until: date

    def bounds(self, zone: str, now: datetime) -> tuple[datetime, datetime]:
        tz = ZoneInfo(zone)
        start = datetime.combine(self.since, time(), tz)
        end = datetime.combine(self.until + timedelta(days=1), time(), tz)
        return start, min(end, now + timedelta(microseconds=1))


@router.get("/scorecards", response_class=HTMLResponse)
def scorecards_page(
    request: Request,
    page: Page,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    agent: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Per agent, the tickets resolved in the chosen days (default: the last 30)."""
    if (no := _refuse(request, page, "console/qa_scorecards.html")) is not None:
        return no
    env = page.env
    zone = page.locale.zone
    today = env.now().astimezone(ZoneInfo(zone)).date()
    last = until or today
    form = Range(since or last - timedelta(days=DEFAULT_DAYS - 1), last)
    start, end = form.bounds(zone, env.now())
    cards, problem = None, None
    try:
        cards = qa.scorecards(env, actor_id=page.id, since=start, until=end, agent_id=agent or None)
    except ServiceError as exc:
        problem = exc
    return show(
        request, page, "console/qa_scorecards.html", status=422 if problem else 200,
        error=None, problem=problem, form=form, cards=cards, agent=agent, agents=_agents(page),
        words=Words(page),
    )  # fmt: skip
