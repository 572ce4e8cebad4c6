"""The console's pages over the services (TestClient): homes per role, queues, the ticket
page and its commands, conflicts, approvals, the SOP. Rules are the services': these tests
prove the pages show and send what the services decide, and that the server refuses what a
page hides."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from console_client import Agent, signed_in
from english import english_words
from web_desk import WebDesk

from tierdesk.policy.loader import preset_path
from tierdesk.services import policies

REFUND = "I was charged twice for order #4411, please refund NT$5000 to my card."


def test_each_role_lands_on_its_home(desk: WebDesk) -> None:
    homes = {
        "agent_l1": "/queue",
        "team_lead": "/queue?view=team",
        "supervisor": "/approvals",
        "manager": "/approvals",
        "qa": "/qa",
        "admin": "/admin/users",
    }
    for role, home in homes.items():
        r = signed_in(desk, role).get("/", follow_redirects=False)
        assert r.headers["location"] == home, role


def test_the_tier_queue_shows_the_columns_and_the_sla_countdown(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    agent = signed_in(desk, "agent_l1")
    page = agent.get("/queue").text
    for column in ("Reference", "Subject", "Customer", "Category", "Priority", "Status",
                   "Channel", "Assignee", "SLA"):  # fmt: skip
        assert f">{column}</th>" in page
    assert ticket["id"][:10] in page and "Mei" in page
    assert 'data-sla="running"' in page
    # Past the policy's warning point the countdown turns amber, past the target red.
    view = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("agent_l1")).json()
    first = next(c for c in view["clocks"] if c["clock"] == "first_response")
    warning_at = datetime.fromisoformat(first["warning_at"])
    due_at = datetime.fromisoformat(first["due_at"])
    desk.clock.advance(warning_at - desk.clock.now() + timedelta(minutes=1))
    assert 'data-sla="warning"' in agent.get("/queue/rows").text
    desk.clock.advance(due_at - desk.clock.now() + timedelta(minutes=5))
    rows = agent.get("/queue/rows").text
    assert 'data-sla="breached"' in rows and "overdue by" in rows
    # The list polls itself (live refresh within 5 s).
    assert 'hx-trigger="every 4s"' in page


def test_queue_filters_mine_search_and_pages(desk: WebDesk) -> None:
    for i in range(3):
        desk.open_ticket(f"Where is my order #{100 + i}? It is late.", f"c{i}@example.com")
    agent = signed_in(desk, "agent_l1")
    assert agent.get("/queue?q=%23101").text.count('data-href="/tickets/') == 1
    assert agent.get("/queue?view=mine").text.count('data-href="/tickets/') == 0
    assert agent.get("/queue?priority=P1").text.count('data-href="/tickets/') == 0
    assert agent.get("/queue?channel=email").text.count('data-href="/tickets/') == 3
    assert agent.get("/queue?sort=due&risk=1").status_code == 200
    # Cursor pages: the API's cursor, one page per request.
    first = agent.get("/queue?limit=2").text
    assert first.count('data-href="/tickets/') == 2
    found = re.search(r'href="/queue\?([^"]*cursor=[^"]*)" rel="next"', first)
    assert found
    second = agent.get("/queue?" + found.group(1).replace("&amp;", "&")).text
    assert second.count('data-href="/tickets/') == 1
    bad = agent.get("/queue?cursor=not-a-cursor")
    assert bad.status_code == 422


def test_bulk_changes_the_chosen_tickets_and_reports_each_refusal(desk: WebDesk) -> None:
    ids = [
        desk.open_ticket(f"Where is my order #{200 + i}? It is late.", f"b{i}@example.com")["id"]
        for i in range(3)
    ]
    lead = signed_in(desk, "team_lead")
    page = lead.get("/queue?view=team").text
    assert page.count('name="ticket"') == 3 and 'form="bulk"' in page
    agent_id = desk.user["agent_l1"]
    assert f'<option value="{agent_id}">' in page  # "assign to" and the assignee filter
    r = lead.post(
        "/queue/bulk?view=team",
        {"ticket": [ids[0], ids[1], "t_missing"], "action": "assign", "assignee": agent_id},
    )
    assert r.status_code == 200
    assert 'data-bulk-changed="2" data-bulk-refused="1"' in r.text
    assert 'data-ticket="t_missing"' in r.text and 'data-code="not_found"' in r.text
    assert 'id="queue-list"' in r.text and 'hx-swap-oob="true"' in r.text  # list redrawn
    for ticket_id in ids[:2]:
        view = desk.client.get(f"/api/tickets/{ticket_id}", headers=desk.auth("team_lead"))
        assert view.json()["ticket"]["assignee_id"] == agent_id
    # the assignee filter lists what that agent holds
    mine = lead.get(f"/queue?view=team&assignee={agent_id}").text
    assert mine.count('data-href="/tickets/') == 2 and ids[2][:10] not in mine
    # a status change needs its text once for all; refused before anything changes
    bad = lead.post("/queue/bulk?view=team", {"ticket": ids, "action": "resolve"})
    assert bad.status_code == 422 and 'data-code="invalid_input"' in bad.text
    done = lead.post(
        "/queue/bulk?view=team", {"ticket": ids, "action": "resolve", "text": "re-shipped"}
    )
    assert 'data-bulk-changed="3" data-bulk-refused="0"' in done.text
    statuses = {
        desk.client.get(f"/api/tickets/{t}", headers=desk.auth("team_lead")).json()["ticket"][
            "status"
        ]
        for t in ids
    }
    assert statuses == {"resolved"}
    # the server refuses what the role may not do, whatever the page shows
    qa = signed_in(desk, "qa")
    refused = qa.post("/queue/bulk?view=review", {"ticket": ids[:1], "action": "unassign"})
    assert 'data-bulk-refused="1"' in refused.text and 'data-code="forbidden"' in refused.text


def test_the_queue_finds_a_ticket_by_the_reference_the_customer_quotes(desk: WebDesk) -> None:
    ticket = desk.open_ticket("Where is my order #300? It is late.", "ref@example.com")
    desk.open_ticket("Where is my order #301? It is late.", "other@example.com")
    agent = signed_in(desk, "agent_l1")
    reference = f"T-{ticket['id'][2:12]}"
    for typed in (reference, f"#{reference.lower()}", f" {reference.upper()} "):
        page = agent.get("/queue", params={"q": typed}).text
        assert page.count('data-href="/tickets/') == 1, typed
        assert f'data-href="/tickets/{ticket["id"]}"' in page
        assert f">{reference}</a>" in page  # the console shows what the customer reads


def _ticket_agent(desk: WebDesk, role: str = "agent_l1") -> tuple[Agent, dict]:  # type: ignore[type-arg]
    return signed_in(desk, role), desk.open_ticket()


def _version(html: str) -> int:
    found = re.search(r'data-version="(\d+)"', html)
    assert found
    return int(found.group(1))


def test_the_ticket_page_shows_conversation_customer_triage_and_clocks(desk: WebDesk) -> None:
    agent, t = _ticket_agent(desk)
    url = f"/tickets/{t['id']}"
    r = agent.post(url + "/note", {"body": "Checked the courier.", "version": t["version"]})
    assert r.status_code == 200 and 'data-notice="noted"' in r.text
    page = agent.get(url).text
    assert '<article class="msg note" data-kind="note">' in page  # notes set apart
    assert "Internal note" in page and "Checked the courier." in page
    assert "Order status / order error" in page  # triage category
    assert "Reasons" in page and "First response" in page
    assert "Earlier tickets" in page and "mei@example.com" in page


def test_a_stale_write_shows_the_conflict_and_keeps_the_text(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    one, two = signed_in(desk, "agent_l1"), signed_in(desk, "team_lead")
    url = f"/tickets/{ticket['id']}"
    seen = _version(one.get(url).text)
    assert two.post(url + "/note", {"body": "lead was here", "version": seen}).status_code == 200
    r = one.post(url + "/reply", {"body": "Your parcel ships today.", "version": seen})
    assert r.status_code == 409
    assert 'data-code="stale_version"' in r.text
    assert "lead was here" in r.text  # the newer state
    assert "Your parcel ships today.</textarea>" in r.text  # the agent's text kept
    assert _version(r.text) > seen
    r = one.post(url + "/reply", {"body": "Your parcel ships today.", "version": _version(r.text)})
    assert r.status_code == 200 and 'data-notice="replied"' in r.text


def test_pending_resume_call_and_resolve(desk: WebDesk) -> None:
    agent, t = _ticket_agent(desk)
    url = f"/tickets/{t['id']}"
    r = agent.post(url + "/pending", {"reason": "the order number"})
    assert 'data-status="pending_customer"' in r.text
    r = agent.post(url + "/resume", {})
    assert 'data-status="open"' in r.text
    form = {"minutes": "4.5", "direction": "inbound", "call_note": "rang", "answer_seconds": "15"}
    r = agent.post(url + "/call", form)
    assert 'data-notice="call_logged"' in r.text
    view = desk.client.get(f"/api/tickets/{t['id']}", headers=desk.auth("agent_l1")).json()
    assert view["calls"][0]["duration_seconds"] == 270
    assert view["calls"][0]["answer_seconds"] == 15
    r = agent.post(url + "/call", {**form, "answer_seconds": "soon"})
    assert r.status_code == 422 and "answer_seconds" in r.text
    r = agent.post(url + "/resolve", {"summary": ""})
    assert r.status_code == 422  # the service's refusal, shown in the page
    r = agent.post(url + "/resolve", {"summary": "parcel found"})
    assert 'data-status="resolved"' in r.text


@pytest.mark.rule("R-ESC-8")
def test_escalating_prefills_the_brief_and_the_next_tier_reads_it(desk: WebDesk) -> None:
    agent, t = _ticket_agent(desk)
    url = f"/tickets/{t['id']}"
    agent.post(url + "/reply", {"body": "Checked the tracking number: stuck in customs."})
    page = agent.get(url).text
    assert "Checked the tracking number: stuck in customs.</textarea>" in page  # tried, pre-filled
    r = agent.post(
        url + "/escalate",
        {
            "to_tier": "L2", "reason": "customs hold needs the broker",
            "tried": "tracking lookup\ncalled courier", "mood": "frustrated",
            "promises": "update by Friday",
        },
    )  # fmt: skip
    assert 'data-notice="escalated"' in r.text
    l2 = signed_in(desk, "agent_l2").get(url).text
    assert "Warm handoff from L1" in l2
    assert "customs hold needs the broker" in l2 and "called courier" in l2
    assert "update by Friday" in l2 and "frustrated" in l2
    # The L1 agent does not get the brief box for a tier that is not theirs.
    assert "Warm handoff from" not in agent.get(url).text


@pytest.mark.rule("R-AUTH-2")
def test_a_refund_above_authority_is_an_approval_and_only_deciders_see_it(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l2")  # billing is worked in L2
    t = desk.open_ticket(REFUND, "pay@example.com")
    url = f"/tickets/{t['id']}"
    page = agent.get(url).text
    assert 'data-action="refund"' in page and "You may still grant" in page
    r = agent.post(url + "/verify", {"method": "security_questions"})
    assert 'data-notice="verified"' in r.text
    r = agent.post(url + "/action", {"action": "refund", "amount": "5000"})
    assert r.status_code == 422 and 'data-code="approval_required"' in r.text
    r = agent.post(
        url + "/approval",
        {"action": "refund", "amount": "5000", "justification": "double charge confirmed"},
    )
    assert 'data-notice="approval_requested"' in r.text
    # The agent's inbox is empty and has no approve button; a forged decision is refused.
    inbox = agent.get("/approvals").text
    assert "Approve</button>" not in inbox
    approval_id = desk.client.get("/api/approvals", headers=desk.auth("supervisor")).json()[0]["id"]
    forged = agent.post(f"/approvals/{approval_id}/approve", {"note": "me"})
    assert forged.status_code == 403
    lead = signed_in(desk, "supervisor")
    inbox = lead.get("/approvals").text
    assert f'data-approval="{approval_id}"' in inbox and "double charge confirmed" in inbox
    assert "NT$5,000" in inbox
    r = lead.post(f"/approvals/{approval_id}/approve", {"note": "ok"})
    assert r.status_code == 200 and "Approved." in r.text
    r = agent.post(
        url + "/action", {"action": "refund", "amount": "5000", "approval_id": approval_id}
    )
    assert 'data-notice="action_applied"' in r.text
    assert 'data-action="refund" data-remaining="0"' in r.text  # the total is past the limit


@pytest.mark.rule("R-TIER-1")
def test_a_lower_tier_agent_sees_notes_only_and_the_server_refuses_the_rest(
    desk: WebDesk,
) -> None:
    agent = signed_in(desk, "agent_l1")
    t = desk.open_ticket(REFUND, "tier@example.com")
    assert t["tier"] == "L2"
    page = agent.get(f"/tickets/{t['id']}").text
    assert "Internal note" in page and 'id="reply-body"' not in page
    assert "Assign to me" not in page and "Recovery actions" not in page
    r = agent.post(f"/tickets/{t['id']}/reply", {"body": "forged reply"})
    assert r.status_code == 403 and 'data-code="wrong_tier"' in r.text
    assert agent.post(f"/tickets/{t['id']}/note", {"body": "fyi"}).status_code == 200


@pytest.mark.rule("R-DOC-3")
def test_the_sop_page_gates_taking_tickets_on_acknowledgement(desk: WebDesk) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    draft = policies.propose_version(
        desk.env, title="cs-sop", source=source, actor_id=desk.user["supervisor"]
    )
    policies.approve_version(desk.env, version_id=draft.id, actor_id=desk.user["manager"])
    agent, t = _ticket_agent(desk)
    r = agent.post(f"/tickets/{t['id']}/assign", {})
    assert r.status_code == 422 and 'data-code="policy_not_acknowledged"' in r.text
    sop = agent.get("/sop").text
    assert "You take no tickets until you have read and acknowledged this version." in sop
    assert "<table>" in sop  # the document, rendered
    r = agent.post(f"/sop/{draft.id}/acknowledge", {})
    assert "You acknowledged this version" in r.text
    r = agent.post(f"/tickets/{t['id']}/assign", {})
    assert 'data-notice="assigned"' in r.text


def test_zh_tw_pages_show_no_english(desk: WebDesk) -> None:
    agent, t = _ticket_agent(desk)
    agent.post("/language", {"language": "zh-TW"})
    for url in ("/queue", f"/tickets/{t['id']}", "/approvals", "/sop"):
        html = agent.get(url).text
        visible = _visible_text(html)
        english = english_words(visible, allowed=_ALLOWED)
        assert not english, (url, english[:20])


# Words that are names, not English prose: the product, identifiers the customer wrote, the
# test users' display names (their role ids), key names,
# policy ids and codes, the frameworks' own names.
_ALLOWED = {"tierdesk", "LINE", "Where", "order", "arrived", "have", "been", "LAST", "HEARD",
            "Listen", "Apologize", "Solve", "Thank", "example", "Enter", "agent", "team",
            "lead", "supervisor", "manager"}  # fmt: skip


def _visible_text(html: str) -> str:
    """The page's text a reader sees, less what is marked as another language (lang="en":
    stored texts such as the customer's message or the policy's reasons)."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*\slang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r'<article class="msg customer".*?</article>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&\w+;", " ", html)


@pytest.mark.rule("R-TPL-1")
def test_a_reply_from_a_template_is_filled_and_an_unfilled_one_is_refused(desk: WebDesk) -> None:
    agent, t = _ticket_agent(desk)
    url = f"/tickets/{t['id']}"
    assert 'value="acknowledge_reply"' in agent.get(url).text
    box = agent.get(url + "/compose?template_id=acknowledge_reply").text
    assert "Hi Mei, thank you for contacting us." in box  # filled from the ticket
    assert "<code>{issue}</code>" in box and "{action}" in box  # what is left to write
    body = re.search(r"<textarea[^>]*>(.*?)</textarea>", box, re.S)
    assert body
    text = body.group(1).replace("&#39;", "'")
    r = agent.post(url + "/reply", {"body": text, "template_id": "acknowledge_reply"})
    assert r.status_code == 422 and 'data-code="unfilled_placeholders"' in r.text
    assert "{issue}" in r.text  # the text is kept for the agent to finish
    done = (
        text.replace("{issue}", "a late parcel")
        .replace("{action}", "I asked the courier")
        .replace("{timeline}", "You will hear from us by 5 pm")
        .replace("{next_steps}", "Reply here if it has not arrived by then.")
    )
    r = agent.post(url + "/reply", {"body": done, "template_id": "acknowledge_reply"})
    assert r.status_code == 200 and 'data-notice="replied"' in r.text


def test_a_complaint_shows_the_policy_framework_steps(desk: WebDesk) -> None:
    agent = signed_in(desk, "agent_l1")
    t = desk.open_ticket("This is unacceptable, I want to complain about your rude staff.")
    page = agent.get(f"/tickets/{t['id']}").text
    assert t["category"] == "general_complaint"
    assert 'data-framework="LAST"' in page and "Apologize" in page


def test_admin_manages_users_tokens_and_webhooks(desk: WebDesk) -> None:
    admin = signed_in(desk, "admin")
    page = admin.get("/admin/users").text
    assert 'data-user="agent-l1"' in page
    r = admin.post(
        "/admin/users",
        {"username": "new.agent", "display_name": "New Agent", "role": "agent_l1",
         "password": "long enough pw", "language": "zh-TW"},
    )  # fmt: skip
    assert r.status_code == 200 and 'data-user="new.agent"' in r.text
    short = admin.post(
        "/admin/users",
        {"username": "x.y", "display_name": "X", "role": "qa", "password": "short"},
    )
    assert short.status_code == 422
    taken = admin.post(
        "/admin/users",
        {"username": "new.agent", "display_name": "N", "role": "qa", "password": "long enough pw"},
    )
    assert taken.status_code == 409
    r = admin.post(f"/admin/users/{desk.user['qa']}", {"active": "0"})
    assert r.status_code == 200
    assert desk.client.post("/login", data={"username": "qa", "password": "x"}).status_code == 401
    r = admin.post("/admin/tokens", {"name": "ci", "days": "7"})
    assert "data-created" in r.text and "tdk_" in r.text
    r = admin.post("/admin/webhooks", {"url": "https://hooks.example/t", "events": "*"})
    assert r.status_code == 200 and "https://hooks.example/t" in r.text
    # Other roles are refused by the server, whatever a page shows.
    agent = signed_in(desk, "agent_l1")
    assert agent.get("/admin/users").status_code == 403
    forged = agent.post(f"/admin/users/{desk.user['agent_l1']}", {"role": "admin"})
    assert forged.status_code == 403
    assert agent.post("/admin/webhooks", {"url": "https://x.example"}).status_code == 403


def test_an_agent_corrects_the_triage_with_a_reason(desk: WebDesk) -> None:
    agent, t = _ticket_agent(desk)
    url = f"/tickets/{t['id']}"
    r = agent.post(url + "/triage", {"category": "order_status", "priority": "P2", "reason": ""})
    assert r.status_code == 422  # the service wants a reason
    r = agent.post(
        url + "/triage", {"category": "order_status", "priority": "P2", "reason": "VIP order"}
    )
    assert r.status_code == 200 and 'data-notice="triage_corrected"' in r.text
    assert "data-correction" in r.text and "P3 → P2" in r.text and "VIP order" in r.text
