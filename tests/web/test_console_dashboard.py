"""The console's dashboard (issue 14): the metrics report of GET /api/metrics as a page for
leads, supervisors, managers, QA and admins, in English and Traditional Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from console_client import Agent, signed_in
from english import english_words
from sqlite_desk import sqlite_desk
from web_desk import WebDesk

from tierdesk.analytics import METRICS
from tierdesk.web import i18n
from tierdesk.web.console.dashboard import CLOCK_LABELS, METRIC_LABELS, TREND_LABELS, Filters

LEADS = ["team_lead", "supervisor", "manager", "qa", "admin"]
AGENTS = ["agent_l1", "agent_l2", "agent_l3"]
TAIPEI_DAY = "2025-03-04"  # START is Tuesday 10:00 in Taipei


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDesk]:
    with sqlite_desk(tmp_path_factory.mktemp("dashboard")) as d:
        d.open_ticket()
        d.open_ticket("My card was charged twice, please refund", email="lin@example.com")
        d.open_ticket("I will sue you, my lawyer will call", email="wu@example.com")
        d.clock.advance(timedelta(hours=6))
        yield d


def _page(agent: Agent, **params: str) -> str:
    r = agent.get("/dashboard", params=params)
    assert r.status_code == 200, r.text
    return r.text


def _values(html: str) -> dict[str, float | None]:
    found = re.findall(r'data-metric="([a-z_]+)" data-value="([^"]*)"', html)
    return {k: float(v) if v else None for k, v in found}


def _api(desk: WebDesk, **params: str) -> dict[str, Any]:
    r = desk.client.get("/api/metrics", params=params, headers=desk.auth("manager"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _taipei_midnight(day: str) -> str:
    return f"{day}T00:00:00+08:00"


@pytest.mark.parametrize("role", LEADS)
def test_every_metrics_role_reads_the_same_numbers_as_the_api(desk: WebDesk, role: str) -> None:
    html = _page(signed_in(desk, role), since=TAIPEI_DAY, until=TAIPEI_DAY)
    api = _api(desk, since=_taipei_midnight(TAIPEI_DAY))  # until: now, as the page's today
    want = {m["id"]: m["value"] for m in api["metrics"]}
    got = _values(html)
    assert got.keys() == want.keys()
    for metric_id, value in want.items():
        assert got[metric_id] == pytest.approx(value), metric_id
    assert got["volume"] == 3
    assert 'href="/dashboard" aria-current="page"' in html


@pytest.mark.parametrize("role", AGENTS)
def test_agents_are_refused_and_not_offered_the_page(desk: WebDesk, role: str) -> None:
    agent = signed_in(desk, role)
    r = agent.get("/dashboard")
    assert r.status_code == 403
    assert 'data-code="forbidden"' in r.text and "data-metric" not in r.text
    assert 'href="/dashboard"' not in agent.get("/queue").text


def test_a_signed_out_reader_is_sent_to_sign_in(desk: WebDesk) -> None:
    r = desk.client.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fdashboard")


def test_filters_narrow_the_report_as_the_api_does(desk: WebDesk) -> None:
    lead = signed_in(desk, "manager")
    html = _page(lead, since=TAIPEI_DAY, until=TAIPEI_DAY, tier="L1")
    api = _api(desk, since=_taipei_midnight(TAIPEI_DAY), tier="L1")
    volume = next(m["value"] for m in api["metrics"] if m["id"] == "volume")
    assert _values(html)["volume"] == volume
    assert 0 < volume < 3  # the refund and the lawsuit are not all L1
    assert "<option selected>L1</option>" in html
    other_day = _page(lead, since="2025-03-03", until="2025-03-03")
    assert _values(other_day)["volume"] == 0


def test_the_default_range_is_the_last_thirty_days_in_the_policy_zone(desk: WebDesk) -> None:
    html = _page(signed_in(desk, "manager"))
    assert 'name="since" type="date" value="2025-02-03"' in html
    assert 'name="until" type="date" value="2025-03-04"' in html
    assert _values(html)["volume"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2025-03-05", "until": "2025-03-01"},  # ends before it starts
        {"since": "1990-01-01", "until": "1990-01-02"},  # before any helpdesk
        {"since": "2015-01-01", "until": "2025-03-01"},  # longer than a report may cover
    ],
)
def test_a_range_that_cannot_be_measured_is_said_and_nothing_shown(
    desk: WebDesk, params: dict[str, str]
) -> None:
    r = signed_in(desk, "manager").get("/dashboard", params=params)
    assert r.status_code == 422
    assert 'data-code="invalid_scope"' in r.text and "data-metric" not in r.text
    assert f'value="{params["since"]}"' in r.text  # the form keeps what was asked


def test_a_malformed_date_is_refused_not_a_server_error(desk: WebDesk) -> None:
    r = signed_in(desk, "manager").get("/dashboard", params={"since": "yesterday"})
    assert r.status_code == 422


def test_what_needs_action_is_what_the_api_flags(desk: WebDesk) -> None:
    html = _page(signed_in(desk, "manager"), since=TAIPEI_DAY, until=TAIPEI_DAY)
    api = _api(desk, since=_taipei_midnight(TAIPEI_DAY))
    shown = re.findall(r'data-action="([a-z_]+)"', html)
    shown += [f"tier_mix:{t}" for t in re.findall(r'data-tier-off="(L\d)"', html)]
    assert sorted(shown) == sorted(api["action_required"]) and shown
    off_rows = re.findall(r'data-metric="([a-z_]+)" data-value="[^"]*" class="off-target"', html)
    assert sorted(off_rows) == sorted(a for a in api["action_required"] if ":" not in a)


def test_the_charts_are_drawn_on_the_server(desk: WebDesk) -> None:
    html = _page(signed_in(desk, "manager"), since=TAIPEI_DAY, until=TAIPEI_DAY)
    svgs = re.findall(r"<svg[^>]*role=\"img\"[^>]*>", html)
    trends = re.findall(r"<figcaption>Trend: ", html)
    assert len(trends) >= 3 and len(svgs) == len(trends) + 3  # + tier mix, SLA, reasons
    assert "<script" not in html.split("</head>", 1)[1]  # no chart library, no inline script
    assert "Order status" in html  # the reasons chart names the category


def test_the_zh_tw_dashboard_shows_no_english(desk: WebDesk) -> None:
    lead = signed_in(desk, "supervisor")
    lead.post("/language", {"language": "zh-TW"})
    try:
        html = _page(lead, since=TAIPEI_DAY, until=TAIPEI_DAY)
    finally:
        lead.post("/language", {"language": "en"})
    assert "儀表板" in html and "首次聯繫解決率" in html
    body = html.split("<main", 1)[1].split(">", 1)[1]
    body = re.sub(r'<(\w+)[^>]*\slang="en"[^>]*>.*?</\1>', " ", body, flags=re.S)
    body = re.sub(r'<select id="d-agent".*?</select>', " ", body, flags=re.S)  # people's names
    text = re.sub(r"<[^>]+>", " ", body)  # the charts' words (SVG text) stay in
    assert not english_words(text, allowed={"LINE", "CSAT", "NPS", "SLA"}), text


def test_every_metric_has_a_page_label_and_each_page_word_is_translated() -> None:
    assert {d.id: d.label for d in METRICS} == METRIC_LABELS
    zh = i18n.translations("zh-TW").gettext
    for msgid in [*METRIC_LABELS.values(), *CLOCK_LABELS.values(), *TREND_LABELS.values()]:
        assert zh(msgid) != msgid, msgid


def test_a_range_of_days_is_read_in_the_policy_zone_and_never_past_now() -> None:
    now = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
    scope = Filters(date(2025, 3, 1), date(2025, 3, 4), tier="L2").scope("Asia/Taipei", now)
    assert scope.since == datetime(2025, 2, 28, 16, 0, tzinfo=UTC)  # Taipei midnight
    assert scope.until == now  # the last day is today: up to now
    assert scope.tier == ("L2",) and scope.channel == ()
    past = Filters(date(2025, 2, 1), date(2025, 2, 2)).scope("Asia/Taipei", now)
    assert past.until == datetime(2025, 2, 2, 16, 0, tzinfo=UTC)  # the end of the last day
