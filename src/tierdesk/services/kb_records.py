"""Records of the knowledge base (issue 16): what `KnowledgeBaseRepository` takes and returns.

An article is one subject (category, tags, audience); each language is a translation of it with
its own state: draft -> in_review -> published -> archived (`tierdesk.services.kb`). Readers see a
translation's *published* copy (`published_title`, `published_body`), which stays in place while
its working copy (`title`, `body`) is edited and reviewed again. Every edit and every transition
is a revision (author, time, the text as it then was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from tierdesk.domain.kb_text import SearchTerms

KbState = Literal["draft", "in_review", "published", "archived"]
KB_STATES: tuple[KbState, ...] = get_args(KbState)
Audience = Literal["internal", "public"]  # internal: agents only
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
RevisionAction = Literal["create", "edit", "submit", "reject", "publish", "archive", "restore"]
# What was done with an article, for the measurement: a search or suggestion shown on the public
# help centre or the contact page, an article viewed, an article put into a reply, a ticket
# sent after a visitor's search (no deflection).
KbEventKind = Literal["search", "suggest", "view", "used", "contact"]
KB_EVENT_KINDS: tuple[KbEventKind, ...] = get_args(KbEventKind)


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    slug: str  # unique, the address in the help centre
    category: str  # a category of the policy in force when it was last set
    tags: tuple[str, ...]
    audience: str  # one of AUDIENCES
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TranslationRecord:
    """One language of an article; (article_id, language) is unique. `revision` is the number
    of its newest revision. Live (shown to readers, searchable) when `published_title` is set."""

    article_id: str
    language: str
    title: str
    body: str  # Markdown
    state: str  # one of KB_STATES
    revision: int
    updated_by: str
    updated_at: datetime
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    approved_by: str | None = None  # the named approver of the published copy
    approved_at: datetime | None = None
    decision_note: str = ""
    published_title: str | None = None
    published_body: str | None = None
    published_revision: int | None = None
    published_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.published_title is not None


@dataclass(frozen=True)
class RevisionRecord:
    """One step in a translation's history; (article_id, language, number) is unique."""

    article_id: str
    language: str
    number: int
    action: str  # one of RevisionAction
    title: str
    body: str
    state: str  # the state after this step
    author_id: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class VoteRecord:
    """A "did this help?" answer; one per article and visitor (the visitor cookie's id)."""

    article_id: str
    language: str
    visitor: str
    helpful: bool
    at: datetime


@dataclass(frozen=True)
class KbEventRecord:
    """Something done with the knowledge base (`KbEventKind`), for deflection and use counts."""

    id: str
    kind: str
    at: datetime
    article_id: str | None = None
    language: str | None = None
    ticket_id: str | None = None
    visitor: str | None = None
    actor_id: str | None = None
    query: str = ""


@dataclass(frozen=True)
class KbSearch:
    """A search over the live translations: `terms` (tokens, see `tierdesk.domain.kb_text`),
    in `language` (None: any), of the `audiences` the reader may see, in `category` (None:
    any), at most `limit` hits."""

    terms: SearchTerms
    audiences: tuple[str, ...] = ("public",)
    language: str | None = None
    category: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class KbHit:
    """One translation found, with the store's relevance score (higher is better; the scale is
    the store's own: BM25 on SQLite and in memory, ts_rank on PostgreSQL)."""

    article_id: str
    language: str
    score: float


@dataclass(frozen=True)
class ArticleFilter:
    """Article list filters (None: any)."""

    category: str | None = None
    language: str | None = None
    state: str | None = None
    audience: str | None = None
    tag: str | None = None
    live_only: bool = False
