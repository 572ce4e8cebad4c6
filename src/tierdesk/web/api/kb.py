"""The knowledge base (issue 16): articles and their translations, the review workflow,
revisions, search, suggestions on a ticket and the self-service counts. Staff only; the public
help centre is `tierdesk.web.help`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import Field

from tierdesk.domain.model import Lang
from tierdesk.services import kb, kb_public
from tierdesk.services.kb_records import (
    ArticleFilter,
    ArticleRecord,
    KbEventRecord,
    RevisionRecord,
    TranslationRecord,
)
from tierdesk.web.api.common import State, invalid_field
from tierdesk.web.api.tickets import TicketId
from tierdesk.web.auth import CurrentUser
from tierdesk.web.help.render import article_html, excerpt
from tierdesk.web.schemas import ONE_LINE, Strict

router = APIRouter(tags=["knowledge base"])
ArticleId = Annotated[str, Path(min_length=1, max_length=100)]
Language = Annotated[Lang, Path(description="en or zh-TW")]
Action = Literal["submit", "publish", "reject", "archive", "restore"]
State_ = Literal["draft", "in_review", "published", "archived"]
Audience = Literal["internal", "public"]
Title = Annotated[str, Field(min_length=1, max_length=kb.MAX_TITLE, pattern=ONE_LINE)]
Body = Annotated[str, Field(min_length=1, max_length=kb.MAX_BODY)]
Note = Annotated[str, Field(max_length=5000)]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=ONE_LINE)]
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=ONE_LINE)]
Category = Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_LINE)]
Limit = Annotated[int, Query(ge=1, le=kb.MAX_LIMIT)]


class ArticleIn(Strict):
    category: Category
    language: Lang
    title: Title
    body: Body
    audience: Audience = "public"
    tags: Annotated[list[Tag], Field(max_length=kb.MAX_TAGS, default_factory=list)]
    slug: Slug | None = None
    note: Note = ""


class ArticleChangeIn(Strict):
    category: Category | None = None
    audience: Audience | None = None
    tags: Annotated[list[Tag], Field(max_length=kb.MAX_TAGS)] | None = None
    slug: Slug | None = None


class TranslationIn(Strict):
    language: Lang
    title: Title
    body: Body
    note: Note = ""


class TranslationEditIn(Strict):
    title: Title | None = None
    body: Body | None = None
    note: Note = ""
    revision: Annotated[
        int | None, Field(ge=1, description="The revision this edit is based on; stale -> 409.")
    ] = None


class TransitionIn(Strict):
    note: Note = ""


class UsedIn(Strict):
    article_id: Annotated[str, Field(min_length=1, max_length=100, pattern=ONE_LINE)]
    language: Lang
    how: Literal["link", "text"]


@dataclass(frozen=True)
class TranslationOut:
    """A translation with its Markdown rendered (`html`: the working copy; `published_html`:
    what readers see, null when it is not live)."""

    translation: TranslationRecord
    html: str
    published_html: str | None


@dataclass(frozen=True)
class ArticleOut:
    article: ArticleRecord
    translations: list[TranslationOut]
    votes: dict[str, tuple[int, int]]  # per language: (helpful, not helpful)
    public_url: dict[str, str]  # per live language of a public article: its help-centre page


@dataclass(frozen=True)
class HitOut:
    article_id: str
    slug: str
    language: str
    category: str
    audience: str
    title: str
    excerpt: str
    score: float
    url: str | None  # the help-centre page of a public article
    body: str  # the published Markdown (to put into a reply)


def help_url(article: ArticleRecord, language: str) -> str:
    """The help-centre page of a public article in one language."""
    return f"/help/{language}/articles/{article.slug}"


def _translation_out(t: TranslationRecord) -> TranslationOut:
    published = None if t.published_body is None else article_html(t.published_body)
    return TranslationOut(t, article_html(t.body), published)


def article_out(view: kb.ArticleView) -> ArticleOut:
    urls = {
        t.language: help_url(view.article, t.language)
        for t in view.translations
        if t.live and view.article.audience == "public"
    }
    return ArticleOut(
        view.article, [_translation_out(t) for t in view.translations], view.votes, urls
    )


def hit_out(found: kb.Found) -> HitOut:
    a, t = found.article, found.translation
    body = t.published_body or ""
    return HitOut(
        a.id,
        a.slug,
        t.language,
        a.category,
        a.audience,
        t.published_title or t.title,
        excerpt(body),
        round(found.score, 6),
        help_url(a, t.language) if a.audience == "public" else None,
        body,
    )


@router.get("/kb/articles", response_model=list[ArticleOut])
def list_articles(
    user: CurrentUser,
    state: State,
    category: Annotated[str | None, Query(max_length=64)] = None,
    language: Lang | None = None,
    status: Annotated[State_ | None, Query(alias="state")] = None,
    audience: Audience | None = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ArticleOut]:
    """Articles with a translation of that language and state, most recently updated first."""
    filters = ArticleFilter(category, language, status, audience, tag)
    views = kb.list_articles(state.env, filters, actor_id=user.user_id, limit=limit)
    return [article_out(v) for v in views]


@router.post("/kb/articles", status_code=201, response_model=ArticleOut)
def create_article(body: ArticleIn, user: CurrentUser, state: State) -> ArticleOut:
    """A new article with its first translation as a draft. The category must be one of the
    policy in force; the slug defaults to the English title's words."""
    view = kb.create_article(
        state.env,
        actor_id=user.user_id,
        category=body.category,
        language=body.language,
        title=body.title,
        body=body.body,
        audience=body.audience,
        tags=body.tags,
        slug=body.slug,
        note=body.note,
    )
    return article_out(view)


@router.get("/kb/articles/{article_id}", response_model=ArticleOut)
def get_article(article_id: ArticleId, user: CurrentUser, state: State) -> ArticleOut:
    """One article, every translation in any state, and its votes."""
    return article_out(kb.get_article(state.env, article_id, actor_id=user.user_id))


@router.patch("/kb/articles/{article_id}", response_model=ArticleOut)
def change_article(
    article_id: ArticleId, body: ArticleChangeIn, user: CurrentUser, state: State
) -> ArticleOut:
    """Change the category, tags, slug or (an approver) the audience."""
    view = kb.update_article(
        state.env,
        article_id=article_id,
        actor_id=user.user_id,
        category=body.category,
        audience=body.audience,
        tags=body.tags,
        slug=body.slug,
    )
    return article_out(view)


@router.delete("/kb/articles/{article_id}", response_model=ArticleOut)
def archive_article(article_id: ArticleId, user: CurrentUser, state: State) -> ArticleOut:
    """Archive every translation (an approver): the article leaves the help centre and
    search. Nothing is erased; its revisions stay, and `restore` brings a language back."""
    return article_out(kb.archive_article(state.env, article_id=article_id, actor_id=user.user_id))


@router.post("/kb/articles/{article_id}/translations", status_code=201, response_model=ArticleOut)
def add_translation(
    article_id: ArticleId, body: TranslationIn, user: CurrentUser, state: State
) -> ArticleOut:
    """Another language of the article, as a draft (409 when it exists: edit it)."""
    view = kb.add_translation(
        state.env,
        article_id=article_id,
        actor_id=user.user_id,
        language=body.language,
        title=body.title,
        body=body.body,
        note=body.note,
    )
    return article_out(view)


@router.patch("/kb/articles/{article_id}/translations/{language}", response_model=TranslationOut)
def edit_translation(
    article_id: ArticleId,
    language: Language,
    body: TranslationEditIn,
    user: CurrentUser,
    state: State,
) -> TranslationOut:
    """A new revision of the text; the translation is a draft again (readers keep the
    published copy until the new one is published). `revision`: 409 `stale_revision` when
    someone edited it since."""
    changed = kb.edit(
        state.env,
        article_id=article_id,
        language=language,
        actor_id=user.user_id,
        title=body.title,
        body=body.body,
        expected_revision=body.revision,
        note=body.note,
    )
    return _translation_out(changed)


_ACTIONS = {
    "submit": kb.submit,
    "publish": kb.publish,
    "archive": kb.archive,
    "restore": kb.restore,
}


@router.post(
    "/kb/articles/{article_id}/translations/{language}/{action}", response_model=TranslationOut
)
def transition(
    article_id: ArticleId,
    language: Language,
    action: Action,
    body: TransitionIn,
    user: CurrentUser,
    state: State,
) -> TranslationOut:
    """submit (draft -> in_review), publish (a named approver, not the author: in_review ->
    published), reject (with a note: in_review -> draft), archive, restore (archived ->
    draft). 409 `invalid_transition` from another state, 403 for a role that may not."""
    common = {"article_id": article_id, "language": language, "actor_id": user.user_id}
    if action == "reject":
        changed = kb.reject(state.env, note=body.note, **common)
    else:
        changed = _ACTIONS[action](state.env, note=body.note, **common)
    return _translation_out(changed)


@router.get(
    "/kb/articles/{article_id}/translations/{language}/revisions",
    response_model=list[RevisionRecord],
)
def revisions(
    article_id: ArticleId, language: Language, user: CurrentUser, state: State
) -> list[RevisionRecord]:
    """Every revision of one translation, oldest first: who did what, when, and the text."""
    return kb.revisions(state.env, article_id, language, actor_id=user.user_id)


@router.get("/kb/search", response_model=list[HitOut])
def search(
    user: CurrentUser,
    state: State,
    q: Annotated[str, Query(max_length=2000)],
    language: Lang | None = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 10,
) -> list[HitOut]:
    """Published articles (internal ones too) matching every word of `q`, best first (the
    last word as a prefix while typing; Chinese needs no spaces)."""
    found = kb.search(
        state.env, q, actor_id=user.user_id, language=language, category=category, limit=limit
    )
    return [hit_out(f) for f in found]


@router.get("/tickets/{ticket_id}/kb-suggestions", response_model=list[HitOut])
def suggestions(
    ticket_id: TicketId, user: CurrentUser, state: State, limit: Limit = 5
) -> list[HitOut]:
    """Articles for the ticket: sharing words with it, those of its category first."""
    found = kb.suggestions_for_ticket(state.env, ticket_id, actor_id=user.user_id, limit=limit)
    return [hit_out(f) for f in found]


@router.post(
    "/tickets/{ticket_id}/kb-suggestions/used", status_code=201, response_model=KbEventRecord
)
def used(ticket_id: TicketId, body: UsedIn, user: CurrentUser, state: State) -> KbEventRecord:
    """Record that an article was put into a reply on the ticket (as a link or as text)."""
    return kb.record_used(
        state.env,
        ticket_id=ticket_id,
        article_id=body.article_id,
        language=body.language,
        actor_id=user.user_id,
        how=body.how,
    )


@router.get("/kb/deflection", response_model=kb_public.Deflection)
def deflection(
    user: CurrentUser,
    state: State,
    since: Annotated[
        datetime | None, Query(description="Start (default: until - 30 days).")
    ] = None,
    until: Annotated[datetime | None, Query(description="End, exclusive (default: now).")] = None,
) -> kb_public.Deflection:
    """Self-service from `since` to `until` (at most a year): visitors who searched or read the
    help centre, those who sent a ticket within 24 h after and those who did not (deflected),
    and the suggestions agents used in replies. Leads, QA and admins."""
    env = state.env
    end = _aware(until, "until") or env.now()
    start = _aware(since, "since") or end - timedelta(days=30)
    if not timedelta(0) < end - start <= timedelta(days=366):
        raise invalid_field("query.since", "since must be before until, at most a year before")
    return kb_public.deflection(env, start, end, actor_id=user.user_id)


def _aware(at: datetime | None, name: str) -> datetime | None:
    if at is None:
        return None
    if at.tzinfo is None or at.utcoffset() is None:
        raise invalid_field(f"query.{name}", "give a time zone (e.g. 2026-12-01T00:00:00Z)")
    return at.astimezone(UTC)
