"""The chat widget's pages, framed by /static/public/chat.js on the embedding site.

- GET /chat: the start form (name, email, first message). The email is asked first because
  the conversation continues by email: every agent reply is also mailed (the outbox sends
  a chat ticket's replies by email), so a customer who closes the page still gets it, and
  their email reply threads back into the same ticket.
- POST /chat: the first message opens a ticket through the public intake (channel `chat`,
  idempotent by the signed form token's nonce), then the browser goes to /chat/{token}.
- /chat/{token}: the conversation. The token is signed for this one purpose (`chat`), names
  the ticket and its customer and expires after a day; it is the credential (no cookie: an
  embedded page's cookies are third-party ones, which browsers block).
- POST /chat/{token}/messages: a later message, in as a customer message on the ticket
  (idempotent by the form's key); GET /chat/{token}/log: the conversation fragment htmx
  polls every few seconds, so agent replies appear while the customer is on the page.

Framing: these pages answer with `frame-ancestors 'self'` plus TIERDESK_CHAT_FRAME_ANCESTORS
(the embedding sites), the rest of the CSP as every page (no inline script).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tierdesk.services import customer_pages
from tierdesk.services.customers import Contact
from tierdesk.services.errors import NotFound, ServiceError
from tierdesk.services.tickets import Intake
from tierdesk.web.api.common import State
from tierdesk.web.public.base import form_nonce, form_token, limited, page_lang, show, too_many
from tierdesk.web.public.forms import (
    HONEYPOT,
    MAX_MESSAGE,
    MAX_NAME,
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
from tierdesk.web.state import WebState

router = APIRouter()
FORM = "chat"
PURPOSE = "chat"
CHAT_MAX_AGE = timedelta(days=1)
POLL_SECONDS = 3
STOP_POLLING = 286  # htmx: swap this answer and stop polling
Token = Annotated[str, Path(min_length=1, max_length=500)]


def frame_ancestors(state: WebState) -> str:
    return " ".join(["'self'", *state.settings.chat_frame_ancestors.split()])


def chat_token(state: WebState, ticket_id: str, customer_id: str) -> str:
    exp = int((state.env.now() + CHAT_MAX_AGE).timestamp())
    return state.signer.dumps(PURPOSE, {"t": ticket_id, "c": customer_id, "exp": exp})


def chat_of(state: WebState, token: str) -> tuple[str, str] | None:
    """(ticket id, customer id) of a chat token, or None (forged, other purpose, expired)."""
    payload = state.signer.loads(PURPOSE, token, state.env.now())
    if (
        not payload
        or not isinstance(payload.get("t"), str)
        or not isinstance(payload.get("c"), str)
    ):
        return None
    return payload["t"], payload["c"]


def _page(
    request: Request,
    state: State,
    template: str,
    lang: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    return show(
        request,
        state,
        template,
        lang,
        status=status,
        frame_ancestors=frame_ancestors(state),
        honeypot=HONEYPOT,
        max_message=MAX_MESSAGE,
        max_name=MAX_NAME,
        **context,
    )


def _start(
    request: Request,
    state: State,
    lang: str,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        state,
        "public/chat_start.html",
        lang,
        status=status,
        values=values or {},
        errors=errors or {},
        token=form_token(state, FORM),
    )


@router.get("/chat", response_class=HTMLResponse)
def chat_start(request: Request, state: State) -> HTMLResponse:
    """The chat's first page: who you are and your first message."""
    return _start(request, state, page_lang(request))


@router.post("/chat", response_class=HTMLResponse)
async def chat_open(
    request: Request,
    state: State,
    email: EmailField = "",
    message: MessageField = "",
    name: NameField = "",
    token: TokenField = "",
    website: HoneypotField = "",
    lang: LangField = "",
) -> Response:
    """The first message opens the ticket; on to the conversation."""
    page = page_lang(request, lang or None)
    wait = limited(state, request)
    if wait is not None:
        return too_many(request, state, page, wait, frame_ancestors(state))
    values = {"email": email, "message": message, "name": name}
    if trapped(website, FORM):
        return _start(request, state, page, values={})
    nonce = form_nonce(state, FORM, token)
    if nonce is None:
        return _start(request, state, page, status=400, values=values, errors={"form": "expired"})
    errors = check_contact(email, message, name)
    if errors:
        return _start(request, state, page, status=422, values=values, errors=errors)
    intake = Intake(
        channel="chat",
        text=message,
        contact=Contact("email", email, name.strip(), page),
        language=page,
        idempotency_key=f"chat:{nonce}",
    )
    try:
        opened = await state.batcher.submit(intake)
    except ServiceError as exc:
        return _start(request, state, page, status=422, values=values, errors=service_errors(exc))
    signed = chat_token(state, opened.ticket.id, opened.ticket.customer_id)
    return RedirectResponse(f"/chat/{signed}?lang={page}", status_code=303)


def _conversation(
    request: Request,
    state: State,
    signed: str,
    ticket_id: str,
    customer_id: str,
    template: str,
    *,
    status: int = 200,
    error: str = "",
) -> HTMLResponse:
    thread = customer_pages.customer_thread(state.env, customer_id=customer_id, ticket_id=ticket_id)
    email = customer_pages.customer_email(state.env, customer_id=customer_id)
    lang = page_lang(request, thread.ticket.language)
    return _page(
        request,
        state,
        template,
        lang,
        status=status,
        thread=thread,
        chat=signed,
        key=secrets.token_urlsafe(12),
        error=error,
        email=email,
        poll=POLL_SECONDS,
    )


def _expired(request: Request, state: State) -> HTMLResponse:
    return _page(request, state, "public/chat_gone.html", page_lang(request), status=403)


@router.get("/chat/{token}", response_class=HTMLResponse)
def chat_page(request: Request, state: State, token: Token) -> HTMLResponse:
    """The conversation: messages so far, agent replies appearing as they come."""
    found = chat_of(state, token)
    if found is None:
        return _expired(request, state)
    try:
        return _conversation(request, state, token, *found, "public/chat.html")
    except NotFound:
        return _expired(request, state)


@router.get("/chat/{token}/log", response_class=HTMLResponse)
def chat_log(request: Request, state: State, token: Token) -> HTMLResponse:
    """The conversation fragment (polled by htmx). An expired chat answers 286, which tells
    htmx to stop polling, with a line saying the chat ended."""
    found = chat_of(state, token)
    try:
        if found is not None:
            return _conversation(request, state, token, *found, "public/_chat_log.html")
    except NotFound:
        pass
    return _page(request, state, "public/_chat_ended.html", page_lang(request), status=STOP_POLLING)


@router.post("/chat/{token}/messages", response_class=HTMLResponse)
def chat_say(
    request: Request,
    state: State,
    token: Token,
    body: MessageField = "",
    key: Annotated[str, Form(min_length=1, max_length=100)] = "-",
) -> Response:
    """A later message of the customer: appended to the chat's ticket."""
    found = chat_of(state, token)
    if found is None:
        return _expired(request, state)
    ticket_id, customer_id = found
    lang = page_lang(request)
    wait = limited(state, request)
    if wait is not None:
        return too_many(request, state, lang, wait, frame_ancestors(state))
    htmx = bool(request.headers.get("HX-Request"))
    template = "public/_chat_panel.html" if htmx else "public/chat.html"
    if not body.strip() or len(body) > MAX_MESSAGE:
        error = "missing" if not body.strip() else "long"
        return _conversation(
            request, state, token, ticket_id, customer_id, template, status=422, error=error
        )
    try:
        customer_pages.customer_reply(
            state.env,
            customer_id=customer_id,
            ticket_id=ticket_id,
            body=body,
            channel="chat",
            message_key=key,
        )
    except NotFound:
        return _expired(request, state)
    except ServiceError:
        return _conversation(
            request, state, token, ticket_id, customer_id, template, status=409, error="closed"
        )
    if htmx:
        return _conversation(request, state, token, ticket_id, customer_id, template)
    query = f"?lang={request.query_params['lang']}" if request.query_params.get("lang") else ""
    return RedirectResponse(f"/chat/{token}{query}", status_code=303)
