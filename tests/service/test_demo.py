"""Demo seeding (`tierdesk.demo.seed`) on the in-memory fakes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from tierdesk.bootstrap import password_hasher
from tierdesk.demo import ARTICLES, DEMO_PASSWORD, DemoRefused, DemoSummary, seed
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import qa
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.records import ROLES
from tierdesk.testing.memory import MemoryStore

NOW = datetime.fromisoformat("2026-11-23T03:00:00+00:00")
HASHER = password_hasher(fast=True)


def _seeded(rules: Rulebook, **kw: int) -> tuple[MemoryStore, DemoSummary]:
    store = MemoryStore()
    env = Env(uow=store.uow, clock=FakeClock(NOW), rules=rules)
    return store, seed(env, now=NOW, hash_password=HASHER.hash, **kw)


@pytest.fixture(scope="module")
def demo(rules: Rulebook) -> tuple[MemoryStore, DemoSummary]:
    return _seeded(rules)


def test_every_role_gets_a_demo_user_who_can_sign_in(
    demo: tuple[MemoryStore, DemoSummary],
) -> None:
    store, summary = demo
    stored = {u.username: u for u in store.tables.users.values()}
    assert {u.role for u in stored.values()} == set(ROLES)
    assert {u.username for u in summary.users} == set(stored)
    for user in summary.users:
        hashed = stored[user.username].password_hash
        assert hashed is not None and HASHER.verify(hashed, user.password)
    assert summary.password == DEMO_PASSWORD


def test_the_policy_is_approved_and_acknowledged_by_every_agent(
    demo: tuple[MemoryStore, DemoSummary],
) -> None:
    store, summary = demo
    version = store.tables.policies[summary.policy_version_id]
    assert version.status == "effective" and version.approved_by != version.created_by
    workers = {u.id for u in store.tables.users.values() if u.role not in ("qa", "admin")}
    acked = {user for (vid, user) in store.tables.acks if vid == version.id}
    assert workers and workers <= acked


def test_a_month_of_tickets_in_both_languages_on_every_channel(
    demo: tuple[MemoryStore, DemoSummary],
) -> None:
    store, summary = demo
    tickets = list(store.tables.tickets.values())
    assert len(tickets) >= 300 and summary.tickets == len(tickets)
    assert {t.language for t in tickets} == {"en", "zh-TW"}
    assert {t.channel for t in tickets} == {"email", "web", "line", "phone"}
    created = [t.created_at for t in tickets]
    assert NOW - timedelta(days=30) <= min(created) and max(created) <= NOW
    assert max(created) - min(created) > timedelta(days=25)
    assert summary.refused_steps == 0


def test_every_status_is_reached(demo: tuple[MemoryStore, DemoSummary]) -> None:
    store, summary = demo
    statuses = Counter(t.status for t in store.tables.tickets.values())
    expected = {"new", "open", "pending_customer", "resolved", "closed", "merged"}
    assert set(statuses) == expected
    assert summary.statuses == dict(sorted(statuses.items()))


def test_escalations_approvals_actions_and_surveys_are_present(
    demo: tuple[MemoryStore, DemoSummary],
) -> None:
    t = demo[0].tables
    rules = {e.rule_id for e in t.escalations.values()}
    assert {"R-ESC-1", "R-ESC-2", "R-ESC-3", "R-ESC-4", None} <= rules
    assert {a.status for a in t.approvals.values()} >= {"used", "denied"}
    assert {a.action for a in t.actions.values()} >= {"refund", "apology", "discount"}
    answered = [s for s in t.surveys.values() if s.answered_at is not None]
    assert answered and all(s.csat in range(1, 6) and s.nps in range(11) for s in answered)
    kinds = Counter(m.kind for m in t.messages.values())
    assert kinds["reply"] and kinds["note"] and kinds["customer"]
    assert any(m.template_id for m in t.messages.values())
    assert any(m.template_unedited for m in t.messages.values())
    assert any(t.call_seconds for t in t.tickets.values())


def test_every_change_went_through_the_event_log(demo: tuple[MemoryStore, DemoSummary]) -> None:
    t = demo[0].tables
    for ticket in t.tickets.values():
        events = t.events[ticket.id]
        assert events[-1].seq == ticket.version == len(events)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(rules: Rulebook) -> None:
    def fingerprint(store: MemoryStore) -> list[tuple[object, ...]]:
        return sorted(
            (t.created_at, t.subject, t.status, t.channel, t.tier, t.csat, t.nps)
            for t in store.tables.tickets.values()
        )

    first, again = _seeded(rules, tickets=40, seed=3)[0], _seeded(rules, tickets=40, seed=3)[0]
    other = _seeded(rules, tickets=40, seed=4)[0]
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)


def test_a_store_with_tickets_is_refused_and_left_alone(
    demo: tuple[MemoryStore, DemoSummary], rules: Rulebook
) -> None:
    store = demo[0]
    users_before, commits = len(store.tables.users), store.commits
    env = Env(uow=store.uow, clock=FakeClock(NOW), rules=rules)
    with pytest.raises(DemoRefused, match="already has tickets"):
        seed(env, now=NOW, hash_password=HASHER.hash)
    assert len(store.tables.users) == users_before and store.commits == commits


def test_a_naive_now_is_refused(rules: Rulebook) -> None:
    env = Env(uow=MemoryStore().uow, clock=FakeClock(NOW), rules=rules)
    with pytest.raises(ValueError, match="aware"):
        seed(env, now=NOW.replace(tzinfo=None), hash_password=HASHER.hash)


def test_most_demo_agents_sign_so_qa_sees_greetings_in_both_languages(
    rules: Rulebook, demo: tuple[MemoryStore, DemoSummary]
) -> None:
    store, _summary = demo
    env = Env(uow=store.uow, clock=FakeClock(NOW), rules=rules)
    assert qa.score_all(env) > 0
    by_lang: dict[str, Counter[bool | None]] = {}
    for review in store.tables.qa_reviews.values():
        by_lang.setdefault(review.language, Counter())[review.verdicts["greeting"]] += 1
    for lang in ("en", "zh-TW"):
        greeted = by_lang[lang]
        share = greeted[True] / (greeted[True] + greeted[False])
        assert 0.5 < share < 0.97, (lang, greeted)  # most greet and sign; some forget


def test_the_knowledge_base_has_published_articles_in_both_languages(
    demo: tuple[MemoryStore, DemoSummary],
) -> None:
    store, _ = demo
    users = {u.id: u.username for u in store.tables.users.values()}
    articles = {a.id: a for a in store.tables.kb_articles.values()}
    published = [t for t in store.tables.kb_translations.values() if t.state == "published"]
    assert {(articles[t.article_id].slug, t.language) for t in published} >= {
        ("track-your-order", "en"), ("track-your-order", "zh-TW"),
        ("returns-and-refunds", "zh-TW"), ("verify-identity", "en"),
    }  # fmt: skip
    assert len(published) == len(store.tables.kb_translations) == 10
    assert {users[t.approved_by or ""] for t in published} == {"lead.fang"}
    assert {articles[t.article_id].audience for t in published} == {"public", "internal"}
    shipped = {f"{articles[t.article_id].slug}.{t.language}.md" for t in published}
    assert shipped == {p.name for p in ARTICLES.iterdir()}
