"""The knowledge base's services on the in-memory store: the article workflow with a named
approver, revisions, roles, validation, search, suggestions on a ticket, votes and deflection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import Desk

from tierdesk.services import kb, kb_public
from tierdesk.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
)

REFUND_ZH = "我想申請退款流程：請先登入帳戶，在訂單頁面按「申請退款」。"
VISITOR = "visitor-0123456789abcdef"


def _draft(desk: Desk, **kw: object) -> kb.ArticleView:
    values: dict[str, object] = {
        "actor_id": desk.user["agent_l1"],
        "category": "returns_refunds",
        "language": "zh-TW",
        "title": "如何申請退款",
        "body": REFUND_ZH,
        "tags": ["Refund", "faq", "refund"],
    }
    values.update(kw)
    return kb.create_article(desk.env, **values)  # type: ignore[arg-type]


def _publish(desk: Desk, article_id: str, language: str = "zh-TW") -> None:
    kb.submit(desk.env, article_id=article_id, language=language, actor_id=desk.user["agent_l1"])
    kb.publish(desk.env, article_id=article_id, language=language, actor_id=desk.user["team_lead"])


def test_a_translation_is_published_by_a_named_approver_and_every_step_is_a_revision(
    desk: Desk,
) -> None:
    view = _draft(desk)
    aid = view.article.id
    assert view.article.tags == ("refund", "faq")
    assert view.article.slug.startswith("article-")  # a Chinese title makes no slug
    l1, lead = desk.user["agent_l1"], desk.user["team_lead"]
    kb.submit(desk.env, article_id=aid, language="zh-TW", actor_id=l1)
    with pytest.raises(Forbidden):  # an agent may write, not publish
        kb.publish(desk.env, article_id=aid, language="zh-TW", actor_id=l1)
    desk.clock.advance(timedelta(minutes=5))
    done = kb.publish(desk.env, article_id=aid, language="zh-TW", actor_id=lead, note="ok")
    assert (done.state, done.approved_by, done.published_title) == (
        "published",
        lead,
        "如何申請退款",
    )
    assert done.approved_at == desk.clock.now()
    history = kb.revisions(desk.env, aid, "zh-TW", actor_id=l1)
    assert [(r.number, r.action, r.state, r.author_id) for r in history] == [
        (1, "create", "draft", l1),
        (2, "submit", "in_review", l1),
        (3, "publish", "published", lead),
    ]
    with pytest.raises(InvalidTransition):
        kb.publish(desk.env, article_id=aid, language="zh-TW", actor_id=lead)


def test_the_author_of_the_text_cannot_publish_it(desk: Desk) -> None:
    lead, sup = desk.user["team_lead"], desk.user["supervisor"]
    aid = _draft(desk, actor_id=lead).article.id
    kb.submit(desk.env, article_id=aid, language="zh-TW", actor_id=lead)
    with pytest.raises(Forbidden, match="author"):
        kb.publish(desk.env, article_id=aid, language="zh-TW", actor_id=lead)
    assert kb.publish(desk.env, article_id=aid, language="zh-TW", actor_id=sup).state == "published"


def test_each_language_has_its_own_state_and_editing_keeps_the_published_copy(desk: Desk) -> None:
    aid = _draft(desk).article.id
    kb.add_translation(
        desk.env,
        article_id=aid,
        actor_id=desk.user["agent_l2"],
        language="en",
        title="How to ask for a refund",
        body="Sign in, open the order and press **Refund**.",
    )
    _publish(desk, aid)
    view = kb.get_article(desk.env, aid, actor_id=desk.user["qa"])
    assert {t.language: t.state for t in view.translations} == {"en": "draft", "zh-TW": "published"}
    edited = kb.edit(
        desk.env,
        article_id=aid,
        language="zh-TW",
        actor_id=desk.user["agent_l2"],
        body="新的說明",
        expected_revision=3,
    )
    assert (edited.state, edited.published_body, edited.revision) == ("draft", REFUND_ZH, 4)
    hits = kb.search(desk.env, "退款", actor_id=desk.user["agent_l1"])
    assert [h.article.id for h in hits] == [aid]  # readers still find the published copy
    with pytest.raises(Conflict) as stale:
        kb.edit(
            desk.env,
            article_id=aid,
            language="zh-TW",
            actor_id=desk.user["agent_l1"],
            body="x",
            expected_revision=3,
        )
    assert stale.value.code == "stale_revision"
    kb.archive(desk.env, article_id=aid, language="zh-TW", actor_id=desk.user["supervisor"])
    assert kb.search(desk.env, "退款", actor_id=desk.user["agent_l1"]) == []
    restored = kb.restore(
        desk.env, article_id=aid, language="zh-TW", actor_id=desk.user["supervisor"]
    )
    assert restored.state == "draft"


def test_a_rejected_text_goes_back_to_its_author_with_the_reason(desk: Desk) -> None:
    aid = _draft(desk).article.id
    kb.submit(desk.env, article_id=aid, language="zh-TW", actor_id=desk.user["agent_l1"])
    with pytest.raises(InvalidInput):
        kb.reject(
            desk.env, article_id=aid, language="zh-TW", actor_id=desk.user["team_lead"], note=" "
        )
    back = kb.reject(
        desk.env,
        article_id=aid,
        language="zh-TW",
        actor_id=desk.user["team_lead"],
        note="cite the 7-day window",
    )
    assert (back.state, back.decision_note) == ("draft", "cite the 7-day window")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "no_such_category"}, "category"),
        ({"language": "fr"}, "language"),
        ({"audience": "everyone"}, "audience"),
        ({"title": " "}, "title"),
        ({"body": ""}, "body"),
        ({"tags": ["no spaces allowed"]}, "tags"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    desk: Desk, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        _draft(desk, **change)
    assert err.value.data["field"] == field
    assert desk.store.tables.kb_articles == {}


def test_slugs_are_unique_and_roles_are_checked(desk: Desk) -> None:
    first = _draft(desk, language="en", title="Refund policy", body="Seven days.")
    assert first.article.slug == "refund-policy"
    again = _draft(desk, language="en", title="Refund policy", body="Also.")
    assert again.article.slug.startswith("refund-policy-")
    with pytest.raises(Conflict) as taken:
        _draft(desk, slug="refund-policy")
    assert taken.value.code == "slug_taken"
    with pytest.raises(Forbidden):  # an agent may not make an article internal or public
        kb.update_article(
            desk.env,
            article_id=first.article.id,
            actor_id=desk.user["agent_l1"],
            audience="internal",
        )
    moved = kb.update_article(
        desk.env,
        article_id=first.article.id,
        actor_id=desk.user["agent_l1"],
        category="billing_payment",
        tags=["billing"],
    )
    assert (moved.article.category, moved.article.tags) == ("billing_payment", ("billing",))
    notes = kb.revisions(desk.env, first.article.id, "en", actor_id=desk.user["qa"])[-1].note
    assert (
        notes
        == "category: returns_refunds -> billing_payment; tags: ('refund', 'faq') -> ('billing',)"
    )
    with pytest.raises(NotFound):
        kb.get_article(desk.env, "kb_nope", actor_id=desk.user["qa"])


def test_internal_articles_are_for_agents_only(desk: Desk) -> None:
    aid = _draft(desk, audience="internal").article.id
    _publish(desk, aid)
    assert [h.article.id for h in kb.search(desk.env, "退款", actor_id=desk.user["agent_l1"])] == [
        aid
    ]
    assert kb_public.search(desk.env, "退款", language="zh-TW", visitor=None) == []
    with pytest.raises(NotFound):
        kb_public.article(
            desk.env,
            kb.get_article(desk.env, aid, actor_id=desk.user["qa"]).article.slug,
            language="zh-TW",
            visitor=None,
        )


def test_a_ticket_is_suggested_the_articles_of_its_category_and_text(desk: Desk) -> None:
    refund = _draft(desk).article.id
    _publish(desk, refund)
    order = _draft(
        desk, category="order_status", title="查詢訂單進度", body="包裹配送與追蹤。"
    ).article.id
    _publish(desk, order)
    ticket = desk.open("我想申請退款，訂單已經取消了", email="lin@example.com")
    found = kb.suggestions_for_ticket(desk.env, ticket.id, actor_id=desk.user["agent_l1"])
    assert ticket.category == "returns_refunds"
    assert [f.article.id for f in found] == [refund, order]  # its category first, then the text
    event = kb.record_used(
        desk.env,
        ticket_id=ticket.id,
        article_id=refund,
        language="zh-TW",
        actor_id=desk.user["agent_l1"],
        how="link",
    )
    assert (event.kind, event.ticket_id, event.query) == ("used", ticket.id, "link")
    with pytest.raises(NotFound):
        kb.suggestions_for_ticket(desk.env, "t_nope", actor_id=desk.user["agent_l1"])


def test_votes_count_once_per_visitor_and_deflection_counts_who_sent_no_ticket(
    desk: Desk,
) -> None:
    aid = _draft(desk).article.id
    _publish(desk, aid)
    start = desk.clock.now()
    assert kb_public.vote(desk.env, article_id=aid, language="zh-TW", visitor=VISITOR, helpful=True)
    assert not kb_public.vote(
        desk.env, article_id=aid, language="zh-TW", visitor=VISITOR, helpful=False
    )
    assert kb.get_article(desk.env, aid, actor_id=desk.user["qa"]).votes == {"zh-TW": (1, 0)}
    with pytest.raises(InvalidInput):
        kb_public.vote(desk.env, article_id=aid, language="zh-TW", visitor="short", helpful=True)
    other = "visitor-fedcba9876543210"
    for visitor in (VISITOR, other):
        assert kb_public.search(desk.env, "退款", language="zh-TW", visitor=visitor)
    desk.clock.advance(timedelta(hours=1))
    kb_public.record_contact(desk.env, visitor=other, ticket_id="t_1")
    counts = kb_public.deflection(desk.env, start, start + timedelta(hours=2))
    assert (counts.visitors, counts.contacted, counts.deflected, counts.searches) == (2, 1, 1, 2)
