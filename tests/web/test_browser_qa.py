"""The QA review page in Chromium: a QA specialist opens the lowest-scored conversation from
/qa, overrides one item with a comment (htmx re-renders the review in place), and it leaves the
queue; the pages pass axe-core. Screenshots go to TIERDESK_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, chromium, require_browser, served
from qa_desk import GOOD_EN, KETTLE, worked
from web_desk import PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS") or tempfile.mkdtemp(prefix="tierdesk-shots-"))


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[tuple[WebDesk, str, Any]]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        yield desk, url, browsers


def test_a_qa_specialist_overrides_an_item_with_a_comment(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    good = worked(desk, KETTLE, GOOD_EN, agent="agent_l2", email="a@example.com")
    bad = worked(desk, KETTLE, "ok.", agent="agent_l2", email="b@example.com")
    page = browsers.context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/login")
    page.fill("#username", "qa")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/qa$"))  # the QA role's home
    rows = page.locator("tr[data-review]")
    assert [rows.nth(i).get_attribute("data-review") for i in range(rows.count())] == [bad, good]
    assert axe_violations(page) == []
    page.click(f"tr[data-review='{bad}'] a")
    page.wait_for_selector("tr[data-item='active_listening'][data-passed='none']")
    form = page.locator("form[data-override-form='active_listening']")
    form.locator("select").select_option("pass")
    form.locator("input[name=comment]").fill("Read the order number back on the call.")
    form.locator("button").click()
    page.wait_for_selector("tr[data-item='active_listening'][data-passed='true']")
    assert "Read the order number back on the call." in page.inner_text(
        "[data-override='active_listening']"
    )
    assert page.get_attribute("#qa-score", "data-score") == str(round(3 / 7, 9))
    assert page.locator("#qa-reviewed").count() == 1
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "console-qa-review.png"), full_page=True)
    page.goto(f"{url}/qa")
    assert page.locator(f"tr[data-review='{bad}']").count() == 0
    page.goto(f"{url}/qa/scorecards")
    page.wait_for_selector("tr[data-agent='everyone']")
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "console-qa-scorecards.png"), full_page=True)
    assert errors == []
