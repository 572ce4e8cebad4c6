"""Tickets over HTTP: create, list with filters and paging, read, and every command."""

from __future__ import annotations

from typing import Any

import pytest
from web_desk import ORDER, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

OUTAGE = "Your whole service is down, outage since this morning"


def _post(desk: WebDesk, role: str, url: str, body: dict[str, Any], **headers: str) -> Any:
    return desk.client.post(url, json=body, headers={**desk.auth(role), **headers})


def test_an_agent_logs_a_ticket_and_reads_it_with_messages_events_and_clocks(
    desk: WebDesk,
) -> None:
    ticket = desk.open_ticket()
    assert ticket["category"] and ticket["priority"] in {"P1", "P2", "P3", "P4"}
    r = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("qa"))
    assert r.status_code == 200
    view = r.json()
    assert r.headers["etag"] == f'"{ticket["version"]}"'
    assert view["messages"][0]["body"] == ORDER
    assert view["events"][0]["kind"] == "opened"
    assert {c["clock"] for c in view["clocks"]} >= {"first_response"}


def test_an_agent_idempotency_key_yields_one_ticket(desk: WebDesk) -> None:
    body = {"channel": "phone", "text": ORDER, "contact": {"kind": "phone", "value": "0912345678"}}
    first = _post(desk, "agent_l1", "/api/tickets", body, **{"Idempotency-Key": "call-1"})
    again = _post(desk, "agent_l1", "/api/tickets", body, **{"Idempotency-Key": "call-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_qa_may_read_but_not_log_tickets(desk: WebDesk) -> None:
    body = {"channel": "phone", "text": ORDER, "contact": {"kind": "phone", "value": "0912345678"}}
    r = _post(desk, "qa", "/api/tickets", body)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert desk.store.tables.tickets == {}


def test_the_list_filters_and_pages_with_a_cursor(desk: WebDesk) -> None:
    made = [desk.open_ticket(email=f"c{i}@example.com") for i in range(5)]
    outage = desk.open_ticket(OUTAGE, email="ops@example.com")
    headers = desk.auth("agent_l1")
    p1 = desk.client.get("/api/tickets", params={"priority": "P1"}, headers=headers).json()
    assert [t["id"] for t in p1["items"]] == [outage["id"]]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, "status": ["new", "open"]}
        if cursor:
            params["cursor"] = cursor
        page = desk.client.get("/api/tickets", params=params, headers=headers).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([t["id"] for t in made] + [outage["id"]])
    by_customer = desk.client.get(
        "/api/tickets", params={"customer": made[0]["customer_id"]}, headers=headers
    ).json()
    assert [t["id"] for t in by_customer["items"]] == [made[0]["id"]]


def test_a_bad_cursor_or_limit_is_a_422(desk: WebDesk) -> None:
    headers = desk.auth("agent_l1")
    assert desk.client.get("/api/tickets?limit=0", headers=headers).status_code == 422
    r = desk.client.get("/api/tickets?cursor=garbage!!", headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("how", ["header", "body"])
def test_a_stale_version_is_a_409_and_changes_nothing(desk: WebDesk, how: str) -> None:
    ticket = desk.open_ticket()
    url = f"/api/tickets/{ticket['id']}/notes"
    ok = _post(desk, "agent_l1", url, {"body": "first", "version": ticket["version"]})
    assert ok.status_code == 200 and ok.json()["version"] > ticket["version"]
    assert ok.headers["etag"] == f'"{ok.json()["version"]}"'
    stale = ticket["version"]
    if how == "header":
        r = _post(desk, "agent_l1", url, {"body": "second"}, **{"If-Match": f'"{stale}"'})
    else:
        r = _post(desk, "agent_l1", url, {"body": "second", "version": stale})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert r.json()["data"]["actual_version"] == ok.json()["version"]
    notes = [m for m in desk.store.tables.messages.values() if m.kind == "note"]
    assert [n.body for n in notes] == ["first"]


def test_if_match_and_body_version_must_agree(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    url = f"/api/tickets/{ticket['id']}/notes"
    body = {"body": "x", "version": ticket["version"]}
    r = _post(desk, "agent_l1", url, body, **{"If-Match": str(ticket["version"] + 5)})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "body.version"


def test_reply_pending_resume_resolve_reopen_resolve_close_and_survey(desk: WebDesk) -> None:
    t = desk.open_ticket()
    base = f"/api/tickets/{t['id']}"
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("/replies", {"body": "Hi Mei, checking your order now."}, "open"),
        ("/pending", {"reason": "asked for the order email"}, "pending_customer"),
        ("/resume", {}, "open"),
        ("/resolve", {"summary": "parcel found, delivered today"}, "resolved"),
        ("/reopen", {"reason": "customer says it is the wrong item"}, "open"),
        ("/resolve", {"summary": "replacement sent"}, "resolved"),
        ("/close", {}, "closed"),
    ]
    for path, body, status in steps:
        r = _post(desk, "agent_l1", base + path, body)
        assert r.status_code == 200, (path, r.text)
        assert r.json()["status"] == status, path
    [survey] = desk.store.tables.surveys.values()
    answer = desk.client.post(f"/api/surveys/{survey.token}", json={"csat": 5, "nps": 9})
    assert answer.status_code == 200, answer.text
    again = desk.client.post(f"/api/surveys/{survey.token}", json={"csat": 1})
    assert again.status_code == 409
    assert desk.client.post("/api/surveys/nope", json={"csat": 3}).status_code == 404


def test_a_closed_ticket_refuses_a_reply_with_a_409(desk: WebDesk) -> None:
    t = desk.open_ticket()
    base = f"/api/tickets/{t['id']}"
    _post(desk, "agent_l1", base + "/resolve", {"summary": "done"})
    _post(desk, "agent_l1", base + "/close", {})
    r = _post(desk, "agent_l1", base + "/replies", {"body": "hello?"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


@pytest.mark.rule("R-ESC-8")
def test_an_escalation_carries_the_warm_handoff_brief(desk: WebDesk) -> None:
    t = desk.open_ticket()
    body = {
        "to_tier": "L2",
        "reason": "needs a carrier investigation",
        "tried": ["checked tracking"],
        "mood": "frustrated",
        "promises": ["call back today"],
    }
    r = _post(desk, "agent_l1", f"/api/tickets/{t['id']}/escalations", body)
    assert r.status_code == 200, r.text
    assert r.json()["tier"] == "L2"
    view = desk.client.get(f"/api/tickets/{t['id']}", headers=desk.auth("agent_l2")).json()
    [esc] = view["escalations"]
    assert esc["brief"] and esc["to_tier"] == "L2"


def test_calls_identity_assign_and_merge(desk: WebDesk) -> None:
    t = desk.open_ticket()
    dup = desk.open_ticket("Order #12345 still missing, any news?")
    base = f"/api/tickets/{t['id']}"
    call = {"started_at": "2025-03-04T02:00:00Z", "duration_seconds": 300, "note": "called"}
    r = _post(desk, "agent_l1", base + "/calls", call)
    assert r.status_code == 200 and r.json()["call_seconds"] == 300
    naive = _post(desk, "agent_l1", base + "/calls", {**call, "started_at": "2025-03-04T02:00"})
    assert naive.status_code == 422
    timed = _post(desk, "agent_l1", base + "/calls", {**call, "answer_seconds": 20})
    assert timed.status_code == 200, timed.text
    late = _post(desk, "agent_l1", base + "/calls", {**call, "answer_seconds": 3601})
    assert late.status_code == 422
    view = desk.client.get(base, headers=desk.auth("agent_l1")).json()
    assert [c.get("answer_seconds") for c in view["calls"]] == [None, 20]  # R-SLA-3
    r = _post(desk, "agent_l1", base + "/identity-verification", {"method": "otp"})
    assert r.status_code == 200 and r.json()["identity_verified_at"]
    r = _post(desk, "team_lead", base + "/assign", {"assignee_id": desk.user["agent_l1"]})
    assert r.status_code == 200 and r.json()["assignee_id"] == desk.user["agent_l1"]
    r = _post(desk, "agent_l1", f"/api/tickets/{dup['id']}/merge", {"target_id": t["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == t["id"]
    assert desk.store.tables.tickets[dup["id"]].status == "merged"


@pytest.mark.rule("R-AUTH-2")
def test_a_refund_above_authority_goes_through_an_approval(desk: WebDesk) -> None:
    t = desk.open_ticket()
    base = f"/api/tickets/{t['id']}"
    _post(desk, "agent_l1", base + "/identity-verification", {})
    refund = {"action": "refund", "amount": "5000"}
    r = _post(desk, "agent_l1", base + "/actions", refund)
    assert r.status_code == 422 and r.json()["code"] == "approval_required"
    ask = {**refund, "justification": "double charge confirmed"}
    r = _post(desk, "agent_l1", base + "/approvals", ask)
    assert r.status_code == 201, r.text
    approval = r.json()
    assert approval["required_role"] == "team_lead"
    assert desk.client.get("/api/approvals", headers=desk.auth("agent_l1")).json() == []
    pending = desk.client.get("/api/approvals", headers=desk.auth("team_lead")).json()
    assert [a["id"] for a in pending] == [approval["id"]]
    url = f"/api/approvals/{approval['id']}"
    r = _post(desk, "agent_l2", url + "/approve", {})
    assert r.status_code == 403 and r.json()["code"] == "insufficient_authority"
    r = _post(desk, "team_lead", url + "/approve", {"note": "ok"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = _post(desk, "agent_l1", base + "/actions", {**refund, "approval_id": approval["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["action"]["approval_id"] == approval["id"]


def test_an_approval_can_be_denied(desk: WebDesk) -> None:
    t = desk.open_ticket()
    base = f"/api/tickets/{t['id']}"
    _post(desk, "agent_l1", base + "/identity-verification", {})
    ask = {"action": "refund", "amount": "5000", "justification": "asked twice"}
    approval = _post(desk, "agent_l1", base + "/approvals", ask).json()
    r = _post(desk, "supervisor", f"/api/approvals/{approval['id']}/deny", {"note": "no proof"})
    assert r.status_code == 200 and r.json()["status"] == "denied"


def test_a_policys_fifth_priority_filters_and_an_undefined_one_is_refused(rules: Rulebook) -> None:
    from dataclasses import replace

    lowest = rules.priorities[-1]
    p5 = replace(lowest, id="P5", rank=lowest.rank + 1)
    order = next(c for c in rules.categories if c.id == _category_of(rules, ORDER))
    five = replace(
        rules,
        priorities=(*rules.priorities, p5),
        categories=tuple(replace(c, priority="P5") if c is order else c for c in rules.categories),
    )
    with web_desk(five) as desk:
        ticket = desk.open_ticket()
        assert ticket["priority"] == "P5"
        headers = desk.auth("agent_l1")
        r = desk.client.get("/api/tickets", params={"priority": "P5"}, headers=headers)
        assert r.status_code == 200, r.text
        assert [t["id"] for t in r.json()["items"]] == [ticket["id"]]
    with web_desk(rules) as desk:
        r = desk.client.get("/api/tickets", params={"priority": "P5"}, headers=desk.auth("qa"))
        assert r.status_code == 422 and r.json()["code"] == "invalid_input"
        assert "P1, P2, P3, P4" in r.json()["detail"]


def _category_of(rules: Rulebook, text: str) -> str:
    from tierdesk.domain.triage import triage

    return triage(text, rules).category


def test_a_ticket_answer_is_ticketout_without_the_engines_bookkeeping(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    view = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("qa")).json()
    page = desk.client.get("/api/tickets", headers=desk.auth("qa")).json()
    note = _post(desk, "agent_l1", f"/api/tickets/{ticket['id']}/notes", {"body": "checked"})
    for shown in (ticket, view["ticket"], page["items"][0], note.json()):
        assert shown["id"] == ticket["id"] and "priority" in shown
        assert "sweep_at" not in shown and "escalation_marks" not in shown


@pytest.mark.rule("R-ESC-5")
def test_an_agent_links_repeat_contacts_and_the_third_escalates(desk: WebDesk) -> None:
    first = desk.open_ticket()
    second = desk.open_ticket("Need help with my password reset", email="mei@example.com")
    third = desk.open_ticket("I have a suggestion for your app", email="mei@example.com")
    r = _post(desk, "qa", f"/api/tickets/{second['id']}/link", {"related_to": first["id"]})
    assert r.status_code == 403
    r = _post(desk, "agent_l1", f"/api/tickets/{second['id']}/link", {"related_to": "t_nope"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = _post(desk, "agent_l1", f"/api/tickets/{second['id']}/link", {"related_to": first["id"]})
    assert r.status_code == 200, r.text
    assert (r.json()["contact_count"], r.json()["related_to"]) == (2, first["id"])
    r = _post(desk, "agent_l1", f"/api/tickets/{third['id']}/link", {"related_to": second["id"]})
    assert r.status_code == 200, r.text
    linked = r.json()
    assert (linked["contact_count"], linked["related_to"], linked["tier"]) == (3, first["id"], "L2")
    view = desk.client.get(f"/api/tickets/{third['id']}", headers=desk.auth("qa")).json()
    assert "contact_linked" in [e["kind"] for e in view["events"]]
