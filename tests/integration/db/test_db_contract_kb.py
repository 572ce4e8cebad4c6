"""The storage contract of the knowledge base: the in-memory fakes, SQLite (FTS5) and
PostgreSQL (tsvector) keep, list and *find* the same articles, in English and in Chinese text
without spaces (`uow_factory`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from db_records import T0, at

from tierdesk.domain.kb_text import query_terms
from tierdesk.services.kb_records import (
    ArticleFilter,
    ArticleRecord,
    KbEventRecord,
    KbSearch,
    RevisionRecord,
    TranslationRecord,
    VoteRecord,
)
from tierdesk.services.ports import DuplicateKey, UnitOfWork

Factory = Callable[[], UnitOfWork]

# (id, category, audience, language, title, body)
R, OS, P = "refund_request", "order_status", "password_reset"
ARTICLES = [
    ("a_refund", R, "public", "zh-TW", "退款說明", "我想申請退款流程：請先登入帳戶。"),
    ("a_refund", R, "public", "en", "How refunds work", "Request a refund online."),
    ("a_order", OS, "public", "en", "Where is my order?", "Track parcels; refunds are separate."),
    ("a_order", OS, "public", "zh-TW", "查詢訂單", "包裹追蹤與配送時間。"),
    ("a_pw", P, "internal", "en", "Password reset (agents)", "Verify identity, then reset."),
    ("a_pw", P, "internal", "zh-TW", "重設密碼", "先驗證身分，再重設密碼。退款不適用。"),
    ("a_draft", R, "public", "en", "Refund draft", "refund refund refund"),
]


def _translation(
    article_id: str, language: str, title: str, body: str, live: bool
) -> TranslationRecord:
    return TranslationRecord(
        article_id=article_id,
        language=language,
        title=title,
        body=body,
        state="published" if live else "draft",
        revision=1,
        updated_by="u_lead",
        updated_at=T0,
        published_title=title if live else None,
        published_body=body if live else None,
        published_revision=1 if live else None,
        published_at=T0 if live else None,
    )


def _seed(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        seen: set[str] = set()
        for i, (aid, category, audience, language, title, body) in enumerate(ARTICLES):
            if aid not in seen:
                seen.add(aid)
                uow.kb.add_article(
                    ArticleRecord(
                        aid,
                        aid.replace("_", "-"),
                        category,
                        ("faq",),
                        audience,
                        "u_lead",
                        T0,
                        at(i),
                    )
                )
            uow.kb.add_translation(_translation(aid, language, title, body, aid != "a_draft"))
        uow.commit()


def _hits(uow_factory: Factory, text: str, **kw: object) -> list[tuple[str, str]]:
    search = KbSearch(query_terms(text, kw.pop("mode", "all")), **kw)  # type: ignore[arg-type]
    with uow_factory() as uow:
        return sorted((h.article_id, h.language) for h in uow.kb.search(search))


ALL = ("public", "internal")


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        # a Chinese word inside a sentence without spaces
        ("退款", {"audiences": ALL}, [("a_pw", "zh-TW"), ("a_refund", "zh-TW")]),
        ("退款", {}, [("a_refund", "zh-TW")]),  # the public only: internal articles stay out
        ("申請退款", {}, [("a_refund", "zh-TW")]),
        ("退", {"audiences": ALL}, [("a_pw", "zh-TW"), ("a_refund", "zh-TW")]),  # one character
        ("訂單", {}, [("a_order", "zh-TW")]),
        ("退款 包裹", {}, []),  # every word is required
        ("refund ", {}, [("a_refund", "en")]),  # a finished word: not "refunds", no stemmer
        ("refun", {}, [("a_order", "en"), ("a_refund", "en")]),  # typed on: a prefix
        ("refund", {}, [("a_order", "en"), ("a_refund", "en")]),
        ("REFUND online", {}, [("a_refund", "en")]),
        ("Refunds  ", {"language": "en"}, [("a_order", "en"), ("a_refund", "en")]),
        ("refunds work", {}, [("a_refund", "en")]),
        ("refund ", {"category": "order_status"}, []),
        ("password reset", {"audiences": ALL, "language": "en"}, [("a_pw", "en")]),
        ("where is my refund", {"mode": "any"}, [("a_refund", "en")]),
        ("parcels 退款", {"mode": "any"}, [("a_order", "en"), ("a_refund", "zh-TW")]),
        ("", {}, []),
        ("!!! ...", {}, []),
    ],
)
def test_search_finds_the_same_articles_on_every_store(
    uow_factory: Factory, text: str, options: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    _seed(uow_factory)
    assert _hits(uow_factory, text, **options) == expected


def test_search_ranks_a_title_match_first_and_follows_publishing(uow_factory: Factory) -> None:
    _seed(uow_factory)
    search = KbSearch(query_terms("refund", "any"), language="en", limit=5)
    with uow_factory() as uow:
        order = [h.article_id for h in uow.kb.search(search)]
    assert order == ["a_refund"]  # "refunds" in a_order's body is another word
    with uow_factory() as uow:
        draft = uow.kb.get_translation("a_draft", "en")
        assert draft is not None
        uow.kb.save_translation(
            replace(
                draft,
                state="published",
                published_title=draft.title,
                published_body=draft.body,
                published_revision=1,
            )
        )
        uow.commit()
    with uow_factory() as uow:
        hits = uow.kb.search(search)
    assert [h.article_id for h in hits] == ["a_draft", "a_refund"]  # title and body hits
    assert hits[0].score > hits[1].score > 0
    with uow_factory() as uow:
        live = uow.kb.get_translation("a_draft", "en")
        assert live is not None
        uow.kb.save_translation(
            replace(live, state="archived", published_title=None, published_body=None)
        )
        uow.commit()
    with uow_factory() as uow:
        assert [h.article_id for h in uow.kb.search(search)] == ["a_refund"]
        assert uow.kb.search(replace(search, limit=0)) == []


def test_articles_keep_their_translations_and_revisions(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        article = uow.kb.get_article("a_refund")
        assert article is not None and article.tags == ("faq",)
        assert uow.kb.get_by_slug("a-refund") == article
        assert uow.kb.get_article("nope") is None
        assert [(t.article_id, t.language) for t in uow.kb.translations(["a_pw", "a_order"])] == [
            ("a_order", "en"),
            ("a_order", "zh-TW"),
            ("a_pw", "en"),
            ("a_pw", "zh-TW"),
        ]
        uow.kb.save_article(replace(article, tags=("faq", "money"), updated_at=at(60)))
        for n in (1, 2):
            uow.kb.add_revision(
                RevisionRecord("a_refund", "en", n, "edit", f"t{n}", "b", "draft", "u_l1", at(n))
            )
        with pytest.raises(DuplicateKey) as dup:
            uow.kb.add_revision(
                RevisionRecord("a_refund", "en", 2, "edit", "t", "b", "draft", "u_l1", at(3))
            )
        assert dup.value.key == "kb_revisions"
        uow.commit()
    with uow_factory() as uow:
        assert [r.title for r in uow.kb.revisions("a_refund", "en")] == ["t1", "t2"]
        assert uow.kb.revisions("a_refund", "zh-TW") == []
        listed = uow.kb.articles(ArticleFilter())
        assert [a.id for a in listed] == ["a_refund", "a_draft", "a_pw", "a_order"]
        assert [a.id for a in uow.kb.articles(ArticleFilter(tag="money"))] == ["a_refund"]
        assert [a.id for a in uow.kb.articles(ArticleFilter(state="draft"))] == ["a_draft"]
        live = uow.kb.articles(ArticleFilter(live_only=True, audience="public", language="en"))
        assert [a.id for a in live] == ["a_refund", "a_order"]
        assert uow.kb.articles(ArticleFilter(category="order_status"), limit=1)[0].id == "a_order"
        assert uow.kb.live_categories(["public"]) == {"refund_request": 1, "order_status": 1}
        assert uow.kb.live_categories(ALL)["password_reset"] == 1


def test_slugs_and_translations_are_unique(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        clash = ArticleRecord("a_new", "a-refund", "order_status", (), "public", "u", T0, T0)
        with pytest.raises(DuplicateKey) as slug:
            uow.kb.add_article(clash)
        with pytest.raises(DuplicateKey) as lang:
            uow.kb.add_translation(_translation("a_refund", "en", "x", "y", False))
    assert (slug.value.key, lang.value.key) == ("kb_articles.slug", "kb_translations")


def test_one_vote_per_visitor_and_events_in_order(uow_factory: Factory) -> None:
    _seed(uow_factory)
    with uow_factory() as uow:
        assert uow.kb.add_vote(VoteRecord("a_refund", "zh-TW", "v1", True, T0))
        assert not uow.kb.add_vote(VoteRecord("a_refund", "en", "v1", False, T0))
        assert uow.kb.add_vote(VoteRecord("a_refund", "en", "v2", False, T0))
        assert uow.kb.add_vote(VoteRecord("a_refund", "en", "v3", True, T0))
        for i, kind in enumerate(("search", "view", "contact", "search")):
            uow.kb.add_event(KbEventRecord(f"e{i}", kind, at(i), visitor="v1", query="退款"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.kb.vote_counts("a_refund") == {"zh-TW": (1, 0), "en": (1, 1)}
        assert uow.kb.vote_counts("a_order") == {}
        assert [e.id for e in uow.kb.events(at(0), at(3))] == ["e0", "e1", "e2"]
        assert [e.id for e in uow.kb.events(T0, at(10), ["search"])] == ["e0", "e3"]
        assert uow.kb.events(T0, at(10))[0].query == "退款"
