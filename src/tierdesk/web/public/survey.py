"""GET/POST /survey/{token}: the CSAT (1-5) and NPS (0-10) survey a closed ticket's customer
receives, asked with the policy's questions in the ticket's language. The stored survey token
is the credential. Answered once (a second answer gets a kind page, 409); a link older than
the policy's `surveys.expires_after` gets a kind page too (410). Rate-limited like the
public intake. The answer goes through `services.lifecycle.answer_survey` (the same record
the REST API and the metrics use)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from tierdesk.services import lifecycle
from tierdesk.services.errors import InvalidInput, NotFound, SurveyAnswered, SurveyExpired
from tierdesk.web.api.common import State
from tierdesk.web.public.base import limited, page_lang, show, too_many

router = APIRouter()

Token = Annotated[str, Path(min_length=1, max_length=200)]
CSAT_SCORES = tuple(range(1, 6))
NPS_SCORES = tuple(range(0, 11))


def _score(raw: str | None, allowed: tuple[int, ...]) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        return -1
    return value if value in allowed else -1


def _not_found(request: Request, state: State) -> HTMLResponse:
    return show(
        request, state, "public/survey_gone.html", page_lang(request), status=404, reason="unknown"
    )


@router.get("/survey/{token}", response_class=HTMLResponse)
def survey_form(request: Request, state: State, token: Token) -> HTMLResponse:
    """The survey page (or why it cannot be answered)."""
    try:
        survey = lifecycle.survey_page(state.env, token=token)
    except NotFound:
        return _not_found(request, state)
    lang = page_lang(request, survey.language)
    if survey.survey.answered_at is not None:
        return show(request, state, "public/survey_done.html", lang, survey=survey, again=True)
    if survey.expired:
        return show(
            request,
            state,
            "public/survey_gone.html",
            lang,
            status=410,
            reason="expired",
            survey=survey,
        )
    return show(
        request,
        state,
        "public/survey.html",
        lang,
        survey=survey,
        errors={},
        values={},
        csat_scores=CSAT_SCORES,
        nps_scores=NPS_SCORES,
    )


@router.post("/survey/{token}", response_class=HTMLResponse)
def survey_answer(
    request: Request,
    state: State,
    token: Token,
    csat: Annotated[str | None, Form(max_length=20)] = None,
    nps: Annotated[str | None, Form(max_length=20)] = None,
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> HTMLResponse:
    """Record the answer; the thanks page, or the form again with what is wrong."""
    wait = limited(state, request)
    if wait is not None:
        return too_many(request, state, page_lang(request), wait)
    try:
        survey = lifecycle.survey_page(state.env, token=token)
    except NotFound:
        return _not_found(request, state)
    lang = page_lang(request, survey.language)
    values = {"csat": csat or "", "nps": nps or "", "comment": comment}
    csat_value, nps_value = _score(csat, CSAT_SCORES), _score(nps, NPS_SCORES)
    errors: dict[str, str] = {}
    if csat_value == -1:
        errors["csat"] = "range"
    if nps_value == -1:
        errors["nps"] = "range"
    if not errors and csat_value is None and nps_value is None:
        errors["csat"] = "missing"
    if not errors:
        try:
            lifecycle.answer_survey(
                state.env, token=token, csat=csat_value, nps=nps_value, comment=comment
            )
        except SurveyAnswered:
            survey = lifecycle.survey_page(state.env, token=token)
            return show(
                request,
                state,
                "public/survey_done.html",
                lang,
                status=409,
                survey=survey,
                again=True,
            )
        except SurveyExpired:
            return show(
                request,
                state,
                "public/survey_gone.html",
                lang,
                status=410,
                reason="expired",
                survey=survey,
            )
        except InvalidInput as exc:
            errors[str(exc.data.get("field", "csat"))] = "range"
        else:
            survey = lifecycle.survey_page(state.env, token=token)
            return show(request, state, "public/survey_done.html", lang, survey=survey, again=False)
    return show(
        request,
        state,
        "public/survey.html",
        lang,
        status=422,
        survey=survey,
        errors=errors,
        values=values,
        csat_scores=CSAT_SCORES,
        nps_scores=NPS_SCORES,
    )
