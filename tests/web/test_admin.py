"""Customers, policy versions (R-DOC-3) and user administration over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from console_client import signed_in
from web_desk import ORDER, PASSWORD, WebDesk

from tierdesk.policy.loader import preset_path


def _post(desk: WebDesk, role: str, url: str, body: dict[str, Any]) -> Any:
    return desk.client.post(url, json=body, headers=desk.auth(role))


def test_customers_read_add_identity_and_merge(desk: WebDesk) -> None:
    a = desk.open_ticket(email="mei@example.com")["customer_id"]
    b = desk.open_ticket(email="mei.chen@example.org")["customer_id"]
    view = desk.client.get(f"/api/customers/{a}", headers=desk.auth("qa")).json()
    assert [i["value"] for i in view["identities"]] == ["mei@example.com"]
    r = _post(
        desk, "agent_l1", f"/api/customers/{a}/identities", {"kind": "line", "value": "U1234abcd"}
    )
    assert r.status_code == 201, r.text
    taken = _post(
        desk,
        "agent_l1",
        f"/api/customers/{a}/identities",
        {"kind": "email", "value": "mei.chen@example.org"},
    )
    assert taken.status_code == 409 and taken.json()["code"] == "identity_taken"
    assert taken.json()["data"]["customer_id"] == b
    assert _post(desk, "qa", f"/api/customers/{a}/merge", {"source_id": b}).status_code == 403
    r = _post(desk, "agent_l1", f"/api/customers/{a}/merge", {"source_id": b})
    assert r.status_code == 200 and r.json()["id"] == a
    values = {
        i["value"]
        for i in desk.client.get(f"/api/customers/{a}", headers=desk.auth("qa")).json()[
            "identities"
        ]
    }
    assert values == {"mei@example.com", "U1234abcd", "mei.chen@example.org"}


def test_customers_are_found_by_name_email_or_phone_with_their_identities(
    desk: WebDesk,
) -> None:
    mei = desk.open_ticket(email="Mei.Chen@Example.com")["customer_id"]
    desk.open_ticket(email="kai@example.com")
    r = desk.client.get("/api/customers", params={"q": "mei.chen"}, headers=desk.auth("qa"))
    assert r.status_code == 200, r.text
    [found] = r.json()["items"]
    assert found["customer"]["id"] == mei
    assert [i["value"] for i in found["identities"]] == ["mei.chen@example.com"]
    everyone = desk.client.get("/api/customers", params={"limit": 1}, headers=desk.auth("qa"))
    assert len(everyone.json()["items"]) == 1 and everyone.json()["next_cursor"]
    bad = desk.client.get("/api/customers", params={"cursor": "nope"}, headers=desk.auth("qa"))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    assert desk.client.get("/api/customers").status_code == 401


@pytest.mark.rule("R-DOC-3")
def test_a_policy_version_takes_effect_only_when_a_named_approver_approves_it(
    desk: WebDesk,
) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    propose = {"title": "cs-sop v2", "source": source, "change_note": "first"}
    assert _post(desk, "agent_l1", "/api/policy-versions", propose).status_code == 403
    r = _post(desk, "supervisor", "/api/policy-versions", propose)
    assert r.status_code == 201, r.text
    version = r.json()
    assert version["status"] == "draft"
    url = f"/api/policy-versions/{version['id']}"
    assert _post(desk, "supervisor", url + "/approve", {}).status_code == 403
    r = _post(desk, "manager", url + "/approve", {"note": "reviewed"})
    assert r.status_code == 200 and r.json()["status"] == "effective"
    assert r.json()["approved_by"] == desk.user["manager"]
    ack = desk.client.post(url + "/acknowledge", headers=desk.auth("agent_l1"))
    assert ack.status_code == 200 and ack.json()["user_id"] == desk.user["agent_l1"]
    history = desk.client.get("/api/policy-versions", headers=desk.auth("agent_l1")).json()
    assert [v["status"] for v in history] == ["effective"]


@pytest.mark.rule("R-DOC-3")
def test_an_approved_version_is_in_force_for_the_next_ticket_without_a_restart(
    desk: WebDesk,
) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    order_p3 = (
        "  order_status:\n    label: {en: Order status / order error, zh-TW: 訂單狀態／訂單錯誤}\n"
        "    priority: P3\n"
    )
    assert order_p3 in source
    raised = source.replace(order_p3, order_p3.replace("P3", "P2"))
    assert desk.open_ticket()["priority"] == "P3"
    version = _post(desk, "supervisor", "/api/policy-versions", {"title": "v2", "source": raised})
    url = f"/api/policy-versions/{version.json()['id']}/approve"
    assert _post(desk, "manager", url, {}).status_code == 200
    assert desk.open_ticket()["priority"] == "P2"  # staff intake
    form = {"email": "kai@example.com", "name": "Kai", "subject": "Order", "body": ORDER}
    r = desk.client.post("/api/intake", json=form)  # public intake, through the batcher
    assert r.status_code == 201, r.text
    ticket = desk.client.get(f"/api/tickets/{r.json()['ticket_id']}", headers=desk.auth("qa"))
    assert ticket.json()["ticket"]["priority"] == "P2"


def test_an_invalid_policy_is_refused_with_a_422(desk: WebDesk) -> None:
    r = _post(desk, "manager", "/api/policy-versions", {"title": "broken", "source": "tiers: [1"})
    assert r.status_code == 422


def test_a_draft_is_rejected_with_a_reason(desk: WebDesk) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    version = _post(
        desk, "supervisor", "/api/policy-versions", {"title": "v", "source": source}
    ).json()
    url = f"/api/policy-versions/{version['id']}/reject"
    assert _post(desk, "manager", url, {"note": ""}).status_code == 422
    r = _post(desk, "manager", url, {"note": "SLA targets unrealistic"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_an_admin_creates_changes_and_lists_users_without_exposing_hashes(desk: WebDesk) -> None:
    body = {"username": "Lin", "role": "agent_l1", "password": "a long passphrase"}
    r = _post(desk, "admin", "/api/users", body)
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["username"] == "lin" and "password_hash" not in user
    assert _post(desk, "admin", "/api/users", body).json()["code"] == "username_taken"
    login = desk.client.post(
        "/api/auth/login", json={"username": "lin", "password": "a long passphrase"}
    )
    assert login.status_code == 200
    desk.client.cookies.clear()
    r = desk.client.patch(
        f"/api/users/{user['id']}",
        json={"role": "agent_l2", "password": "another long one"},
        headers=desk.auth("admin"),
    )
    assert r.status_code == 200 and r.json()["role"] == "agent_l2"
    old = desk.client.post(
        "/api/auth/login", json={"username": "lin", "password": "a long passphrase"}
    )
    assert old.status_code == 401
    listed = desk.client.get("/api/users?role=agent_l2", headers=desk.auth("admin"))
    assert [u["username"] for u in listed.json()] == ["agent-l2", "lin"]
    assert "argon2" not in listed.text and PASSWORD not in listed.text


def test_a_weak_password_or_unknown_role_is_a_422(desk: WebDesk) -> None:
    short = _post(
        desk, "admin", "/api/users", {"username": "x1", "role": "qa", "password": "short"}
    )
    assert short.status_code == 422 and short.json()["errors"][0]["path"] == "body.password"
    role = _post(
        desk, "admin", "/api/users", {"username": "x2", "role": "boss", "password": "long enough"}
    )
    assert role.status_code == 422 and role.json()["errors"][0]["path"] == "body.role"


@pytest.mark.rule("R-DOC-3")
def test_any_signed_in_user_reads_what_a_policy_version_changes(desk: WebDesk) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    p2_first_response = "    clock: business\n    first_response: 1h\n    next_reply: 4h\n"
    assert source.count(p2_first_response) == 1
    faster = source.replace(p2_first_response, p2_first_response.replace("1h", "30m"))
    first = _post(desk, "supervisor", "/api/policy-versions", {"title": "v1", "source": source})
    first_id = first.json()["id"]
    r = desk.client.get(f"/api/policy-versions/{first_id}/changes", headers=desk.auth("agent_l1"))
    assert r.status_code == 200, r.text
    assert r.json()["against_id"] is None and r.json()["changes"] == [] and r.json()["note"]
    assert _post(desk, "manager", f"/api/policy-versions/{first_id}/approve", {}).status_code == 200
    second = _post(desk, "supervisor", "/api/policy-versions", {"title": "v2", "source": faster})
    url = f"/api/policy-versions/{second.json()['id']}/changes"
    r = desk.client.get(url, headers=desk.auth("qa"))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "version_id": second.json()["id"],
        "against_id": first_id,
        "changes": [
            {"path": "priorities.P2.first_response", "kind": "changed", "old": "1h", "new": "30m"}
        ],
        "note": "",
        "findings": [],  # the preset checks clean
    }
    back = desk.client.get(
        f"/api/policy-versions/{first_id}/changes",
        params={"against": second.json()["id"]},
        headers=desk.auth("agent_l1"),
    )
    assert [(c["old"], c["new"]) for c in back.json()["changes"]] == [("30m", "1h")]
    for bad in ("/api/policy-versions/pv_nope/changes", f"{url}?against=pv_nope"):
        r = desk.client.get(bad, headers=desk.auth("agent_l1"))
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert r.headers["content-type"].startswith("application/problem+json")
    assert desk.client.get(url).status_code == 401


@pytest.mark.rule("R-DOC-3")
@pytest.mark.rule("R-TIER-2")
def test_the_approver_sees_the_checker_findings_of_a_version(desk: WebDesk) -> None:
    vip = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"
    source = vip + preset_path("cs-sop").read_text(encoding="utf-8")
    r = _post(desk, "supervisor", "/api/policy-versions", {"title": "VIP", "source": source})
    assert r.status_code == 201, r.text
    url = f"/api/policy-versions/{r.json()['id']}"
    shown = desk.client.get(url, headers=desk.auth("manager"))
    assert shown.status_code == 200, shown.text
    [finding] = shown.json()["findings"]
    assert finding["severity"] == "warning" and "R-TIER-2" in finding["message"]
    changes = desk.client.get(url + "/changes", headers=desk.auth("manager"))
    assert changes.json()["findings"] == [finding]


@pytest.mark.rule("R-DOC-2")
@pytest.mark.rule("R-TIER-2")
def test_the_sop_in_force_shows_the_warnings_stored_with_its_version(desk: WebDesk) -> None:
    vip = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"
    source = vip + preset_path("cs-sop").read_text(encoding="utf-8")
    r = _post(desk, "supervisor", "/api/policy-versions", {"title": "VIP", "source": source})
    assert r.status_code == 201, r.text
    approved = _post(desk, "manager", f"/api/policy-versions/{r.json()['id']}/approve", {})
    assert approved.status_code == 200, approved.text
    page = signed_in(desk, "agent_l1").get("/sop")
    assert page.status_code == 200
    assert "Policy Checker Warnings" in page.text or "政策檢查警告" in page.text
    assert "routing.0.when.customer.vip" in page.text and "R-TIER-2" in page.text
