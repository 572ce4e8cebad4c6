"""The queue page's sort by due time and "breaching soon" (issue 11): the store's order and
filter, so they hold across the page's cursor pages; the SLA column's words, translated once
per page, are the page's language."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from console_client import Agent, signed_in
from web_desk import WebDesk

OUTAGE = "Your whole service is down, outage since this morning"  # P1


def _rows(agent: Agent, url: str) -> tuple[list[str], str | None]:
    """The ticket ids a queue page lists, and the query string of its next page."""
    html = agent.get(url).text
    ids = re.findall(r'<tr data-href="/tickets/([^"]+)">', html)
    found = re.search(r'href="/queue\?([^"]*cursor=[^"]*)" rel="next"', html)
    return ids, found.group(1).replace("&amp;", "&") if found else None


def _all_pages(agent: Agent, query: str) -> list[list[str]]:
    pages, url = [], "/queue?" + query
    while True:
        ids, after = _rows(agent, url)
        pages.append(ids)
        if after is None:
            return pages
        url = "/queue?" + after


def test_due_first_and_breaching_soon_run_across_pages(desk: WebDesk) -> None:
    slow = []
    for i in range(2):  # P3, a minute apart: the first opened is due first
        slow.append(desk.open_ticket(email=f"q{i}@example.com")["id"])
        desk.clock.advance(timedelta(minutes=1))
    urgent = desk.open_ticket(OUTAGE, "ops@example.com")["id"]  # P1: due first, opened last
    lead = signed_in(desk, "team_lead")
    assert _all_pages(lead, "view=team&limit=2") == [[urgent, slow[1]], [slow[0]]]
    by_due = _all_pages(lead, "view=team&sort=due&limit=2")
    assert by_due == [[urgent, slow[0]], [slow[1]]]
    # Past the outage's warning point it alone is breaching soon, in either order.
    view = desk.client.get(f"/api/tickets/{urgent}", headers=desk.auth("team_lead")).json()
    warns = min(datetime.fromisoformat(c["warning_at"]) for c in view["clocks"])
    desk.clock.advance(warns - desk.clock.now() + timedelta(minutes=1))
    for sort in ("new", "due"):
        assert _all_pages(lead, f"view=team&sort={sort}&risk=1&limit=1") == [[urgent]]
    html = lead.get("/queue?view=team&risk=1").text
    assert 'data-sla="warning"' in html and "left" in html


def test_the_sla_column_speaks_the_viewers_language(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    agent = signed_in(desk, "agent_l1")
    english = agent.get("/queue/rows").text
    assert "First response: " in english and " left</span>" in english
    assert f'aria-label="Choose T-{ticket["id"][2:12]}"' in english
    agent.post("/language", {"language": "zh-TW"})
    chinese = agent.get("/queue/rows").text
    cell = re.search(r'data-sla="running">([^<]+)</span>', chinese)
    assert cell and "First response" not in cell.group(1) and "left" not in cell.group(1)
    assert "Choose" not in chinese
