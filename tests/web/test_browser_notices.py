"""The notifications panel in Chromium: the unread badge appears by htmx polling when a P1
ticket comes in, the panel lists it (urgent), folds nothing it should not, marks it read;
the page passes axe-core. Screenshots go to TIERDESK_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, chromium, require_browser, served
from web_desk import PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTAGE = "Your whole service is down, outage since this morning"
SHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS") or tempfile.mkdtemp(prefix="tierdesk-shots-"))


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[tuple[WebDesk, str, Any]]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        yield desk, url, browsers


def _sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(queue|approvals|sop)"))


def test_the_panel_shows_a_p1_notice_by_polling_and_marks_it_read(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    page = browsers.context(viewport={"width": 1280, "height": 800}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, url, "manager")
    page.goto(f"{url}/notices")
    page.wait_for_selector("text=No notifications.")
    assert page.locator("#notice-count .badge").count() == 0
    ticket = desk.open_ticket(OUTAGE)
    desk.open_ticket("I was charged twice for my order, payment failed", "kai@example.com")
    # the open panel refreshes itself every 10 s, the nav badge every 20 s
    page.wait_for_selector(
        f"li.notice.unread.urgent a[href='/tickets/{ticket['id']}']", timeout=15_000
    )
    page.wait_for_selector("#notice-count .badge[data-unread='1']", timeout=25_000)
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "console-notices.png"), full_page=True)
    page.click("li.notice.unread button")
    page.wait_for_selector("#notice-list[data-unread='0']")
    assert page.locator("li.notice.unread").count() == 0
    page.goto(f"{url}/notices/settings")
    page.check("#ch-email")
    page.fill("#ns-email", "fay@desk.example")
    page.fill("#ns-start", "22:00")
    page.fill("#ns-end", "07:00")
    page.click("#notice-settings button[type=submit]")
    page.wait_for_selector("text=Saved.")
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "console-notice-settings.png"), full_page=True)
    assert errors == []


def test_an_incident_page_in_chinese(live: tuple[WebDesk, str, Any]) -> None:
    desk, url, browsers = live
    page = browsers.context(viewport={"width": 1280, "height": 900}, locale="zh-TW").new_page()
    ticket = desk.open_ticket()
    _sign_in(page, url, "supervisor")
    page.select_option("#language-switch", "zh-TW")
    page.wait_for_selector("text=登出")
    page.goto(f"{url}/incidents")
    page.fill("#inc-title", "結帳頁面無法使用")
    page.fill("#inc-tickets", ticket["id"])
    page.click("#incidents button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/inc_"))
    page.wait_for_selector("li[data-entry='notified']")
    assert page.locator(f"li[data-linked='{ticket['id']}']").count() == 1
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "console-incident-zh-TW.png"), full_page=True)
    page.select_option("#language-switch", "en")
    page.wait_for_selector("text=Sign out")
