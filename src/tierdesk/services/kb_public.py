"""The knowledge base as customers use it (the public help centre and the contact page, no
account), and what that use is counted as.

A visitor is the random id of their visitor cookie (`web/help`), never a person: it lets one
vote count once per article and tells whether a visitor who searched went on to send a ticket.

Deflection (issue 16): a visitor who searched, was shown suggestions or read an article on the
help centre or the contact page, and sent no ticket within `DEFLECTION_WINDOW` after it, was
helped without a ticket. `deflection` counts them; the contact page reports a ticket sent with
`record_contact` (the visitor's id with the new ticket's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tierdesk.domain.kb_text import Mode
from tierdesk.services import kb
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.kb_records import (
    ArticleFilter,
    ArticleRecord,
    KbEventRecord,
    TranslationRecord,
    VoteRecord,
)
from tierdesk.services.records import new_id
from tierdesk.services.users import METRICS_ROLES, actor

PUBLIC = ("public",)
DEFLECTION_WINDOW = timedelta(hours=24)
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SELF_SERVICE = ("search", "suggest", "view")


def _visitor(visitor: str | None) -> str | None:
    if visitor is not None and not _VISITOR.match(visitor):
        raise InvalidInput("visitor", "16-64 characters: letters, digits, '_' or '-'")
    return visitor


@dataclass(frozen=True)
class PublicArticle:
    """A published public article in one language, and the languages it is published in."""

    article: ArticleRecord
    translation: TranslationRecord
    languages: tuple[str, ...]


def categories(env: Env) -> dict[str, int]:
    """For each policy category with public articles, how many."""
    with env.reader() as uow:
        return uow.kb.live_categories(PUBLIC)


def in_category(env: Env, category: str, language: str, limit: int = 100) -> list[kb.Found]:
    """The public articles of a category published in `language`, recently updated first."""
    with env.reader() as uow:
        filters = ArticleFilter(
            category=category, language=language, audience="public", live_only=True
        )
        out = []
        for article in uow.kb.articles(filters, limit=limit):
            t = uow.kb.get_translation(article.id, language)
            if t is not None and t.live:
                out.append(kb.Found(article, t, 0.0))
        return out


def search(
    env: Env,
    text: str,
    *,
    language: str,
    visitor: str | None,
    kind: str = "search",
    limit: int = 10,
    mode: Mode = "all",
) -> list[kb.Found]:
    """Public articles matching `text` in `language`, best first; recorded as a `kind`
    ("search" on the help centre, "suggest" as a customer types on the contact page) for
    the deflection count when the text has words to search for. `mode` "any": one word is
    enough (a contact form's sentence as a query)."""
    if kind not in ("search", "suggest"):
        raise InvalidInput("kind", "search or suggest", value=kind)
    _visitor(visitor)
    with env.uow() as uow:
        found = kb.find(uow, text, audiences=PUBLIC, language=language, limit=limit, mode=mode)
        if text.strip():
            event = KbEventRecord(
                new_id("kbe"),
                kind,
                env.now(),
                language=language,
                visitor=visitor,
                query=text.strip()[:200],
            )
            uow.kb.add_event(event)
            uow.commit()
        return found


def article(env: Env, slug: str, *, language: str, visitor: str | None) -> PublicArticle:
    """A published public article by slug (NotFound for an internal one, an unpublished
    language or an unknown slug: the help centre says no more); counted as a view."""
    _visitor(visitor)
    with env.uow() as uow:
        found = uow.kb.get_by_slug(slug)
        t = None if found is None else uow.kb.get_translation(found.id, language)
        if found is None or found.audience != "public" or t is None or not t.live:
            raise NotFound("article", slug)
        languages = tuple(x.language for x in uow.kb.translations([found.id]) if x.live)
        uow.kb.add_event(
            KbEventRecord(new_id("kbe"), "view", env.now(), found.id, language, visitor=visitor)
        )
        uow.commit()
        return PublicArticle(found, t, languages)


def vote(
    env: Env,
    *,
    language: str,
    visitor: str,
    helpful: bool,
    article_id: str | None = None,
    slug: str | None = None,
) -> bool:
    """A "did this help?" answer on the article `article_id` (or `slug`); False when this
    visitor answered for the article before (the first answer stands)."""
    if _visitor(visitor) is None:
        raise InvalidInput("visitor", "a vote needs the visitor cookie")
    with env.uow() as uow:
        found = uow.kb.get_article(article_id) if article_id else uow.kb.get_by_slug(slug or "")
        t = None if found is None else uow.kb.get_translation(found.id, language)
        if found is None or found.audience != "public" or t is None or not t.live:
            raise NotFound("article", article_id or slug or "")
        added = uow.kb.add_vote(VoteRecord(found.id, language, visitor, helpful, env.now()))
        uow.commit()
        return added


def record_contact(env: Env, *, visitor: str | None, ticket_id: str) -> None:
    """The contact page sent a ticket for this visitor: their earlier searches were no
    deflection. Nothing is recorded without a visitor."""
    if _visitor(visitor) is None:
        return
    with env.uow() as uow:
        uow.kb.add_event(
            KbEventRecord(new_id("kbe"), "contact", env.now(), ticket_id=ticket_id, visitor=visitor)
        )
        uow.commit()


@dataclass(frozen=True)
class Deflection:
    """Self-service between `since` and `until`: visitors who searched, saw suggestions or
    read an article (`visitors`), of them those who sent a ticket within the window after
    (`contacted`) and those who did not (`deflected`); suggestions agents used in replies."""

    since: datetime
    until: datetime
    visitors: int
    contacted: int
    deflected: int
    searches: int
    views: int
    used_in_replies: int


def deflection(
    env: Env,
    since: datetime,
    until: datetime,
    *,
    actor_id: str | None = None,
    window: timedelta = DEFLECTION_WINDOW,
) -> Deflection:
    """The self-service counts of `since <= at < until` (see `Deflection`). `actor_id` (None:
    the local operator) must be one who may read the metrics."""
    if until <= since:
        raise InvalidInput("until", "must be after since")
    with env.reader() as uow:
        if actor_id is not None:
            actor(uow, actor_id, METRICS_ROLES, "read the metrics")
        events = uow.kb.events(since, until + window)
    first: dict[str, datetime] = {}
    contacts: dict[str, list[datetime]] = {}
    searches = views = used = 0
    for e in events:
        inside = e.at < until
        if e.kind in SELF_SERVICE and inside and e.visitor is not None:
            first.setdefault(e.visitor, e.at)
        searches += inside and e.kind in ("search", "suggest")
        views += inside and e.kind == "view"
        used += inside and e.kind == "used"
        if e.kind == "contact" and e.visitor is not None:
            contacts.setdefault(e.visitor, []).append(e.at)
    contacted = sum(
        1
        for visitor, at in first.items()
        if any(at <= c <= at + window for c in contacts.get(visitor, ()))
    )
    return Deflection(
        since, until, len(first), contacted, len(first) - contacted, searches, views, used
    )


def available_categories(env: Env) -> set[str]:
    """Categories with a published article of any audience (the Top 10 Contact Reasons'
    "article available" column)."""
    with env.reader() as uow:
        return set(uow.kb.live_categories(("public", "internal")))
