"""GET/POST /contact: the public contact form. It opens a ticket through the public intake
(the same group commit as POST /api/intake: stored before the page answers, channel `web`,
replies by email) and shows the ticket's reference.

- A signed form token (`base.form_token`) comes with each serving of the form; a post
  without a valid one (forged, or older than two hours) gets the form back to send again.
  Its nonce is the intake's idempotency key: a double submit is one ticket.
- Honeypot: a `website` field hidden from people (off screen, out of the tab order, labelled
  "leave empty"). A post that fills it gets the same thanks page as a person, without a
  reference, and nothing is stored (a bot learns nothing to adapt to; a person who somehow
  filled it is told to write again if no receipt arrives).
- Rate-limited with the public intake's bucket (per client address).
- Validation errors are shown on the form, per field, with what was typed kept.

Hook for the knowledge base (issue 16): the template includes
`public/_contact_suggestions.html` when it exists (after the subject field); the subject
and message fields have the ids `subject` and `message`, so a fragment there can
`hx-get` article suggestions as the customer types.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from tierdesk.services import kb_public
from tierdesk.services.customers import Contact
from tierdesk.services.errors import ServiceError
from tierdesk.services.tickets import Intake
from tierdesk.web.api.common import State
from tierdesk.web.help.pages import visitor_of
from tierdesk.web.public.base import form_nonce, form_token, limited, page_lang, show, too_many
from tierdesk.web.public.forms import (
    HONEYPOT,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_SUBJECT,
    EmailField,
    HoneypotField,
    LangField,
    MessageField,
    NameField,
    TokenField,
    check_contact,
    service_errors,
    trapped,
)

router = APIRouter()
FORM = "contact"


def _form(
    request: Request,
    state: State,
    lang: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return show(
        request,
        state,
        "public/contact.html",
        lang,
        status=status,
        values=values or {},
        errors=errors or {},
        token=form_token(state, FORM),
        honeypot=HONEYPOT,
        limits={"name": MAX_NAME, "subject": MAX_SUBJECT, "message": MAX_MESSAGE},
    )


@router.get("/contact", response_class=HTMLResponse)
def contact_form(request: Request, state: State) -> HTMLResponse:
    """The contact form, in the reader's language."""
    return _form(request, state, page_lang(request))


@router.post("/contact", response_class=HTMLResponse)
async def contact_send(
    request: Request,
    state: State,
    email: EmailField = "",
    message: MessageField = "",
    name: NameField = "",
    subject: Annotated[str, Form(max_length=MAX_SUBJECT + 1)] = "",
    token: TokenField = "",
    website: HoneypotField = "",
    lang: LangField = "",
) -> HTMLResponse:
    """Open a ticket from the form; the thanks page with its reference, or the form again."""
    page = page_lang(request, lang or None)
    wait = limited(state, request)
    if wait is not None:
        return too_many(request, state, page, wait)
    if trapped(website, FORM):
        return show(request, state, "public/contact_sent.html", page, reference=None)
    values = {"email": email, "message": message, "name": name, "subject": subject}
    nonce = form_nonce(state, FORM, token)
    if nonce is None:
        return _form(request, state, page, values=values, errors={"form": "expired"}, status=400)
    errors = check_contact(email, message, name, subject)
    if errors:
        return _form(request, state, page, values=values, errors=errors, status=422)
    intake = Intake(
        channel="web",
        text=message,
        contact=Contact("email", email, name.strip(), page),
        subject=subject.strip(),
        language=page,
        idempotency_key=f"contact:{nonce}",
    )
    try:
        opened = await state.batcher.submit(intake)
    except ServiceError as exc:
        return _form(request, state, page, values=values, errors=service_errors(exc), status=422)
    # The help centre's visitor sent a ticket after all: their searches were no deflection.
    await run_in_threadpool(
        kb_public.record_contact, state.env, visitor=visitor_of(request), ticket_id=opened.ticket.id
    )
    context: dict[str, Any] = {"reference": opened.ticket.id, "email": email}
    return show(request, state, "public/contact_sent.html", page, **context)
