"""The knowledge base in a real browser (Playwright + Debian's Chromium): a customer searches
the help centre in zh-TW (Chinese without spaces) and reads an article; an agent inserts a
suggested article into the reply on a ticket page. Screenshots go to TIERDESK_SCREENSHOTS."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, require_browser, served
from web_desk import PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import kb

pytestmark = [pytest.mark.browser, pytest.mark.slow]
Live = tuple[WebDesk, str, Any]
BODY = "我想申請退款流程：\n\n1. 登入帳戶\n2. 在訂單頁面按 **申請退款**\n3. 七天內完成退款"


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[Live]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        view = kb.create_article(
            desk.env,
            actor_id=desk.user["agent_l1"],
            category="returns_refunds",
            language="zh-TW",
            title="如何申請退款",
            body=BODY,
        )
        aid = view.article.id
        kb.submit(desk.env, article_id=aid, language="zh-TW", actor_id=desk.user["agent_l1"])
        kb.publish(desk.env, article_id=aid, language="zh-TW", actor_id=desk.user["team_lead"])
        yield desk, url, browsers


def _page(browsers: Any) -> Any:
    page = browsers.context(viewport={"width": 900, "height": 860}).new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda m: page.errors.append(m.text) if "Refused to" in m.text else None)
    return page


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("TIERDESK_SCREENSHOTS") or tmp_path)


def test_a_customer_searches_the_help_centre_in_zh_tw(live: Live, tmp_path: Path) -> None:
    _, url, browsers = live
    page = _page(browsers)
    page.goto(f"{url}/help/zh-TW")
    page.fill("#q", "退款")
    page.click(".help-search button[type=submit]")
    page.wait_for_url(re.compile(r".*/help/zh-TW/search\?q="))
    page.click("text=如何申請退款")
    page.wait_for_selector(".help-body strong")
    assert page.inner_text(".help-body strong") == "申請退款"
    page.click("button[value=yes]")
    page.wait_for_selector("#vote [role=status]")
    assert "謝謝" in page.inner_text("#vote")
    page.screenshot(path=str(_shots(tmp_path) / "help-article-zh-TW.png"), full_page=True)
    assert page.errors == []


def test_an_agent_inserts_a_suggested_article_into_the_reply(live: Live, tmp_path: Path) -> None:
    desk, url, browsers = live
    ticket = desk.open_ticket("我想申請退款，東西壞了", email="lin@example.com")
    page = _page(browsers)
    page.goto(f"{url}/login")
    page.fill("#username", "agent-l1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(queue|approvals|sop)"))
    page.goto(f"{url}/tickets/{ticket['id']}")
    page.wait_for_selector("[data-kb-insert=link]")
    assert page.is_visible("#reply-body")  # the panel loads beside the reply box, not over it
    page.click("[data-kb-insert=link]")
    assert "/help/zh-TW/articles/" in page.input_value("#reply-body")
    page.click("[data-kb-insert=text]")
    assert "我想申請退款流程" in page.input_value("#reply-body")
    page.screenshot(path=str(_shots(tmp_path) / "console-kb-suggestions.png"), full_page=True)
    page.wait_for_timeout(300)  # the use is recorded by a fetch after the click
    used = [e for e in desk.store.tables.kb_events.values() if e.kind == "used"]
    assert {e.query for e in used} == {"link", "text"}
    assert page.errors == []
