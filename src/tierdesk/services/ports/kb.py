"""The knowledge base: articles, translations, revisions, votes, use events and search
(records in `tierdesk.services.kb_records`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tierdesk.services.kb_records import (
    ArticleFilter,
    ArticleRecord,
    KbEventRecord,
    KbHit,
    KbSearch,
    RevisionRecord,
    TranslationRecord,
    VoteRecord,
)


class KnowledgeBaseRepository(Protocol):
    """Articles, their translations and revisions, votes and use events (issue 16). The
    search index follows `save_translation`: a translation is searchable exactly while it is
    live (its published copy set), by the tokens of `tierdesk.domain.kb_text`."""

    def add_article(self, article: ArticleRecord) -> None:
        """DuplicateKey for an existing id ("kb_articles.id") or slug ("kb_articles.slug")."""
        ...

    def get_article(self, article_id: str) -> ArticleRecord | None: ...

    def get_by_slug(self, slug: str) -> ArticleRecord | None: ...

    def save_article(self, article: ArticleRecord) -> None:
        """Replace an existing article's row (DuplicateKey for a slug another one has)."""
        ...

    def articles(self, filters: ArticleFilter, limit: int = 100) -> list[ArticleRecord]:
        """Articles with a translation matching `filters` (language, state, live), of the
        category, audience and tag given; most recently updated first (then id)."""
        ...

    def add_translation(self, translation: TranslationRecord) -> None:
        """DuplicateKey ("kb_translations") when the article has that language already."""
        ...

    def get_translation(self, article_id: str, language: str) -> TranslationRecord | None: ...

    def translations(self, article_ids: Sequence[str]) -> list[TranslationRecord]:
        """The translations of those articles, by article id then language."""
        ...

    def save_translation(self, translation: TranslationRecord) -> None:
        """Replace an existing translation's row and bring its search entry in step."""
        ...

    def add_revision(self, revision: RevisionRecord) -> None:
        """DuplicateKey ("kb_revisions") for an existing (article, language, number)."""
        ...

    def revisions(self, article_id: str, language: str) -> list[RevisionRecord]:
        """A translation's revisions, oldest first (by number)."""
        ...

    def search(self, query: KbSearch) -> list[KbHit]:
        """Live translations matching `query`, best first (score desc, then article id and
        language), at most `query.limit`. Nothing for empty terms."""
        ...

    def add_vote(self, vote: VoteRecord) -> bool:
        """Record a vote; False (nothing written) when the visitor voted on the article."""
        ...

    def vote_counts(self, article_id: str) -> dict[str, tuple[int, int]]:
        """Per language: (helpful, not helpful) votes."""
        ...

    def add_event(self, event: KbEventRecord) -> None: ...

    def events(
        self, since: datetime, until: datetime, kinds: Sequence[str] = ()
    ) -> list[KbEventRecord]:
        """Events with `since <= at < until` (of `kinds` when given), oldest first."""
        ...

    def live_categories(self, audiences: Sequence[str]) -> dict[str, int]:
        """For each category, how many articles of those audiences have a live translation."""
        ...
