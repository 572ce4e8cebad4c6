"""The SOP's document control and the complaint steps in a real browser (Playwright + Debian's
Chromium): a manager proposes a policy version by editing its text, reviews its findings and
what it changes, and another manager approves it; an agent typing an apology on a complaint
sees "Apologize" ticked (R-DOC-3, R-TPL-2). axe-core checks every page visited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser import chromium, require_browser, served
from test_browser_console import accessible, new_page, sign_in
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[tuple[WebDesk, str, Any]]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        yield desk, url, browsers


@pytest.mark.rule("R-TPL-2")
def test_an_agent_typing_an_apology_sees_it_ticked(live: tuple[WebDesk, str, Any]) -> None:
    desk, url, browsers = live
    ticket = desk.open_ticket(
        "This is unacceptable, I want to complain about your rude staff.", "angry@example.com"
    )
    page = new_page(browsers)
    sign_in(page, url, "agent-l1")
    page.goto(f"{url}/tickets/{ticket['id']}")
    steps = page.locator("fieldset[data-framework=LAST]")
    apologize = steps.locator("label[data-step=Apologize] input")
    thank = steps.locator("label[data-step=Thank] input")
    assert not apologize.is_checked()
    page.locator("#reply-body").press_sequentially("Hi Mei, I am so sorry about this.", delay=5)
    page.wait_for_selector("label[data-step=Apologize].covered")
    assert apologize.is_checked() and not thank.is_checked()
    evidence = steps.locator("label[data-step=Apologize] q.evidence")
    assert evidence.inner_text() == "Hi Mei, I am so sorry about this."
    accessible(page)
    # The apology taken out again: the tick goes with it. A step ticked by hand stays.
    thank.check()
    page.fill("#reply-body", "Hi Mei.")
    page.wait_for_selector("label[data-step=Apologize]:not(.covered)")
    assert not apologize.is_checked() and thank.is_checked()
    assert page.errors == []
