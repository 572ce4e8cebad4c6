"""Authority over the API (R-AUTH-1): running totals and Idempotency-Key on actions."""

from __future__ import annotations

import pytest
from web_desk import WebDesk


@pytest.mark.rule("R-AUTH-1")
def test_split_refunds_need_an_approval_and_a_retry_is_applied_once(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    base = f"/api/tickets/{ticket['id']}"
    l1 = desk.auth("agent_l1")
    assert desk.client.post(f"{base}/identity-verification", json={}, headers=l1).status_code == 200
    refund = {"action": "refund", "amount": "450"}
    first = desk.client.post(f"{base}/actions", json=refund, headers=l1 | {"Idempotency-Key": "r1"})
    again = desk.client.post(f"{base}/actions", json=refund, headers=l1 | {"Idempotency-Key": "r1"})
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["action"]["id"] == first.json()["action"]["id"]
    assert again.json()["replayed"] is True
    second = desk.client.post(f"{base}/actions", json=refund, headers=l1)
    assert second.status_code == 422, second.text
    assert second.json()["code"] == "approval_required"
    assert second.json()["data"]["granted_before"] == "450"
    other = desk.client.post(
        f"{base}/actions", json={"action": "apology"}, headers=l1 | {"Idempotency-Key": "r1"}
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
