"""The knowledge base's services on every store: the same workflow, search, suggestions on a
ticket, votes and deflection on the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from db_desk import StoreDesk, make_store_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.services import kb, kb_public
from tierdesk.services.errors import Forbidden
from tierdesk.services.ports import UnitOfWork

VISITOR = "visitor-0123456789abcdef"


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def desk(uow_factory: Callable[[], UnitOfWork], rules: Rulebook) -> StoreDesk:
    return make_store_desk(uow_factory, rules)


def _article(desk: StoreDesk, category: str, language: str, title: str, body: str) -> str:
    view = kb.create_article(
        desk.env,
        actor_id=desk.user["agent_l1"],
        category=category,
        language=language,
        title=title,
        body=body,
    )
    aid = view.article.id
    kb.submit(desk.env, article_id=aid, language=language, actor_id=desk.user["agent_l1"])
    kb.publish(desk.env, article_id=aid, language=language, actor_id=desk.user["team_lead"])
    return aid


def test_workflow_search_and_suggestions_are_the_same_on_every_store(desk: StoreDesk) -> None:
    refund = _article(
        desk, "returns_refunds", "zh-TW", "如何申請退款", "我想申請退款流程：請先登入。"
    )
    order = _article(desk, "order_status", "zh-TW", "查詢訂單進度", "包裹配送與追蹤。")
    en = _article(desk, "returns_refunds", "en", "Refund policy", "Refunds within 7 days.")
    l1 = desk.user["agent_l1"]
    assert [f.article.id for f in kb.search(desk.env, "退款", actor_id=l1)] == [refund]
    assert [f.article.id for f in kb.search(desk.env, "refund", actor_id=l1)] == [en]
    assert [f.article.id for f in kb.search(desk.env, "訂", actor_id=l1)] == [order]
    with pytest.raises(Forbidden):
        kb.publish(desk.env, article_id=refund, language="zh-TW", actor_id=l1)
    ticket = desk.open("我想申請退款，訂單已經取消了", email="lin@example.com")
    found = kb.suggestions_for_ticket(desk.env, ticket.id, actor_id=l1)
    assert [f.article.id for f in found] == [refund, order]
    kb.record_used(
        desk.env, ticket_id=ticket.id, article_id=refund, language="zh-TW", actor_id=l1, how="text"
    )
    history = kb.revisions(desk.env, refund, "zh-TW", actor_id=l1)
    assert [r.action for r in history] == ["create", "submit", "publish"]
    start = desk.clock.now()
    assert kb_public.search(desk.env, "退款", language="zh-TW", visitor=VISITOR)
    assert kb_public.vote(
        desk.env, article_id=refund, language="zh-TW", visitor=VISITOR, helpful=True
    )
    assert not kb_public.vote(
        desk.env, article_id=refund, language="zh-TW", visitor=VISITOR, helpful=False
    )
    desk.clock.advance(timedelta(minutes=1))
    counts = kb_public.deflection(desk.env, start - timedelta(hours=1), start + timedelta(hours=1))
    assert (counts.visitors, counts.deflected, counts.used_in_replies) == (1, 1, 1)
    assert kb.get_article(desk.env, refund, actor_id=l1).votes == {"zh-TW": (1, 0)}
    assert kb_public.categories(desk.env) == {"returns_refunds": 2, "order_status": 1}
