"""The SOP page's document control in a real browser (Playwright + Debian's Chromium): a manager
uploads a broken policy file and reads where it breaks, proposes an edit of the text in force,
reads its checker findings and what it changes; a second manager approves it; an agent who
had acknowledged the previous version is stopped from taking a ticket until they acknowledge
the new one (R-DOC-3). axe-core checks every page visited. The approver's view of the version
page goes to TIERDESK_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, require_browser, served
from test_browser_console import accessible, new_page, sign_in
from web_desk import HASHER, PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy.loader import preset_path
from tierdesk.services import policies, users

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS") or tempfile.mkdtemp(prefix="tierdesk-shots-"))
SOURCE = preset_path("cs-sop").read_text(encoding="utf-8")
P2 = "  P2:\n    name: {en: High, zh-TW: 高}\n    clock: business\n    first_response: 1h\n"
AHT = '  - {id: avg_response_time, target: "< 2h"}\n'


@pytest.fixture(scope="module")
def live(rules: Rulebook) -> Iterator[tuple[WebDesk, str, Any]]:
    require_browser()
    with web_desk(rules) as desk, served(desk.app) as url, chromium() as browsers:
        users.add_user(
            desk.env, username="manager-2", display_name="Wen (manager)", role="manager",
            actor_id=None, password_hash=HASHER.hash(PASSWORD),
        )  # fmt: skip
        yield desk, url, browsers


@pytest.mark.rule("R-DOC-3")
def test_a_manager_proposes_an_edit_another_approves_and_agents_acknowledge_it(
    live: tuple[WebDesk, str, Any],
) -> None:
    desk, url, browsers = live
    first = policies.propose_version(
        desk.env, title="cs-sop", source=SOURCE, actor_id=desk.user["supervisor"]
    )
    policies.approve_version(desk.env, version_id=first.id, actor_id=desk.user["manager"])
    policies.acknowledge(desk.env, version_id=first.id, actor_id=desk.user["agent_l1"])
    ticket = desk.open_ticket("Where is my order #778? It has not arrived yet.", "p@example.com")

    author = new_page(browsers)
    sign_in(author, url, "manager-2")
    author.goto(f"{url}/sop")
    author.click("text=Propose a new version")
    author.wait_for_url(re.compile(r".*/sop/propose$"))
    assert author.input_value("#propose-source") == SOURCE  # the text in force, to edit
    accessible(author)
    # A broken file: where it breaks is shown, nothing is stored, its text is kept to fix.
    broken = SOURCE.replace("tiers:\n", "tiers: [oops\n", 1)
    author.fill("#propose-title", "Faster P2")
    author.set_input_files(
        "#propose-file",
        files=[{"name": "policy.yaml", "mimeType": "application/yaml", "buffer": broken.encode()}],
    )
    author.click("text=Propose for approval")
    author.wait_for_selector("ul.problems li")
    assert "malformed YAML" in author.inner_text("ul.problems")
    assert author.input_value("#propose-source") == broken
    assert len(policies.history(desk.env)) == 1
    accessible(author)
    # The edit: P2's first response in 30 minutes, the average response time target dropped.
    edited = SOURCE.replace(P2, P2.replace("1h", "30m")).replace(AHT, "")
    author.fill("#propose-source", edited)
    author.fill("#propose-note", "P2 first response in 30 minutes; the SLA covers response time.")
    author.click("text=Propose for approval")
    author.wait_for_url(re.compile(r".*/sop/versions/pv_\w+$"))
    version_url = author.url
    changes = author.locator("table.changes tbody tr")
    assert [changes.nth(i).get_attribute("data-path") for i in range(changes.count())] == [
        "metrics[avg_response_time]",
        "priorities.P2.first_response",
    ]
    p2 = author.locator("tr[data-path='priorities.P2.first_response']")
    assert p2.locator("code.value.old").inner_text() == "1h"
    assert p2.locator("code.value.new").inner_text() == "30m"
    finding = author.locator("table.findings tbody tr")
    assert finding.count() == 1 and "R-MET-1" in finding.inner_text()
    assert author.locator("[data-waiting]").is_visible()  # the author does not decide
    assert author.locator("text=Approve and put in force").count() == 0
    accessible(author)

    approver = new_page(browsers)
    sign_in(approver, url, "manager")
    approver.goto(version_url)
    assert approver.locator("table.changes tbody tr").count() == 2
    accessible(approver)
    approver.screenshot(path=str(SHOTS / "console-sop-version.png"), full_page=True)
    approver.fill("#approve-note", "Staffing for P2 confirmed.")
    approver.click("text=Approve and put in force")
    approver.wait_for_selector("[data-notice=approved]")
    assert "This is the version in force." in approver.inner_text("#sop-version")
    accessible(approver)

    agent = new_page(browsers)
    sign_in(agent, url, "agent-l1")
    agent.goto(f"{url}/tickets/{ticket['id']}")
    agent.keyboard.press("a")  # assign to me: refused, version 2 is not acknowledged yet
    agent.wait_for_selector("[data-code=policy_not_acknowledged]")
    agent.goto(f"{url}/sop")
    assert "Version 2, in force since" in agent.inner_text("#sop")
    assert agent.locator("tr[data-version='1'][data-status='superseded']").count() == 1
    accessible(agent)
    agent.click("text=I have read it and acknowledge it")
    agent.wait_for_selector("text=You acknowledged this version")
    agent.goto(f"{url}/tickets/{ticket['id']}")
    agent.keyboard.press("a")
    agent.wait_for_selector("[data-notice=assigned]")
    assert author.errors == [] and approver.errors == [] and agent.errors == []
