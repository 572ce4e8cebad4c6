"""The knowledge base on SQLAlchemy Core (`KnowledgeBaseRepository` in the ports).

Search uses the database's own full-text index over the tokens of `tierdesk.domain.kb_text`,
kept in `kb_translations.search_title` / `search_body` while a translation is live:

- SQLite: the FTS5 table `kb_fts` (migration 0012), rowid = the translation's `row_id`, written
  here beside the row; `MATCH` with every token quoted (`"退款" AND "refun"*`), ranked by
  `bm25(kb_fts, 4, 1)` (a title hit weighs four body hits).
- PostgreSQL: the GIN index `ix_kb_fts` on the tokens' tsvector (`to_tsvector('simple')`:
  no stemmer or stop words, the tokens as they are); the query is a tsquery built from the same
  tokens (`'退款' & 'refun':*`), ranked by `ts_rank` (title weight A, body D).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY

from tierdesk.adapters.db.errors import as_duplicate
from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.tables import (
    kb_articles,
    kb_events,
    kb_revisions,
    kb_translations,
    kb_votes,
)
from tierdesk.adapters.db.tx import Tx
from tierdesk.domain.kb_text import SearchTerms, index_text
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

_A, _T = kb_articles.c, kb_translations.c
TITLE_WEIGHT = 4.0

# Must be the expression of the index `ix_kb_fts` (migration 0012) for PostgreSQL to use it.
_PG_VECTOR = (
    "(setweight(to_tsvector('simple', kb_translations.search_title), 'A') || "
    "setweight(to_tsvector('simple', kb_translations.search_body), 'D'))"
)
_FTS_DELETE = sa.text("DELETE FROM kb_fts WHERE rowid = :row_id")
_FTS_INSERT = sa.text(
    "INSERT INTO kb_fts (rowid, title, body) VALUES (:row_id, :search_title, :search_body)"
)


def fts5_query(terms: SearchTerms) -> str:
    """The FTS5 MATCH expression of `terms` (tokens hold only letters and digits)."""
    last = len(terms.tokens) - 1
    quoted = [
        f'"{t}"*' if terms.prefix and i == last else f'"{t}"' for i, t in enumerate(terms.tokens)
    ]
    return (" AND " if terms.mode == "all" else " OR ").join(quoted)


def tsquery(terms: SearchTerms) -> str:
    """The PostgreSQL tsquery text of `terms`, taken verbatim by a `::tsquery` cast."""
    last = len(terms.tokens) - 1
    quoted = [
        f"'{t}':*" if terms.prefix and i == last else f"'{t}'" for i, t in enumerate(terms.tokens)
    ]
    return (" & " if terms.mode == "all" else " | ").join(quoted)


def _search_columns(t: TranslationRecord) -> dict[str, str]:
    if not t.live:
        return {"search_title": "", "search_body": ""}
    return {
        "search_title": index_text(t.published_title or ""),
        "search_body": index_text(t.published_body or ""),
    }


def _article(row: Mapping[Any, Any]) -> ArticleRecord:
    return replace(from_row(ArticleRecord, row), tags=tuple(row["tags"]))


class SqlKnowledgeBase:
    """KnowledgeBaseRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    # --- articles ---------------------------------------------------------------------------

    def add_article(self, article: ArticleRecord) -> None:
        self._tx.insert(kb_articles, to_row(article))

    def get_article(self, article_id: str) -> ArticleRecord | None:
        row = self._tx.execute(sa.select(kb_articles).where(_A.id == article_id)).mappings()
        found = row.first()
        return None if found is None else _article(found)

    def get_by_slug(self, slug: str) -> ArticleRecord | None:
        row = self._tx.execute(sa.select(kb_articles).where(_A.slug == slug)).mappings().first()
        return None if row is None else _article(row)

    def save_article(self, article: ArticleRecord) -> None:
        values = to_row(article)
        values.pop("id")
        try:
            self._tx.execute(sa.update(kb_articles).where(_A.id == article.id).values(**values))
        except sa.exc.IntegrityError as exc:
            duplicate = as_duplicate(exc)
            if duplicate is None:
                raise
            raise duplicate from exc

    def articles(self, filters: ArticleFilter, limit: int = 100) -> list[ArticleRecord]:
        f = filters
        having = sa.select(sa.literal(1)).where(_T.article_id == _A.id)
        if f.language is not None:
            having = having.where(_T.language == f.language)
        if f.state is not None:
            having = having.where(_T.state == f.state)
        if f.live_only:
            having = having.where(_T.published_title.is_not(None))
        query = sa.select(kb_articles).where(having.exists())
        if f.category is not None:
            query = query.where(_A.category == f.category)
        if f.audience is not None:
            query = query.where(_A.audience == f.audience)
        if f.tag is not None:
            query = query.where(self._has_tag(f.tag))
        query = query.order_by(_A.updated_at.desc(), self._tx.id_order(_A.id)).limit(limit)
        return [_article(r) for r in self._tx.execute(query).mappings()]

    def _has_tag(self, tag: str) -> sa.TextClause:
        if self._tx.postgres:
            return sa.text("CAST(kb_articles.tags AS jsonb) ? :tag").bindparams(tag=tag)
        return sa.text(
            "EXISTS (SELECT 1 FROM json_each(kb_articles.tags) WHERE json_each.value = :tag)"
        ).bindparams(tag=tag)

    # --- translations and revisions ---------------------------------------------------------

    def add_translation(self, translation: TranslationRecord) -> None:
        row = {**to_row(translation), **_search_columns(translation)}
        self._tx.insert(kb_translations, row)
        self._reindex(translation, row)

    def get_translation(self, article_id: str, language: str) -> TranslationRecord | None:
        query = sa.select(kb_translations).where(
            _T.article_id == article_id, _T.language == language
        )
        row = self._tx.execute(query).mappings().first()
        return None if row is None else from_row(TranslationRecord, row)

    def translations(self, article_ids: Sequence[str]) -> list[TranslationRecord]:
        if not article_ids:
            return []
        query = (
            sa.select(kb_translations)
            .where(_T.article_id.in_(list(article_ids)))
            .order_by(self._tx.id_order(_T.article_id), self._tx.id_order(_T.language))
        )
        return [from_row(TranslationRecord, r) for r in self._tx.execute(query).mappings()]

    def save_translation(self, translation: TranslationRecord) -> None:
        row = {**to_row(translation), **_search_columns(translation)}
        values = {k: v for k, v in row.items() if k not in ("article_id", "language")}
        self._tx.execute(
            sa.update(kb_translations)
            .where(_T.article_id == translation.article_id, _T.language == translation.language)
            .values(**values)
        )
        self._reindex(translation, row)

    def _reindex(self, translation: TranslationRecord, row: Mapping[str, Any]) -> None:
        """SQLite: the translation's entry in `kb_fts` replaced (PostgreSQL's index follows
        the row by itself)."""
        if self._tx.postgres:
            return
        query = sa.select(_T.row_id).where(
            _T.article_id == translation.article_id, _T.language == translation.language
        )
        row_id = self._tx.execute(query).scalar()
        if row_id is None:
            return
        self._tx.execute(_FTS_DELETE, {"row_id": row_id})
        if translation.live:
            self._tx.execute(
                _FTS_INSERT,
                {
                    "row_id": row_id,
                    "search_title": row["search_title"],
                    "search_body": row["search_body"],
                },
            )

    def add_revision(self, revision: RevisionRecord) -> None:
        self._tx.insert(kb_revisions, to_row(revision))

    def revisions(self, article_id: str, language: str) -> list[RevisionRecord]:
        query = (
            sa.select(kb_revisions)
            .where(kb_revisions.c.article_id == article_id, kb_revisions.c.language == language)
            .order_by(kb_revisions.c.number)
        )
        return [from_row(RevisionRecord, r) for r in self._tx.execute(query).mappings()]

    # --- search -----------------------------------------------------------------------------

    def search(self, query: KbSearch) -> list[KbHit]:
        if query.terms.empty or query.limit < 1:
            return []
        if self._tx.postgres:
            return self._search_postgres(query)
        return self._search_sqlite(query)

    def _where(self, query: KbSearch) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = [_A.audience.in_(list(query.audiences))]
        if query.language is not None:
            where.append(_T.language == query.language)
        if query.category is not None:
            where.append(_A.category == query.category)
        return where

    def _search_sqlite(self, query: KbSearch) -> list[KbHit]:
        fts = sa.table("kb_fts", sa.column("rowid"))
        rank: sa.ColumnElement[float] = sa.literal_column(f"bm25(kb_fts, {TITLE_WEIGHT}, 1.0)")
        statement = (
            sa.select(_T.article_id, _T.language, rank.label("rank"))
            .select_from(fts)
            .join(kb_translations, _T.row_id == fts.c.rowid)
            .join(kb_articles, _A.id == _T.article_id)
            .where(sa.text("kb_fts MATCH :match").bindparams(match=fts5_query(query.terms)))
            .where(*self._where(query))
            .order_by(sa.text("rank"), _T.article_id, _T.language)
            .limit(query.limit)
        )
        rows = self._tx.execute(statement).all()
        return [KbHit(r.article_id, r.language, -float(r.rank)) for r in rows]

    def _search_postgres(self, query: KbSearch) -> list[KbHit]:
        q = sa.cast(sa.literal(tsquery(query.terms)), TSQUERY)
        vector: sa.ColumnElement[Any] = sa.literal_column(_PG_VECTOR)
        matched = vector.op("@@")(q)
        score = sa.func.ts_rank(vector, q).label("score")
        statement = (
            sa.select(_T.article_id, _T.language, score)
            .select_from(kb_translations.join(kb_articles, _A.id == _T.article_id))
            .where(matched, *self._where(query))
            .order_by(
                score.desc(), self._tx.id_order(_T.article_id), self._tx.id_order(_T.language)
            )
            .limit(query.limit)
        )
        rows = self._tx.execute(statement).all()
        return [KbHit(r.article_id, r.language, float(r.score)) for r in rows]

    # --- votes and events -------------------------------------------------------------------

    def add_vote(self, vote: VoteRecord) -> bool:
        return self._tx.insert(kb_votes, to_row(vote), ignore=("article_id", "visitor")) == 1

    def vote_counts(self, article_id: str) -> dict[str, tuple[int, int]]:
        helpful = sa.func.sum(sa.case((kb_votes.c.helpful, 1), else_=0))
        query = (
            sa.select(kb_votes.c.language, helpful.label("yes"), sa.func.count().label("n"))
            .where(kb_votes.c.article_id == article_id)
            .group_by(kb_votes.c.language)
        )
        return {
            r.language: (int(r.yes), int(r.n) - int(r.yes)) for r in self._tx.execute(query).all()
        }

    def add_event(self, event: KbEventRecord) -> None:
        self._tx.insert(kb_events, to_row(event))

    def events(
        self, since: datetime, until: datetime, kinds: Sequence[str] = ()
    ) -> list[KbEventRecord]:
        query = sa.select(kb_events).where(kb_events.c.at >= since, kb_events.c.at < until)
        if kinds:
            query = query.where(kb_events.c.kind.in_(list(kinds)))
        query = query.order_by(kb_events.c.row_id)
        return [from_row(KbEventRecord, r) for r in self._tx.execute(query).mappings()]

    def live_categories(self, audiences: Sequence[str]) -> dict[str, int]:
        query = (
            sa.select(_A.category, sa.func.count(sa.distinct(_A.id)).label("n"))
            .select_from(kb_articles.join(kb_translations, _T.article_id == _A.id))
            .where(_T.published_title.is_not(None), _A.audience.in_(list(audiences)))
            .group_by(_A.category)
        )
        return {r.category: int(r.n) for r in self._tx.execute(query).all()}
