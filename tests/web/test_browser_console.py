"""The console in a real browser (Playwright + Debian's Chromium): few tests, each a whole
scenario; the routes' details are covered by the TestClient tests (test_console_pages.py).
Every page visited is also checked with axe-core (no serious or critical violation)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from browser import axe_violations, chromium, require_browser, served
from english import english_words
from web_desk import PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.loader import preset_path
from tierdesk.services import policies

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS = (
    "<script>window.__xss = 1</script>Where is my order #12345?"
    '<img src="x" onerror="window.__xss = 2">'
    '<a href="javascript:window.__xss = 3">track</a>'
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>'
    '<svg onload="window.__xss = 4"></svg><iframe src="javascript:parent.__xss=5"></iframe>'
    '<img src="https://tracker.example/pixel.gif">'
)


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[tuple[WebDesk, str, Any]]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        yield desk, url, browsers


def new_page(browsers: Any) -> Any:
    page = browsers.context().new_page()
    page.errors = []  # page-level listener: any script error or dialog is recorded
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))
    page.on("dialog", lambda d: (page.errors.append(f"dialog: {d.message}"), d.dismiss()))
    # A refused command answers 4xx on purpose (the browser logs that); a CSP refusal or an
    # uncaught error means something tried to run.
    page.on(
        "console",
        lambda m: (
            page.errors.append(f"console: {m.text}")
            if m.type == "error" and ("Refused to" in m.text or "Uncaught" in m.text)
            else None
        ),
    )
    return page


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(queue|approvals|sop)"))


def accessible(page: Any) -> None:
    assert axe_violations(page) == []


def test_sign_in_switch_language_and_accessibility(live: tuple[WebDesk, str, Any]) -> None:
    _desk, url, browsers = live
    page = new_page(browsers)
    page.goto(f"{url}/login")
    accessible(page)
    sign_in(page, url, "agent-l1")
    assert page.locator("text=Sign out").is_visible()
    accessible(page)
    page.select_option("#language-switch", "zh-TW")
    page.wait_for_selector("text=登出")
    assert page.locator("html").get_attribute("lang") == "zh-TW"
    accessible(page)
    page.select_option("#language-switch", "en")
    page.wait_for_selector("text=Sign out")
    assert page.errors == []


def test_a_hostile_customer_message_runs_nothing(live: tuple[WebDesk, str, Any]) -> None:
    desk, url, browsers = live
    ticket = desk.open_ticket(XSS, "xss@example.com")
    page = new_page(browsers)
    sign_in(page, url, "agent-l1")
    page.goto(f"{url}/tickets/{ticket['id']}")
    page.wait_for_selector(".msg.customer")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.errors == []  # no dialog, no script error, no CSP report of a blocked script
    body = page.locator(".msg.customer .body")
    assert "Where is my order" in body.inner_text()
    assert body.locator("script, iframe, svg, [onerror], [style]").count() == 0
    # Images are held until a click (the tracker's and the one meant to fail).
    held = body.locator("img.held")
    assert held.count() == 2
    assert all(held.nth(i).get_attribute("src") is None for i in range(2))
    assert page.locator("button.load-image", has_text="tracker.example").count() == 1
    # The javascript: link lost its target; clicking it runs nothing.
    page.locator(".msg.customer a", has_text="track").click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    accessible(page)


@pytest.mark.rule("R-ESC-8")
def test_l1_acknowledges_takes_replies_is_stopped_escalates_and_l2_reads_the_brief(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    draft = policies.propose_version(
        desk.env, title="cs-sop", source=source, actor_id=desk.user["supervisor"]
    )
    policies.approve_version(desk.env, version_id=draft.id, actor_id=desk.user["manager"])
    ticket = desk.open_ticket("Where is my order #777? It has not arrived yet.", "o@example.com")
    page = new_page(browsers)
    sign_in(page, url, "agent-l1")
    # The queue lists the ticket; j + Enter opens it from the keyboard.
    page.goto(f"{url}/queue")
    page.wait_for_selector(f"a[href='/tickets/{ticket['id']}']")
    accessible(page)
    page.goto(f"{url}/tickets/{ticket['id']}")
    page.keyboard.press("a")  # assign to me: refused before the SOP is acknowledged
    page.wait_for_selector("[data-code=policy_not_acknowledged]")
    page.goto(f"{url}/sop")
    accessible(page)
    page.click("text=I have read it and acknowledge it")
    page.wait_for_selector("text=You acknowledged this version")
    page.goto(f"{url}/tickets/{ticket['id']}")
    page.keyboard.press("a")
    page.wait_for_selector("[data-notice=assigned]")
    # Reply from a template: filled from the ticket, the placeholders left are shown and
    # sending is stopped in the page before it reaches the server.
    page.select_option("#reply-template", "acknowledge_reply")
    page.wait_for_selector("[data-to-write]")
    assert "Hi Mei" in page.input_value("#reply-body")
    assert page.locator("[data-unedited]").is_visible()
    page.click("text=Send reply")
    assert page.locator("[data-unfilled]").is_visible()
    assert "{issue}" in page.locator("[data-unfilled] span").inner_text()
    assert page.locator(".msg.reply").count() == 0  # nothing sent
    text = page.input_value("#reply-body")
    written = {
        "{issue}": "a parcel that is late",
        "{action}": "I asked the courier",
        "{timeline}": "You hear from us by 5 pm",
        "{next_steps}": "Thanks!",
    }
    for key, value in written.items():
        text = text.replace(key, value)
    page.fill("#reply-body", text)
    assert page.locator("[data-unfilled]").is_hidden()
    page.click("text=Send reply")
    page.wait_for_selector("[data-notice=replied]")
    assert page.locator(".msg.reply").count() == 1
    accessible(page)
    # Escalate: what was tried is pre-filled from the conversation.
    page.click("#escalate > summary")
    assert "Hi Mei" in page.input_value("#esc-tried")
    page.fill("#esc-reason", "the courier lost the parcel; needs a claim")
    page.fill("#esc-mood", "worried")
    page.fill("#esc-promises", "call back by Friday")
    page.click("text=Escalate with this brief")
    page.wait_for_selector("[data-notice=escalated]")
    l2 = new_page(browsers)
    sign_in(l2, url, "agent-l2")
    l2.goto(f"{url}/tickets/{ticket['id']}")
    brief = l2.locator(".brief")
    assert "the courier lost the parcel" in brief.inner_text()
    assert "call back by Friday" in brief.inner_text()
    accessible(l2)
    assert page.errors == [] and l2.errors == []


def test_a_second_agents_stale_reply_shows_the_conflict(live: tuple[WebDesk, str, Any]) -> None:
    desk, url, browsers = live
    ticket = desk.open_ticket("My parcel #888 is late.", "late@example.com")
    one, two = new_page(browsers), new_page(browsers)
    sign_in(one, url, "agent-l1")
    sign_in(two, url, "team-lead")
    for p in (one, two):
        p.goto(f"{url}/tickets/{ticket['id']}")
    one.fill("#reply-body", "Hello, your parcel left the depot today.")
    two.wait_for_selector("text=is writing a reply", timeout=10_000)  # presence
    two.fill("#note-body", "Courier confirmed the delay.")
    two.click("text=Add note")
    two.wait_for_selector("[data-notice=noted]")
    one.click("text=Send reply")
    one.wait_for_selector("[data-code=stale_version]")
    assert "Courier confirmed the delay." in one.locator(".msg.note").inner_text()  # newer state
    assert one.input_value("#reply-body") == "Hello, your parcel left the depot today."
    one.click("text=Send reply")
    one.wait_for_selector("[data-notice=replied]")


@pytest.mark.rule("R-AUTH-2")
def test_a_refund_above_authority_is_approved_in_the_inbox_then_applied(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    ticket = desk.open_ticket("I was charged twice, refund NT$5000 please.", "pay@example.com")
    agent, sup = new_page(browsers), new_page(browsers)
    sign_in(agent, url, "agent-l2")
    agent.goto(f"{url}/tickets/{ticket['id']}")
    agent.click("#recovery > summary")
    agent.click("text=Identity verified")
    agent.wait_for_selector("[data-notice=verified]")
    agent.fill("#act-amount", "5000")
    agent.click("form[data-authority-form] >> text=Apply")
    agent.wait_for_selector("[data-code=approval_required]")
    agent.fill("#apr-amount", "5000")
    agent.fill("#apr-why", "charged twice, bank statement seen")
    agent.click("text=Request approval")
    agent.wait_for_selector("[data-notice=approval_requested]")
    # The agent never sees an approve button, and a forged approval is refused.
    agent.goto(f"{url}/approvals")
    assert agent.locator("button", has_text="Approve").count() == 0
    approval_id = desk.client.get("/api/approvals", headers=desk.auth("supervisor")).json()[0]["id"]
    forged = agent.evaluate(
        """async (id) => {
            const csrf = document.cookie.match(/tierdesk_csrf=([^;]+)/)[1];
            const r = await fetch(`/approvals/${id}/approve`, {method: "POST",
                headers: {"X-CSRF-Token": csrf,
                          "Content-Type": "application/x-www-form-urlencoded"},
                body: "note=forged"});
            return r.status;
        }""",
        approval_id,
    )
    assert forged == 403
    sign_in(sup, url, "supervisor")
    sup.goto(f"{url}/approvals")
    row = sup.locator(f"[data-approval='{approval_id}']")
    assert "charged twice" in row.inner_text()
    accessible(sup)
    row.locator("input[name=note]").fill("statement checked")
    row.locator("button", has_text="Approve").click()
    sup.wait_for_selector("text=Approved. The agent may now apply it.")
    agent.goto(f"{url}/tickets/{ticket['id']}")
    agent.fill("#act-amount", "5000")
    agent.select_option("#act-approval", approval_id)
    agent.click("form[data-authority-form] >> text=Apply")
    agent.wait_for_selector("[data-notice=action_applied]")
    assert agent.errors == [] and sup.errors == []


def test_the_zh_tw_console_shows_no_english(live: tuple[WebDesk, str, Any]) -> None:
    desk, url, browsers = live
    ticket = desk.open_ticket("我的訂單 #5566 還沒到，請幫我查詢。", "zh@example.com")
    page = new_page(browsers)
    sign_in(page, url, "agent-l3")
    page.select_option("#language-switch", "zh-TW")
    page.wait_for_selector("text=登出")
    for path in ("/queue", f"/tickets/{ticket['id']}", "/sop", "/approvals"):
        page.goto(url + path)
        text = page.evaluate(
            """() => { const c = document.body.cloneNode(true);
                c.querySelectorAll(
                    '[lang=en], script, style, .msg.customer, .document, [data-people]')
                    .forEach(e => e.remove());
                return c.innerText; }"""
        )
        english = english_words(text, allowed=ALLOWED)
        assert not english, (path, english[:20])
        accessible(page)


# Names, not English prose: the product, key names, test users named after their role (and
# the lists of people to assign to, [data-people]). The
# SOP document itself (.document) is the policy's own text, in whatever the policy wrote.
ALLOWED = {"tierdesk", "LINE", "Enter", "agent", "LAST", "HEARD", "example"}


def test_a_lead_assigns_the_chosen_rows_and_the_poll_keeps_them_chosen(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    ids = [
        desk.open_ticket(f"Where is my order #{700 + i}? Still nothing.", f"bulk{i}@example.com")[
            "id"
        ]
        for i in range(2)
    ]
    page = new_page(browsers)
    sign_in(page, url, "team-lead")
    page.goto(f"{url}/queue?view=team")
    for ticket_id in ids:
        page.check(f"input[name=ticket][value='{ticket_id}']")
    page.wait_for_timeout(5000)  # past a poll (every 4 s): the ticks are still there
    assert all(page.is_checked(f"input[name=ticket][value='{t}']") for t in ids)
    page.select_option("#b-action", "assign")
    page.select_option("#b-assignee", desk.user["agent_l1"])
    page.click("#bulk button[type=submit]")
    page.wait_for_selector("[data-bulk-changed='2']")
    assert page.locator("#bulk-result [role=status]").inner_text().startswith("2 changed")
    shots = os.environ.get("TIERDESK_SHOTS")  # a folder: keep a screenshot to look at
    if shots:
        page.screenshot(path=os.path.join(shots, "console-bulk.png"), full_page=True)
    for ticket_id in ids:
        view = desk.client.get(f"/api/tickets/{ticket_id}", headers=desk.auth("team_lead"))
        assert view.json()["ticket"]["assignee_id"] == desk.user["agent_l1"]
    accessible(page)
    assert page.errors == []


def test_an_agent_walks_the_queue_ticket_by_ticket_with_the_keyboard(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    for i in range(3):
        desk.open_ticket(
            f"Where is my walkabout order #{800 + i}? It is late.", f"walk{i}@example.com"
        )
    page = new_page(browsers)
    sign_in(page, url, "team-lead")
    page.goto(f"{url}/queue?view=team&q=walkabout")  # these three only
    listed = [
        page.locator("#queue-list tbody tr").nth(i).get_attribute("data-href") for i in range(3)
    ]
    page.click(f"a[href='{listed[0]}']")
    page.wait_for_url(f"**{listed[0]}")
    nav = page.locator("[data-queue-nav]")
    assert nav.is_visible() and "1 of 3" in nav.inner_text()
    assert page.locator("[data-queue-prev]").is_hidden()
    page.keyboard.press("j")
    page.wait_for_url(f"**{listed[1]}")
    assert "2 of 3" in page.locator("[data-queue-nav]").inner_text()
    page.keyboard.press("j")
    page.wait_for_url(f"**{listed[2]}")
    assert page.locator("[data-queue-next]").is_hidden()
    page.keyboard.press("k")
    page.wait_for_url(f"**{listed[1]}")
    accessible(page)
    page.keyboard.press("u")
    page.wait_for_url("**/queue?view=team&q=walkabout")
    assert page.errors == []


def test_a_manager_reads_the_dashboard_and_narrows_it(live: tuple[WebDesk, str, Any]) -> None:
    desk, url, browsers = live
    desk.open_ticket("My card was charged twice, please refund", "dash@example.com")
    desk.clock.advance(timedelta(minutes=5))
    page = new_page(browsers)
    sign_in(page, url, "manager")
    page.click("nav >> text=Dashboard")
    page.wait_for_url(re.compile(r".*/dashboard$"))
    volume = page.locator('tr[data-metric="volume"]')
    everything = float(volume.get_attribute("data-value") or "nan")
    assert everything >= 1
    assert page.locator("figure.chart svg").count() >= 4  # drawn on the server
    accessible(page)
    page.select_option("#d-tier", "L2")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*tier=L2.*"))
    narrowed = float(page.locator('tr[data-metric="volume"]').get_attribute("data-value") or "nan")
    assert 1 <= narrowed < everything or narrowed == everything == 1
    assert page.locator("#d-tier").input_value() == "L2"
    assert page.errors == []
