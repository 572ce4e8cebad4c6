"""GET /api/metrics on a real SQLite store: who may read it, what it answers, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_desk import sqlite_desk
from web_desk import START, WebDesk

from tierdesk.policy import rulebook


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDesk]:
    with sqlite_desk(tmp_path_factory.mktemp("metrics-api")) as d:
        d.open_ticket()
        d.open_ticket("My card was charged twice, please refund", email="lin@example.com")
        d.clock.advance(timedelta(hours=1))
        yield d


@pytest.mark.parametrize("role", ["team_lead", "supervisor", "manager", "qa", "admin"])
def test_leads_qa_and_admins_read_the_metrics(desk: WebDesk, role: str) -> None:
    r = desk.client.get("/api/metrics", headers=desk.auth(role))
    assert r.status_code == 200, r.text
    body = r.json()
    volume = next(m for m in body["metrics"] if m["id"] == "volume")
    assert volume["value"] == 2
    assert {t["tier"] for t in body["tier_mix"]} == {"L1", "L2", "L3"}
    assert sum(x["share"] for x in body["top_reasons"]) == pytest.approx(1.0)


@pytest.mark.parametrize("role", ["agent_l1", "agent_l2", "agent_l3"])
def test_agents_may_not_read_the_metrics(desk: WebDesk, role: str) -> None:
    r = desk.client.get("/api/metrics", headers=desk.auth(role))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_metrics_need_a_sign_in(desk: WebDesk) -> None:
    assert desk.client.get("/api/metrics").status_code == 401


def test_filters_and_range_narrow_the_answer(desk: WebDesk) -> None:
    headers = desk.auth("manager")
    r = desk.client.get(
        "/api/metrics",
        params={"tier": "L1", "since": "2025-03-01T00:00:00Z", "until": "2025-03-05T00:00:00Z"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["filters"] == {"tier": ["L1"]}
    volume = next(m for m in r.json()["metrics"] if m["id"] == "volume")
    assert volume["value"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2025-03-05T00:00:00Z", "until": "2025-03-01T00:00:00Z"}, "until"),
        ({"since": "2025-03-01T00:00:00"}, "since"),
        # Business time is measured over the calendars' days of the range: a range no helpdesk
        # has (years 1 to 9999, or decades long) is refused instead of tabulating millions of days.
        ({"since": "0001-01-01T00:00:00Z", "until": "9999-01-01T00:00:00Z"}, "until"),
        ({"since": "9000-01-01T00:00:00Z", "until": "9000-01-02T00:00:00Z"}, "until"),
        ({"since": "2001-01-01T00:00:00Z", "until": "2020-01-01T00:00:00Z"}, "until"),
    ],
)
def test_a_bad_range_is_a_422_naming_it(desk: WebDesk, params: dict[str, str], field: str) -> None:
    r = desk.client.get("/api/metrics", params=params, headers=desk.auth("manager"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field


def test_the_in_memory_store_answers_the_same_metrics(tmp_path: Path) -> None:
    from web_desk import web_desk

    with web_desk(rulebook(preset="cs-sop"), var_dir=tmp_path) as d:
        d.open_ticket()
        d.clock.advance(timedelta(minutes=5))
        r = d.client.get("/api/metrics", headers=d.auth("manager"))
    assert r.status_code == 200, r.text
    volume = next(m for m in r.json()["metrics"] if m["id"] == "volume")
    assert volume["value"] == 1


def test_a_range_decades_from_now_is_refused(desk: WebDesk) -> None:
    params = {"since": "2095-01-01T00:00:00Z", "until": "2099-12-31T00:00:00Z"}
    r = desk.client.get("/api/metrics", params=params, headers=desk.auth("manager"))
    assert r.status_code == 422, r.text
    assert "from now" in r.json()["errors"][0]["message"]


@pytest.mark.slow
def test_a_five_year_report_up_to_now_is_measured(desk: WebDesk) -> None:
    params = {"since": (START - timedelta(days=5 * 365)).isoformat()}
    r = desk.client.get("/api/metrics", params=params, headers=desk.auth("manager"))
    assert r.status_code == 200, r.text
