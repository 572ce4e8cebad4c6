"""The storage contract for QA reviews (`QaRepository`): the in-memory fakes, SQLite and
PostgreSQL behave the same (`uow_factory`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from db_records import T0, at, customer, ticket

from tierdesk.services.ports import QaOverrideRecord, QaReviewRecord, UnitOfWork
from tierdesk.services.qa_records import rounded

Factory = Callable[[], UnitOfWork]
RESULT: dict[str, Any] = {
    "items": [{"id": "tone", "passed": True, "evidence": "很抱歉讓您久等了。", "reason": ""}],
    "coverage": [{"framework": "LAST", "step": "Listen", "covered": False, "evidence": ""}],
    "unedited": ["Hi Mei, we believe ticket T-1 is resolved."],
}


def review(ticket_id: str, score: float | None, **kw: Any) -> QaReviewRecord:
    values: dict[str, Any] = {
        "ticket_id": ticket_id,
        "ticket_version": 3,
        "agent_id": "u_ann",
        "category": "order_status",
        "language": "zh-TW",
        "closed_at": at(10),
        "scored_at": at(20),
        "auto_score": score,
        "score": score,
        "result": RESULT,
        "verdicts": {"tone": True, "privacy": None, "greeting": False},
    }
    values.update(kw)
    return QaReviewRecord(**values)


def _seed(uow_factory: Factory, statuses: dict[str, str], version: int = 3) -> None:
    with uow_factory() as uow:
        uow.customers.add(customer("c_1"))
        for ticket_id, status in statuses.items():
            uow.tickets.add(ticket(ticket_id, status=status, version=version))
        uow.commit()


def test_a_review_round_trips_and_is_added_once(uow_factory: Factory) -> None:
    _seed(uow_factory, {"t_1": "resolved"})
    first = review("t_1", rounded(2 / 3))
    with uow_factory() as uow:
        assert uow.qa.add_review(first) is True
        assert uow.qa.add_review(review("t_1", 0.1)) is False  # the first one stays
        uow.commit()
    with uow_factory() as uow:
        assert uow.qa.get_review("t_1") == first
        assert uow.qa.get_review("t_2") is None
        done = replace(first, score=1.0, reviewed_by="u_qa", reviewed_at=at(30))
        uow.qa.save_review(done)
        uow.commit()
    with uow_factory() as uow:
        assert uow.qa.get_review("t_1") == done


def test_unscored_lists_done_tickets_without_a_current_review(uow_factory: Factory) -> None:
    statuses = {
        "t_a": "resolved",  # no review
        "t_b": "closed",  # a review of this version
        "t_c": "resolved",  # an unreviewed review of an older version
        "t_d": "resolved",  # a reviewed review of an older version: kept as reviewed
        "t_e": "open",  # not done
    }
    _seed(uow_factory, statuses, version=4)
    with uow_factory() as uow:
        uow.qa.add_review(review("t_b", 1.0, ticket_version=4))
        uow.qa.add_review(review("t_c", 1.0, ticket_version=3))
        uow.qa.add_review(review("t_d", 1.0, ticket_version=3, reviewed_at=at(1)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.qa.unscored(10) == ["t_a", "t_c"]
        assert uow.qa.unscored(1) == ["t_a"]


def test_the_queue_is_unreviewed_done_tickets_lowest_score_first(uow_factory: Factory) -> None:
    statuses = {f"t_{n}": "resolved" for n in range(6)} | {"t_open": "open"}
    _seed(uow_factory, statuses)
    rows = [
        review("t_0", 0.5),
        review("t_1", None),  # nothing scored: last
        review("t_2", rounded(1 / 3)),
        review("t_3", 0.5, agent_id="u_bo"),  # ties with t_0: by ticket id
        review("t_4", 0.1, reviewed_at=at(1), reviewed_by="u_qa"),  # reviewed
        review("t_5", rounded(2 / 3)),
        review("t_open", 0.0),  # reopened since it was scored
    ]
    with uow_factory() as uow:
        for r in rows:
            uow.qa.add_review(r)
        uow.commit()
    with uow_factory() as uow:
        ids, cursor = [], None
        while True:
            page = uow.qa.queue(limit=2, cursor=cursor)
            ids += [r.ticket_id for r in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert ids == ["t_2", "t_0", "t_3", "t_5", "t_1"]
        assert [r.ticket_id for r in uow.qa.queue(agent_id="u_bo").items] == ["t_3"]
        assert uow.qa.queue(limit=5).next_cursor is None
        with pytest.raises(ValueError, match="cursor"):
            uow.qa.queue(cursor="x~t_1")


def test_reviews_in_a_range_by_when_they_closed(uow_factory: Factory) -> None:
    _seed(uow_factory, {"t_a": "resolved", "t_b": "resolved", "t_c": "closed"})
    with uow_factory() as uow:
        uow.qa.add_review(review("t_b", 1.0, closed_at=at(5)))
        uow.qa.add_review(review("t_a", 1.0, closed_at=at(5), agent_id="u_bo"))
        uow.qa.add_review(review("t_c", 1.0, closed_at=at(60)))
        uow.commit()
    with uow_factory() as uow:
        assert [r.ticket_id for r in uow.qa.reviews(at(5), at(60))] == ["t_a", "t_b"]
        assert [r.ticket_id for r in uow.qa.reviews(T0, at(61), "u_bo")] == ["t_a"]
        assert uow.qa.reviews(at(61), at(90)) == []


def test_overrides_are_kept_in_order(uow_factory: Factory) -> None:
    _seed(uow_factory, {"t_1": "resolved", "t_2": "resolved"})
    made = [
        QaOverrideRecord("qo_2", "t_1", "tone", False, "太隨便", "u_qa", at(2)),
        QaOverrideRecord("qo_1", "t_1", "tone", None, "not on the recording", "u_lead", at(2)),
        QaOverrideRecord("qo_0", "t_1", "privacy", True, "masked", "u_qa", at(1)),
        QaOverrideRecord("qo_9", "t_2", "tone", True, "ok", "u_qa", at(1)),
    ]
    with uow_factory() as uow:
        uow.qa.add_review(review("t_1", 1.0))
        uow.qa.add_review(review("t_2", 1.0))
        for o in made:
            uow.qa.add_override(o)
        uow.commit()
    with uow_factory() as uow:
        assert uow.qa.overrides("t_1") == [made[2], made[0], made[1]]  # by time, then as added
        assert uow.qa.overrides("t_3") == []
