"""The public customer pages in a real browser (Playwright + Debian's Chromium): a customer
fills the contact form, answers a survey in zh-TW, and chats from another site through the
widget's one script tag while an agent's reply appears. Each page is checked with axe-core
and for script errors or CSP refusals. Screenshots go to $TIERDESK_SCREENSHOTS when set (the
ones in docs/img were taken so), else to the test's temporary directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, chromium, require_browser, served
from english import english_words
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import conversation, lifecycle, tickets
from tierdesk.services.customers import Contact

pytestmark = [pytest.mark.browser, pytest.mark.slow]

Live = tuple[WebDesk, str, str, Any]


def shop(app_url: dict[str, str]) -> FastAPI:
    """Another site (another origin) that embeds the chat with one script tag."""
    site = FastAPI()

    @site.get("/", response_class=HTMLResponse)
    def home() -> str:
        return (
            '<!doctype html><html lang="zh-TW"><head><meta charset="utf-8">'
            "<title>Example Shop</title></head><body><h1>Example Shop</h1>"
            "<p>Spring sale: everything 20% off.</p>"
            f'<script src="{app_url["url"]}/static/public/chat.js" defer data-lang="en"></script>'
            "</body></html>"
        )

    return site


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[Live]:
    require_browser()
    app_url: dict[str, str] = {}
    with (
        served(shop(app_url)) as shop_url,
        web_desk(rules, chat_frame_ancestors=shop_url) as desk,
        served(desk.app) as url,
    ):
        app_url["url"] = url
        with chromium() as browsers:
            yield desk, url, shop_url, browsers


def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("TIERDESK_SCREENSHOTS") or tmp_path)


def new_page(browsers: Any, **options: Any) -> Any:
    page = browsers.context(viewport={"width": 900, "height": 860}, **options).new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda m: (
            page.errors.append(f"console: {m.text}")
            if m.type == "error" and ("Refused to" in m.text or "Uncaught" in m.text)
            else None
        ),
    )
    return page


def test_a_customer_fills_the_contact_form_and_gets_a_reference(live: Live, tmp_path: Path) -> None:
    desk, url, _, browsers = live
    page = new_page(browsers)
    page.goto(f"{url}/contact")
    assert axe_violations(page) == []
    page.click("button[type=submit]")  # empty: errors on the fields
    assert page.locator("#email-error").is_visible() and page.locator("#message-error").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{url}/contact")
    page.fill("#name", "Mei Lin")
    page.fill("#email", "mei.lin@example.com")
    page.fill("#subject", "Parcel not arrived")
    page.fill("#message", "My order #12345 was due on Monday and has not arrived.")
    page.screenshot(path=str(shots(tmp_path) / "public-contact.png"), full_page=True)
    page.click("button[type=submit]")
    reference = page.locator("#reference").inner_text()
    assert reference.startswith("T-")  # the short reference the receipt quotes
    [ticket] = [t for t in desk.store.tables.tickets.values() if t.id[2:12] == reference[2:]]
    assert (ticket.channel, ticket.subject) == ("web", "Parcel not arrived")
    assert axe_violations(page) == []
    assert page.errors == []


def test_a_customer_answers_the_survey_in_zh_tw(live: Live, tmp_path: Path) -> None:
    desk, url, _, browsers = live
    opened = tickets.open_ticket(
        desk.env,
        channel="email",
        text="我的訂單 #12345 還沒有到，請幫我查一下。",
        contact=Contact("email", "chen@example.com", "陳小姐"),
        language="zh-TW",
    )
    l1 = desk.user["agent_l1"]
    lifecycle.resolve(desk.env, ticket_id=opened.ticket.id, actor_id=l1, summary="已補寄")
    lifecycle.close(desk.env, ticket_id=opened.ticket.id, actor_id=l1)
    [survey] = [s for s in desk.store.tables.surveys.values() if s.ticket_id == opened.ticket.id]
    page = new_page(browsers)
    page.goto(f"{url}/survey/{survey.token}")
    assert page.locator("html").get_attribute("lang") == "zh-TW"
    main = page.locator("main").inner_text()
    assert desk.env.rules.survey.csat_question.get("zh-TW") in main
    # no English on the page but the scores and the reference
    assert not english_words(main, shortest=3), main
    assert axe_violations(page) == []
    page.locator("label.score", has_text="4").first.click()
    page.locator("fieldset").nth(1).locator("label.score", has_text="9").click()
    page.fill("#comment", "補寄很快，謝謝！")
    page.screenshot(path=str(shots(tmp_path) / "public-survey-zh-TW.png"), full_page=True)
    page.click("button[type=submit]")
    assert "感謝您的回答" in page.locator("h1").inner_text()
    answered = desk.store.tables.surveys[survey.id]
    assert (answered.csat, answered.nps, answered.comment) == (4, 9, "補寄很快，謝謝！")
    page.goto(f"{url}/survey/{survey.token}")
    assert "已經回答過" in page.locator("h1").inner_text()
    assert page.errors == []


def test_a_customer_chats_from_another_site_and_sees_the_agents_reply(
    live: Live, tmp_path: Path
) -> None:
    desk, _, shop_url, browsers = live
    page = new_page(browsers)
    page.goto(shop_url)
    page.get_by_role("button", name="Chat with us").click()
    frame = page.frame_locator("iframe[data-tierdesk-chat-frame]")
    frame.locator("#email").fill("wang@example.com")
    frame.locator("#name").fill("Wang")
    frame.locator("#message").fill("Do you ship to Kaohsiung?")
    frame.locator("button[type=submit]").click()
    frame.locator("#chat-log").get_by_text("Do you ship to Kaohsiung?").wait_for()
    [ticket] = [t for t in desk.store.tables.tickets.values() if t.channel == "chat"]
    frame.locator("#chat-body").fill("And how long does it take?")
    frame.locator("#chat-body").press("Enter")
    frame.locator("#chat-log").get_by_text("And how long does it take?").wait_for()
    conversation.reply(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["agent_l1"],
        body="Hi Wang, yes: we ship island-wide, 1-2 working days to Kaohsiung.",
    )
    frame.locator("#chat-log").get_by_text("1-2 working days").wait_for(timeout=10_000)
    bodies = [m.body for m in desk.store.tables.messages.values() if m.ticket_id == ticket.id]
    assert bodies.count("And how long does it take?") == 1
    assert len([t for t in desk.store.tables.tickets.values() if t.channel == "chat"]) == 1
    page.screenshot(path=str(shots(tmp_path) / "public-chat.png"))
    chat_page = page.frames[1]
    assert "/chat/" in chat_page.url
    assert axe_violations(chat_page) == []
    assert page.errors == []
