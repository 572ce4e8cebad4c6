"""Public endpoints (no sign-in): the intake form / webhook and survey answers.

Both are rate-limited per client IP and body-size-limited. Intake is durable and idempotent:
the answer (201) is sent only after the ticket and its receipt are committed, and the same
`Idempotency-Key` always yields the same ticket (200 and `created: false` on a replay).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel

from tierdesk.services import lifecycle
from tierdesk.services.customers import Contact
from tierdesk.services.tickets import Intake
from tierdesk.web.api.common import State, client_ip, invalid_field, rate_limit
from tierdesk.web.schemas import IntakeIn, IntakeOut, SurveyAnswerIn

router = APIRouter(tags=["public"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=150,
        description="Retries with the same key yield the same ticket.",
    ),
]


@router.post(
    "/intake",
    status_code=201,
    response_model=IntakeOut,
    responses={200: {"model": IntakeOut, "description": "A replay of an Idempotency-Key"}},
)
async def intake(
    body: IntakeIn,
    request: Request,
    response: Response,
    state: State,
    idempotency_key: IdempotencyKey = None,
) -> IntakeOut:
    """Open a ticket from the web form or a webhook (no sign-in; rate-limited per IP)."""
    rate_limit(state.public_limiter, f"public:{client_ip(request)}")
    if body.email:
        contact = Contact("email", body.email, body.name)
    elif body.phone:
        contact = Contact("phone", body.phone, body.name)
    else:
        raise invalid_field("body.email", "give an email or a phone number")
    item = Intake(
        channel=body.channel,
        text=body.body,
        contact=contact,
        subject=body.subject,
        language=body.language,
        # Namespaced so public keys can never collide with keys agents send.
        idempotency_key=f"public:{idempotency_key}" if idempotency_key else None,
    )
    opened = await state.batcher.submit(item)
    if not opened.created:
        response.status_code = 200
    t = opened.ticket
    return IntakeOut(
        ticket_id=t.id, created=opened.created, status=t.status, received_at=t.created_at
    )


class SurveyAnswered(BaseModel):
    survey_id: str
    answered_at: datetime | None


@router.post("/surveys/{token}", response_model=SurveyAnswered)
def answer_survey(
    token: Annotated[str, Path(min_length=1, max_length=200)],
    body: SurveyAnswerIn,
    request: Request,
    state: State,
) -> SurveyAnswered:
    """Record a customer's CSAT (1-5) / NPS (0-10) answer; the token is the credential."""
    rate_limit(state.public_limiter, f"public:{client_ip(request)}")
    survey = lifecycle.answer_survey(
        state.env, token=token, csat=body.csat, nps=body.nps, comment=body.comment
    )
    return SurveyAnswered(survey_id=survey.id, answered_at=survey.answered_at)
