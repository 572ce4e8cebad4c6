"""The knowledge base on the in-memory tables (`KnowledgeBaseRepository`, see the ports).

Search matches the tokens of `tierdesk.domain.kb_text` as the databases do and ranks by BM25
(k1 1.2, b 0.75; the title weighs as much as four times the body), as SQLite's FTS5 does.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from tierdesk.domain.kb_text import index_tokens, matches
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
from tierdesk.services.ports import DuplicateKey
from tierdesk.testing.memory_repos import Tables

TITLE_WEIGHT = 4.0
K1, B = 1.2, 0.75


def translation_matches(t: TranslationRecord, f: ArticleFilter) -> bool:
    return (
        (f.language is None or t.language == f.language)
        and (f.state is None or t.state == f.state)
        and (not f.live_only or t.live)
    )


class MemoryKnowledgeBase:
    """KnowledgeBaseRepository."""

    def __init__(self, t: Tables) -> None:
        self._t = t

    def add_article(self, article: ArticleRecord) -> None:
        if article.id in self._t.kb_articles:
            raise DuplicateKey("kb_articles.id", article.id)
        self._slug_free(article)
        self._t.kb_articles[article.id] = article

    def _slug_free(self, article: ArticleRecord) -> None:
        if any(a.slug == article.slug and a.id != article.id for a in self._t.kb_articles.values()):
            raise DuplicateKey("kb_articles.slug", article.slug)

    def get_article(self, article_id: str) -> ArticleRecord | None:
        return self._t.kb_articles.get(article_id)

    def get_by_slug(self, slug: str) -> ArticleRecord | None:
        return next((a for a in self._t.kb_articles.values() if a.slug == slug), None)

    def save_article(self, article: ArticleRecord) -> None:
        if article.id in self._t.kb_articles:
            self._slug_free(article)
            self._t.kb_articles[article.id] = article

    def articles(self, filters: ArticleFilter, limit: int = 100) -> list[ArticleRecord]:
        f = filters
        with_translation = {
            t.article_id for t in self._t.kb_translations.values() if translation_matches(t, f)
        }
        found = [
            a
            for a in self._t.kb_articles.values()
            if a.id in with_translation
            and (f.category is None or a.category == f.category)
            and (f.audience is None or a.audience == f.audience)
            and (f.tag is None or f.tag in a.tags)
        ]
        found.sort(key=lambda a: a.id)
        found.sort(key=lambda a: a.updated_at, reverse=True)
        return found[:limit]

    def add_translation(self, translation: TranslationRecord) -> None:
        key = (translation.article_id, translation.language)
        if key in self._t.kb_translations:
            raise DuplicateKey("kb_translations", ":".join(key))
        self._t.kb_translations[key] = translation

    def get_translation(self, article_id: str, language: str) -> TranslationRecord | None:
        return self._t.kb_translations.get((article_id, language))

    def translations(self, article_ids: Sequence[str]) -> list[TranslationRecord]:
        wanted = set(article_ids)
        return sorted(
            (t for k, t in self._t.kb_translations.items() if k[0] in wanted),
            key=lambda t: (t.article_id, t.language),
        )

    def save_translation(self, translation: TranslationRecord) -> None:
        key = (translation.article_id, translation.language)
        if key in self._t.kb_translations:
            self._t.kb_translations[key] = translation

    def add_revision(self, revision: RevisionRecord) -> None:
        key = (revision.article_id, revision.language, revision.number)
        if key in self._t.kb_revisions:
            raise DuplicateKey("kb_revisions", f"{key[0]}:{key[1]}:{key[2]}")
        self._t.kb_revisions[key] = revision

    def revisions(self, article_id: str, language: str) -> list[RevisionRecord]:
        return sorted(
            (r for k, r in self._t.kb_revisions.items() if k[:2] == (article_id, language)),
            key=lambda r: r.number,
        )

    def search(self, query: KbSearch) -> list[KbHit]:
        if query.terms.empty or query.limit < 1:
            return []
        docs: list[tuple[TranslationRecord, list[str], list[str]]] = []
        for t in self._t.kb_translations.values():
            article = self._t.kb_articles.get(t.article_id)
            if (
                not t.live
                or article is None
                or article.audience not in query.audiences
                or (query.language is not None and t.language != query.language)
                or (query.category is not None and article.category != query.category)
            ):
                continue
            docs.append(
                (t, index_tokens(t.published_title or ""), index_tokens(t.published_body or ""))
            )
        found = [(t, ti, bo) for t, ti, bo in docs if matches(query.terms, set(ti) | set(bo))]
        stats = _Stats(query.terms.tokens, [(ti, bo) for _, ti, bo in docs])
        scored = [KbHit(t.article_id, t.language, stats.score(ti, bo)) for t, ti, bo in found]
        scored.sort(key=lambda h: (-h.score, h.article_id, h.language))
        return scored[: query.limit]

    def add_vote(self, vote: VoteRecord) -> bool:
        key = (vote.article_id, vote.visitor)
        if key in self._t.kb_votes:
            return False
        self._t.kb_votes[key] = vote
        return True

    def vote_counts(self, article_id: str) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for (aid, _), v in self._t.kb_votes.items():
            if aid == article_id:
                yes, no = counts.get(v.language, (0, 0))
                counts[v.language] = (yes + v.helpful, no + (not v.helpful))
        return counts

    def add_event(self, event: KbEventRecord) -> None:
        if event.id in self._t.kb_events:
            raise DuplicateKey("kb_events.id", event.id)
        self._t.kb_events[event.id] = event

    def events(
        self, since: datetime, until: datetime, kinds: Sequence[str] = ()
    ) -> list[KbEventRecord]:
        return [
            e
            for e in self._t.kb_events.values()  # insertion order: oldest first
            if since <= e.at < until and (not kinds or e.kind in kinds)
        ]

    def live_categories(self, audiences: Sequence[str]) -> dict[str, int]:
        live = {t.article_id for t in self._t.kb_translations.values() if t.live}
        counts: Counter[str] = Counter(
            a.category
            for a in self._t.kb_articles.values()
            if a.id in live and a.audience in audiences
        )
        return dict(counts)


class _Stats:
    """Document frequencies and average lengths of the searched set, per column, for BM25."""

    def __init__(self, tokens: Sequence[str], docs: list[tuple[list[str], list[str]]]) -> None:
        self.tokens = tokens
        self.n = len(docs)
        self.columns = []
        for column in (0, 1):
            sets = [set(d[column]) for d in docs]
            average = (sum(len(d[column]) for d in docs) / self.n) if self.n else 1.0
            df = {t: sum(1 for s in sets if t in s) for t in tokens}
            self.columns.append((average or 1.0, df))

    def score(self, title: list[str], body: list[str]) -> float:
        total = 0.0
        for doc, weight, (average, df) in zip(
            (title, body), (TITLE_WEIGHT, 1.0), self.columns, strict=True
        ):
            counts = Counter(doc)
            for token in self.tokens:
                idf = math.log((self.n - df[token] + 0.5) / (df[token] + 0.5) + 1)
                tf = counts[token]
                total += weight * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc) / average))
        return total
