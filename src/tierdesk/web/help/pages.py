"""The public help centre at /help/{lang} (en, zh-TW; no account): categories, search, article
pages with "did this help?" votes, and /help/suggest, the HTML fragment of suggestions the
contact page shows as a customer types (`templates/public/_contact_suggestions.html`).

A visitor cookie (`td_visitor`: a random id, HttpOnly, a year) lets a vote count once per
visitor and the deflection count tell whether a visitor who searched went on to send a
ticket (`tierdesk.services.kb_public`). Searching, suggesting and voting take a token of the
public rate limit (per client address); a visitor over it gets a 429 page.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from tierdesk.domain.model import LANGS
from tierdesk.services import kb_public
from tierdesk.services.errors import NotFound
from tierdesk.web import i18n
from tierdesk.web.api.common import State
from tierdesk.web.help.render import article_html, excerpt
from tierdesk.web.public.base import limited, page_lang, show
from tierdesk.web.state import WebState

router = APIRouter(include_in_schema=False)
VISITOR_COOKIE = "td_visitor"
YEAR = 365 * 24 * 3600
Q = Annotated[str, Query(max_length=200)]


def visitor_of(request: Request) -> str | None:
    """The visitor id of the request's cookie (None when it has none or a bad one)."""
    value = request.cookies.get(VISITOR_COOKIE, "")
    return (
        value
        if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


def _visitor(request: Request) -> tuple[str, bool]:
    known = visitor_of(request)
    return (known, False) if known else (secrets.token_urlsafe(18), True)


def _keep(response: Response, visitor: str, new: bool) -> Response:
    if new:
        response.set_cookie(
            VISITOR_COOKIE, visitor, max_age=YEAR, httponly=True, samesite="lax", path="/"
        )
    return response


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise NotFound("help centre language", lang)
    return lang


def _label(state: WebState, category: str, lang: str) -> str:
    found = next((c for c in state.env.rules.categories if c.id == category), None)
    return found.label.get(lang) if found is not None else category


def _page(
    request: Request, state: WebState, template: str, lang: str, **context: Any
) -> HTMLResponse:
    other = next(code for code in LANGS if code != lang)
    return show(request, state, f"help/{template}", lang, other_lang=other, **context)


def _hits(state: WebState, found: list[Any], lang: str) -> list[dict[str, str]]:
    return [
        {
            "title": f.translation.published_title or "",
            "url": f"/help/{lang}/articles/{f.article.slug}",
            "excerpt": excerpt(f.translation.published_body or ""),
            "category": _label(state, f.article.category, lang),
        }
        for f in found
    ]


@router.get("/help")
def help_home(request: Request) -> RedirectResponse:
    """To the help centre in the visitor's language."""
    return RedirectResponse(f"/help/{page_lang(request)}", status_code=303)


@router.get("/help/suggest", response_class=HTMLResponse)
def suggest(
    request: Request,
    state: State,
    q: Q = "",
    lang: Q = "",
    subject: Annotated[str, Query(max_length=500)] = "",
    message: Annotated[str, Query(max_length=20_000)] = "",
) -> Response:
    """The suggestions fragment for the contact page: the public articles matching what the
    customer typed (`q`, or the form's `subject` and `message`), in the page's language;
    empty for nothing typed."""
    q = " ".join(part for part in (q, subject, message[:1000]) if part.strip())
    language = i18n.language(lang or page_lang(request))
    visitor, new = _visitor(request)
    if not q.strip():
        return _keep(show(request, state, "help/_suggest.html", language, hits=[]), visitor, new)
    if limited(state, request) is not None:
        return Response(status_code=204)  # over the limit: the form keeps what it shows
    found = kb_public.search(
        state.env, q, language=language, visitor=visitor, kind="suggest", limit=3, mode="any"
    )
    page = show(request, state, "help/_suggest.html", language, hits=_hits(state, found, language))
    return _keep(page, visitor, new)


@router.get("/help/{lang}", response_class=HTMLResponse)
def home(request: Request, state: State, lang: str) -> Response:
    """Categories with public articles, and the search box."""
    lang = _lang(lang)
    counts = kb_public.categories(state.env)
    categories = [
        {"id": c.id, "label": c.label.get(lang), "count": counts[c.id]}
        for c in state.env.rules.categories
        if c.id in counts
    ]
    return _page(request, state, "home.html", lang, categories=categories, q="")


@router.get("/help/{lang}/search", response_class=HTMLResponse)
def search(request: Request, state: State, lang: str, q: Q = "") -> Response:
    """Articles matching every word of `q` (Chinese needs no spaces), best first."""
    lang = _lang(lang)
    visitor, new = _visitor(request)
    if limited(state, request) is not None:
        page = _page(request, state, "search.html", lang, q=q, hits=[], limited=True)
        page.status_code = 429
        return page
    found = kb_public.search(state.env, q, language=lang, visitor=visitor, limit=20)
    hits = _hits(state, found, lang)
    return _keep(
        _page(request, state, "search.html", lang, q=q, hits=hits, limited=False), visitor, new
    )


@router.get("/help/{lang}/categories/{category}", response_class=HTMLResponse)
def category(request: Request, state: State, lang: str, category: str) -> Response:
    """The public articles of one category."""
    lang = _lang(lang)
    found = kb_public.in_category(state.env, category, lang)
    if not found:
        raise NotFound("help centre category", category)
    hits = _hits(state, found, lang)
    return _page(
        request, state, "category.html", lang, label=_label(state, category, lang), hits=hits, q=""
    )


@router.get("/help/{lang}/articles/{slug}", response_class=HTMLResponse)
def article(request: Request, state: State, lang: str, slug: str) -> Response:
    """One published article, with the "did this help?" question."""
    lang = _lang(lang)
    visitor, new = _visitor(request)
    found = kb_public.article(state.env, slug, language=lang, visitor=visitor)
    voted = request.query_params.get("voted")
    voted = voted if voted in ("yes", "no", "again") else None
    return _keep(_article_page(request, state, found, lang, voted=voted), visitor, new)


def _article_page(
    request: Request, state: WebState, found: kb_public.PublicArticle, lang: str, voted: str | None
) -> HTMLResponse:
    t = found.translation
    return _page(
        request,
        state,
        "article.html",
        lang,
        title=t.published_title,
        html=Markup(article_html(t.published_body or "")),  # noqa: S704 - nh3-cleaned
        slug=found.article.slug,
        article_id=found.article.id,
        category=found.article.category,
        label=_label(state, found.article.category, lang),
        languages_live=found.languages,
        updated=t.published_at,
        voted=voted,
        q="",
    )


@router.post("/help/{lang}/articles/{slug}/vote", response_class=HTMLResponse)
def vote(
    request: Request,
    state: State,
    lang: str,
    slug: str,
    helpful: Annotated[str, Form(max_length=3)],
) -> Response:
    """Record "did this help?" once per visitor (a second answer is thanked, not counted)."""
    lang = _lang(lang)
    if limited(state, request) is not None:
        return show(request, state, "help/_voted.html", lang, status=429, voted="limited")
    visitor, new = _visitor(request)
    counted = kb_public.vote(
        state.env, slug=slug, language=lang, visitor=visitor, helpful=helpful == "yes"
    )
    result = ("yes" if helpful == "yes" else "no") if counted else "again"
    if request.headers.get("HX-Request") == "true":
        return _keep(show(request, state, "help/_voted.html", lang, voted=result), visitor, new)
    return _keep(
        RedirectResponse(f"/help/{lang}/articles/{slug}?voted={result}", status_code=303),
        visitor,
        new,
    )
