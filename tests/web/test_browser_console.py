"""The console in a real browser (Playwright + Debian's Chromium): few tests, each a whole
scenario; the routes' details are covered by the TestClient tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser import axe_violations, chromium, require_browser, served
from web_desk import PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[tuple[WebDesk, str, Any]]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        yield desk, url, browsers


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/**")


def test_sign_in_switch_language_and_accessibility(live: tuple[WebDesk, str, Any]) -> None:
    _desk, url, browsers = live
    page = browsers.context().new_page()
    page.goto(f"{url}/login")
    assert axe_violations(page) == []
    sign_in(page, url, "agent-l1")
    assert page.locator("text=Sign out").is_visible()
    assert axe_violations(page) == []
    page.select_option("#language-switch", "zh-TW")
    page.wait_for_selector("text=登出")
    assert page.locator("html").get_attribute("lang") == "zh-TW"
