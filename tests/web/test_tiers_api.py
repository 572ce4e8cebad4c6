"""Tiers over the API (R-TIER-1): once escalated, the lower tier gets 403 `wrong_tier`."""

from __future__ import annotations

import pytest
from web_desk import WebDesk


@pytest.mark.rule("R-TIER-1")
def test_an_l1_agent_is_refused_with_the_tickets_tier_once_it_is_at_l2(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    base = f"/api/tickets/{ticket['id']}"
    l1 = desk.auth("agent_l1")
    up = desk.client.post(
        f"{base}/escalations", json={"to_tier": "L2", "reason": "carrier claim"}, headers=l1
    )
    assert up.status_code == 200, up.text
    for path, body in (
        ("replies", {"body": "Still on it."}),
        ("resolve", {"summary": "done"}),
        ("actions", {"action": "apology"}),
    ):
        r = desk.client.post(f"{base}/{path}", json=body, headers=l1)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["code"] == "wrong_tier" and r.json()["data"]["tier"] == "L2"
    note = desk.client.post(f"{base}/notes", json={"body": "promised 2 days"}, headers=l1)
    assert note.status_code == 200
    l2 = desk.client.post(
        f"{base}/replies", json={"body": "L2 here."}, headers=desk.auth("agent_l2")
    )
    assert l2.status_code == 200
