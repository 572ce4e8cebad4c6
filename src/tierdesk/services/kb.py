"""The knowledge base (issue 16): articles agents write, review and publish, in English and
Traditional Chinese; search; suggestions on a ticket.

One article has one translation per language, each with its own state:

    draft --submit--> in_review --publish (a named approver)--> published --archive--> archived
      ^                  |  reject (with the reason)               | edit                | restore
      +------------------+-----------------------------------------+---------------------+

Editing a published translation makes a new draft of it while readers keep seeing the published
copy until the new text is approved in turn; archiving takes it off the help centre and out of
search. Publishing needs a named approver whose role may approve (`APPROVER_ROLES`: team leads
and above) and who is not the author of the text under review (a second pair of eyes, as for
policy versions, R-DOC-3). Every edit and transition is a revision (author, time, text).

Articles are tied to a category of the policy in force and carry tags; `internal` ones are for
agents only, `public` ones are also on the help centre. Markdown is stored as written; pages
render it and sanitize the HTML (`tierdesk.web.help.render`). Public use is in `kb_public`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from tierdesk.domain.kb_text import Mode, query_terms
from tierdesk.domain.model import LANGS
from tierdesk.services.env import Env
from tierdesk.services.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from tierdesk.services.kb_records import (
    AUDIENCES,
    KB_STATES,
    ArticleFilter,
    ArticleRecord,
    KbEventRecord,
    KbHit,
    KbSearch,
    RevisionRecord,
    TranslationRecord,
)
from tierdesk.services.ports import DuplicateKey, UnitOfWork
from tierdesk.services.records import UserRecord, new_id
from tierdesk.services.users import LEAD_ROLES, NOTE_ROLES, actor

READER_ROLES = NOTE_ROLES  # every staff role reads the knowledge base, internal articles too
AUTHOR_ROLES = NOTE_ROLES  # L1 knows the FAQ best: anyone on staff may write a draft
# Who may publish, reject and archive: the default of issue 16 (the policy names no such role).
APPROVER_ROLES = LEAD_ROLES | {"admin"}
STAFF_AUDIENCES = AUDIENCES
MAX_TITLE = 200
MAX_BODY = 100_000
MAX_TAGS = 20
MAX_LIMIT = 50
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w-]{1,40}$")


class StaleRevision(Conflict):
    """The edit was based on an older revision of the translation; nothing was changed."""

    code = "stale_revision"


@dataclass(frozen=True)
class ArticleView:
    """An article with its translations (by language) and "did this help?" votes per
    language as (helpful, not helpful)."""

    article: ArticleRecord
    translations: tuple[TranslationRecord, ...]
    votes: dict[str, tuple[int, int]]

    def translation(self, language: str) -> TranslationRecord | None:
        return next((t for t in self.translations if t.language == language), None)


@dataclass(frozen=True)
class Found:
    """A search hit with its article and translation."""

    article: ArticleRecord
    translation: TranslationRecord
    score: float


# --- checks --------------------------------------------------------------------------------------


def _language(language: str) -> str:
    if language not in LANGS:
        raise InvalidInput("language", f"must be one of {', '.join(LANGS)}", value=language)
    return language


def _category(env: Env, category: str) -> str:
    known = [c.id for c in env.rules.categories]
    if category not in known:
        raise InvalidInput(
            "category",
            f"{category!r} is not a category of the policy in force ({', '.join(known)})",
            value=category,
        )
    return category


def _audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise InvalidInput("audience", f"must be one of {', '.join(AUDIENCES)}", value=audience)
    return audience


def _tags(tags: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
    if len(out) > MAX_TAGS:
        raise InvalidInput("tags", f"at most {MAX_TAGS} tags")
    bad = [t for t in out if not _TAG.match(t)]
    if bad:
        raise InvalidInput("tags", "a tag is 1-40 letters, digits, '_' or '-'", value=bad[0])
    return out


def _slug(slug: str) -> str:
    if not (1 <= len(slug) <= 120) or not _SLUG.match(slug):
        raise InvalidInput("slug", "1-120 characters: a-z, 0-9 and single '-' between", value=slug)
    return slug


def normal_tags(tags: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Tags as they are stored: lower case, without repeats (InvalidInput for a bad one)."""
    return _tags(tags)


def validate(
    env: Env,
    *,
    category: str,
    language: str,
    audience: str,
    tags: tuple[str, ...] | list[str],
    slug: str,
    title: str,
    body: str,
) -> None:
    """InvalidInput naming the field when an article would be refused (the checks of
    `create_article`, for a batch checked before any of it is written)."""
    _category(env, category)
    _language(language)
    _audience(audience)
    _tags(tags)
    _slug(slug)
    _text(title, body)


def slug_for(title: str, fallback: str) -> str:
    """A slug from an (English) title; `fallback` when the title has no Latin letters."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "-".join(words)[:80].strip("-")
    return slug or fallback


def _text(title: str, body: str) -> tuple[str, str]:
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput("title", f"1-{MAX_TITLE} characters")
    if not body.strip():
        raise InvalidInput("body", "an article needs a body (Markdown)")
    if len(body) > MAX_BODY:
        raise InvalidInput("body", f"at most {MAX_BODY} characters")
    return title, body


def _article(uow: UnitOfWork, article_id: str) -> ArticleRecord:
    article = uow.kb.get_article(article_id)
    if article is None:
        raise NotFound("article", article_id)
    return article


def _translation(uow: UnitOfWork, article_id: str, language: str) -> TranslationRecord:
    _article(uow, article_id)
    found = uow.kb.get_translation(article_id, _language(language))
    if found is None:
        raise NotFound("translation", f"{article_id}/{language}")
    return found


def _record(
    uow: UnitOfWork, t: TranslationRecord, action: str, user: UserRecord, note: str = ""
) -> None:
    uow.kb.add_revision(
        RevisionRecord(
            t.article_id,
            t.language,
            t.revision,
            action,
            t.title,
            t.body,
            t.state,
            user.id,
            t.updated_at,
            note,
        )
    )


# --- writing -------------------------------------------------------------------------------------


def create_article(
    env: Env,
    *,
    actor_id: str,
    category: str,
    language: str,
    title: str,
    body: str,
    audience: str = "public",
    tags: tuple[str, ...] | list[str] = (),
    slug: str | None = None,
    note: str = "",
) -> ArticleView:
    """A new article with its first translation as a draft (revision 1). The slug defaults to
    the English title's words (else the id); InvalidInput for a category the policy in force
    does not have, Conflict `slug_taken` for a slug in use."""
    title, body = _text(title, body)
    _language(language)
    with env.uow() as uow:
        user = actor(uow, actor_id, AUTHOR_ROLES, "write articles")
        now = env.now()
        article_id = new_id("kb")
        fallback = f"article-{article_id[3:15]}"
        article = ArticleRecord(
            id=article_id,
            slug=_slug(slug) if slug else slug_for(title if language == "en" else "", fallback),
            category=_category(env, category),
            tags=_tags(tags),
            audience=_audience(audience),
            created_by=user.id,
            created_at=now,
            updated_at=now,
        )
        if slug is None and uow.kb.get_by_slug(article.slug) is not None:
            article = replace(article, slug=f"{article.slug[:100]}-{article_id[3:9]}")
        try:
            uow.kb.add_article(article)
        except DuplicateKey:
            raise SlugTaken(article.slug) from None
        t = TranslationRecord(article.id, language, title, body, "draft", 1, user.id, now)
        uow.kb.add_translation(t)
        _record(uow, t, "create", user, note)
        uow.commit()
        return _view(uow, article)


class SlugTaken(Conflict):
    code = "slug_taken"

    def __init__(self, slug: str) -> None:
        super().__init__(f"the slug {slug!r} belongs to another article", slug=slug)


def add_translation(
    env: Env,
    *,
    article_id: str,
    actor_id: str,
    language: str,
    title: str,
    body: str,
    note: str = "",
) -> ArticleView:
    """Another language of an article, as a draft. Conflict when it exists already."""
    title, body = _text(title, body)
    with env.uow() as uow:
        user = actor(uow, actor_id, AUTHOR_ROLES, "write articles")
        article = _article(uow, article_id)
        now = env.now()
        t = TranslationRecord(
            article_id, _language(language), title, body, "draft", 1, user.id, now
        )
        try:
            uow.kb.add_translation(t)
        except DuplicateKey:
            raise Conflict(
                f"article {article_id} has a {language} translation already; edit it",
                article_id=article_id,
                language=language,
            ) from None
        _record(uow, t, "create", user, note)
        uow.kb.save_article(replace(article, updated_at=now))
        uow.commit()
        return _view(uow, article)


def update_article(
    env: Env,
    *,
    article_id: str,
    actor_id: str,
    category: str | None = None,
    audience: str | None = None,
    tags: tuple[str, ...] | list[str] | None = None,
    slug: str | None = None,
) -> ArticleView:
    """Change what the article is about (category, audience, tags, slug). Each translation
    gets a revision noting the change. Making a public article internal, or the reverse, is
    for an approver: it decides who reads the published text."""
    with env.uow() as uow:
        user = actor(uow, actor_id, AUTHOR_ROLES, "edit articles")
        article = _article(uow, article_id)
        changed = replace(
            article,
            category=article.category if category is None else _category(env, category),
            audience=article.audience if audience is None else _audience(audience),
            tags=article.tags if tags is None else _tags(tags),
            slug=article.slug if slug is None else _slug(slug),
        )
        if changed.audience != article.audience and user.role not in APPROVER_ROLES:
            raise Forbidden(
                f"{user.role} may not change who reads an article",
                role=user.role,
                allowed_roles=sorted(APPROVER_ROLES),
            )
        notes = [
            f"{name}: {getattr(article, name)} -> {getattr(changed, name)}"
            for name in ("category", "audience", "tags", "slug")
            if getattr(article, name) != getattr(changed, name)
        ]
        if not notes:
            return _view(uow, article)
        now = env.now()
        changed = replace(changed, updated_at=now)
        try:
            uow.kb.save_article(changed)
        except DuplicateKey:
            raise SlugTaken(changed.slug) from None
        for t in uow.kb.translations([article_id]):
            moved = replace(t, revision=t.revision + 1, updated_at=now)
            uow.kb.save_translation(moved)
            _record(uow, moved, "edit", user, "; ".join(notes))
        uow.commit()
        return _view(uow, changed)


def edit(
    env: Env,
    *,
    article_id: str,
    language: str,
    actor_id: str,
    title: str | None = None,
    body: str | None = None,
    expected_revision: int | None = None,
    note: str = "",
) -> TranslationRecord:
    """A new revision of a translation's text. It becomes a draft again (a review starts
    over; a published copy stays as it is for readers until the new text is published).
    StaleRevision when `expected_revision` is given and is not the newest."""
    with env.uow() as uow:
        user = actor(uow, actor_id, AUTHOR_ROLES, "edit articles")
        t = _translation(uow, article_id, language)
        if expected_revision is not None and expected_revision != t.revision:
            raise StaleRevision(
                f"{article_id}/{language} is at revision {t.revision}, not "
                f"{expected_revision}: reload and retry",
                article_id=article_id,
                language=language,
                expected_revision=expected_revision,
                actual_revision=t.revision,
            )
        new_title, new_body = _text(
            t.title if title is None else title, t.body if body is None else body
        )
        now = env.now()
        changed = replace(
            t,
            title=new_title,
            body=new_body,
            state="draft",
            revision=t.revision + 1,
            updated_by=user.id,
            updated_at=now,
            submitted_by=None,
            submitted_at=None,
        )
        uow.kb.save_translation(changed)
        _record(uow, changed, "edit", user, note)
        uow.kb.save_article(replace(_article(uow, article_id), updated_at=now))
        uow.commit()
        return changed


def _transition(t: TranslationRecord, action: str, from_states: set[str]) -> None:
    """InvalidTransition unless the translation is in one of `from_states`."""
    if t.state not in from_states:
        raise InvalidTransition(
            f"cannot {action} {t.article_id}/{t.language}: it is {t.state}",
            article_id=t.article_id,
            language=t.language,
            state=t.state,
            command=action,
        )


def submit(
    env: Env, *, article_id: str, language: str, actor_id: str, note: str = ""
) -> TranslationRecord:
    """Ask for review: draft -> in_review."""
    with env.uow() as uow:
        user = actor(uow, actor_id, AUTHOR_ROLES, "submit articles for review")
        t = _translation(uow, article_id, language)
        _transition(t, "submit", {"draft"})
        now = env.now()
        changed = replace(
            t,
            state="in_review",
            revision=t.revision + 1,
            submitted_by=user.id,
            submitted_at=now,
            updated_at=now,
        )
        return _commit(uow, changed, "submit", user, note)


def publish(
    env: Env, *, article_id: str, language: str, actor_id: str, note: str = ""
) -> TranslationRecord:
    """A named approver publishes the text under review: in_review -> published; readers see
    it from now on. Forbidden for a role that may not approve, or for the author of the text
    (its last editor)."""
    with env.uow() as uow:
        user = actor(uow, actor_id, APPROVER_ROLES, "publish articles")
        t = _translation(uow, article_id, language)
        _transition(t, "publish", {"in_review"})
        if _last_editor(uow, t) == user.id:
            raise Forbidden(
                f"the author of {article_id}/{language} cannot publish it: another approver "
                "reviews it",
                article_id=article_id,
                language=language,
            )
        now = env.now()
        changed = replace(
            t,
            state="published",
            revision=t.revision + 1,
            approved_by=user.id,
            approved_at=now,
            decision_note=note,
            published_title=t.title,
            published_body=t.body,
            published_revision=t.revision + 1,
            published_at=now,
            updated_at=now,
        )
        return _commit(uow, changed, "publish", user, note)


def reject(
    env: Env, *, article_id: str, language: str, actor_id: str, note: str
) -> TranslationRecord:
    """An approver sends the text back to its author with the reason: in_review -> draft."""
    if not note.strip():
        raise InvalidInput("note", "say why the article goes back to its author")
    with env.uow() as uow:
        user = actor(uow, actor_id, APPROVER_ROLES, "reject articles")
        t = _translation(uow, article_id, language)
        _transition(t, "reject", {"in_review"})
        now = env.now()
        changed = replace(
            t,
            state="draft",
            revision=t.revision + 1,
            decision_note=note,
            updated_at=now,
            submitted_by=None,
            submitted_at=None,
        )
        return _commit(uow, changed, "reject", user, note)


def archive(
    env: Env, *, article_id: str, language: str, actor_id: str, note: str = ""
) -> TranslationRecord:
    """Take a translation off the help centre and out of search (any state -> archived)."""
    with env.uow() as uow:
        user = actor(uow, actor_id, APPROVER_ROLES, "archive articles")
        t = _translation(uow, article_id, language)
        _transition(t, "archive", {"draft", "in_review", "published"})
        return _commit(uow, _archived(t, env.now()), "archive", user, note)


def archive_article(env: Env, *, article_id: str, actor_id: str, note: str = "") -> ArticleView:
    """Archive every translation of the article not archived yet, in one change (the API's
    DELETE): it leaves the help centre and search; nothing is erased, `restore` brings a
    language back."""
    with env.uow() as uow:
        user = actor(uow, actor_id, APPROVER_ROLES, "archive articles")
        _article(uow, article_id)
        now = env.now()
        for t in uow.kb.translations([article_id]):
            if t.state != "archived":
                _save(uow, _archived(t, now), "archive", user, note)
        uow.commit()
    return get_article(env, article_id, actor_id=actor_id)


def _archived(t: TranslationRecord, now: datetime) -> TranslationRecord:
    return replace(
        t,
        state="archived",
        revision=t.revision + 1,
        published_title=None,
        published_body=None,
        updated_at=now,
    )


def restore(
    env: Env, *, article_id: str, language: str, actor_id: str, note: str = ""
) -> TranslationRecord:
    """An archived translation becomes a draft again (it is published after a review)."""
    with env.uow() as uow:
        user = actor(uow, actor_id, APPROVER_ROLES, "restore articles")
        t = _translation(uow, article_id, language)
        _transition(t, "restore", {"archived"})
        changed = replace(t, state="draft", revision=t.revision + 1, updated_at=env.now())
        return _commit(uow, changed, "restore", user, note)


def _commit(
    uow: UnitOfWork, changed: TranslationRecord, action: str, user: UserRecord, note: str
) -> TranslationRecord:
    _save(uow, changed, action, user, note)
    uow.commit()
    return changed


def _save(
    uow: UnitOfWork, changed: TranslationRecord, action: str, user: UserRecord, note: str
) -> None:
    uow.kb.save_translation(changed)
    _record(uow, changed, action, user, note)
    uow.kb.save_article(replace(_article(uow, changed.article_id), updated_at=changed.updated_at))


def _last_editor(uow: UnitOfWork, t: TranslationRecord) -> str | None:
    """Who wrote the text under review: the author of its newest create or edit."""
    texts = [
        r for r in uow.kb.revisions(t.article_id, t.language) if r.action in ("create", "edit")
    ]
    return texts[-1].author_id if texts else None


# --- reading -------------------------------------------------------------------------------------


def _view(uow: UnitOfWork, article: ArticleRecord) -> ArticleView:
    return ArticleView(
        article, tuple(uow.kb.translations([article.id])), uow.kb.vote_counts(article.id)
    )


def get_article(env: Env, article_id: str, *, actor_id: str) -> ArticleView:
    """One article with every translation (any state) and its votes."""
    with env.reader() as uow:
        actor(uow, actor_id, READER_ROLES, "read articles")
        return _view(uow, _article(uow, article_id))


def list_articles(
    env: Env, filters: ArticleFilter, *, actor_id: str, limit: int = 50
) -> list[ArticleView]:
    """Articles matching `filters`, most recently updated first."""
    if filters.state is not None and filters.state not in KB_STATES:
        raise InvalidInput("state", f"must be one of {', '.join(KB_STATES)}", value=filters.state)
    if filters.language is not None:
        _language(filters.language)
    if filters.audience is not None:
        _audience(filters.audience)
    with env.reader() as uow:
        actor(uow, actor_id, READER_ROLES, "read articles")
        articles = uow.kb.articles(filters, limit=max(1, min(limit, 200)))
        by_article: dict[str, list[TranslationRecord]] = {}
        for t in uow.kb.translations([a.id for a in articles]):
            by_article.setdefault(t.article_id, []).append(t)
        return [ArticleView(a, tuple(by_article.get(a.id, ())), {}) for a in articles]


def revisions(env: Env, article_id: str, language: str, *, actor_id: str) -> list[RevisionRecord]:
    """The revision history of one translation, oldest first."""
    with env.reader() as uow:
        actor(uow, actor_id, READER_ROLES, "read articles")
        _translation(uow, article_id, language)
        return uow.kb.revisions(article_id, language)


def find(
    uow: UnitOfWork,
    text: str,
    *,
    audiences: tuple[str, ...],
    language: str | None = None,
    category: str | None = None,
    limit: int = 10,
    mode: Mode = "all",
) -> list[Found]:
    """The live translations matching `text` in the open unit of work, best first."""
    if language is not None:
        _language(language)
    if len(text) > 2000:
        raise InvalidInput("q", "at most 2000 characters")
    search = KbSearch(
        query_terms(text, mode), audiences, language, category, max(1, min(limit, MAX_LIMIT))
    )
    return _found(uow, uow.kb.search(search))


def _found(uow: UnitOfWork, hits: list[KbHit]) -> list[Found]:
    out: list[Found] = []
    for hit in hits:
        article = uow.kb.get_article(hit.article_id)
        t = uow.kb.get_translation(hit.article_id, hit.language)
        if article is not None and t is not None:
            out.append(Found(article, t, hit.score))
    return out


def search(
    env: Env,
    text: str,
    *,
    actor_id: str,
    language: str | None = None,
    category: str | None = None,
    limit: int = 10,
) -> list[Found]:
    """Staff search: published articles, internal ones included, every word required (the
    last one as a prefix while typing)."""
    with env.reader() as uow:
        actor(uow, actor_id, READER_ROLES, "search articles")
        return find(
            uow,
            text,
            audiences=STAFF_AUDIENCES,
            language=language,
            category=category,
            limit=limit,
        )


def suggestions_for_ticket(
    env: Env, ticket_id: str, *, actor_id: str, limit: int = 5
) -> list[Found]:
    """Articles for a ticket: those whose text shares words with the ticket's subject and the
    customer's messages, those of the ticket's category first; then, when fewer were found,
    other articles of the category. In the ticket's language, else any."""
    with env.reader() as uow:
        actor(uow, actor_id, READER_ROLES, "read articles")
        ticket = uow.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound("ticket", ticket_id)
        said = [m.body for m in uow.messages.for_ticket(ticket_id) if m.kind == "customer"]
        text = " ".join([ticket.subject, *said[:3]])[:2000]
        language = ticket.language if ticket.language in LANGS else None
        kw = {"audiences": STAFF_AUDIENCES, "language": language, "mode": "any"}
        same = find(uow, text, category=ticket.category, limit=limit, **kw)  # type: ignore[arg-type]
        other = find(uow, text, limit=limit, **kw)  # type: ignore[arg-type]
        picked = {f.article.id for f in same}
        found = [*same, *(f for f in other if f.article.id not in picked)][:limit]
        if len(found) < limit:
            found += _category_fill(uow, ticket.category, language, found, limit - len(found))
        return found


def _category_fill(
    uow: UnitOfWork, category: str, language: str | None, have: list[Found], n: int
) -> list[Found]:
    picked = {f.article.id for f in have}
    filters = ArticleFilter(category=category, language=language, live_only=True)
    out: list[Found] = []
    for article in uow.kb.articles(filters, limit=n + len(picked)):
        if article.id in picked or len(out) >= n:
            continue
        translations = [t for t in uow.kb.translations([article.id]) if t.live]
        chosen = next((t for t in translations if t.language == language), None)
        if chosen is None and translations:
            chosen = translations[0]
        if chosen is not None:
            out.append(Found(article, chosen, 0.0))
    return out


def record_used(
    env: Env, *, ticket_id: str, article_id: str, language: str, actor_id: str, how: str
) -> KbEventRecord:
    """An agent put an article (`how`: link or text) into a reply on a ticket: counted as a
    suggestion used."""
    if how not in ("link", "text"):
        raise InvalidInput("how", "link or text", value=how)
    with env.uow() as uow:
        user = actor(uow, actor_id, READER_ROLES, "use articles")
        if uow.tickets.get(ticket_id) is None:
            raise NotFound("ticket", ticket_id)
        _translation(uow, article_id, language)
        event = KbEventRecord(
            new_id("kbe"), "used", env.now(), article_id, language, ticket_id, None, user.id, how
        )
        uow.kb.add_event(event)
        uow.commit()
        return event
