"""The console's SOP page (issue 11, R-DOC-3): the document in force and its history, a
version's checker findings and what it changes, proposals by edit and by upload, approvals by a
named approver (and only by one), and agents held to acknowledge each new version, in English
and Traditional Chinese. The rules are the services' (`services.policies`): these tests prove
the pages show and send what the services decide and that the server refuses what a page
hides."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from console_client import Agent, signed_in
from english import english_words
from web_desk import WebDesk

from tierdesk.policy.loader import preset_path
from tierdesk.services import policies
from tierdesk.services.records import PolicyVersionRecord

SOURCE = preset_path("cs-sop").read_text(encoding="utf-8")
P2 = "  P2:\n    name: {en: High, zh-TW: 高}\n    clock: business\n    first_response: 1h\n"
FASTER = SOURCE.replace(P2, P2.replace("first_response: 1h", "first_response: 30m"))
VIP = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"
NO_AHT_TARGET = SOURCE.replace('  - {id: avg_response_time, target: "< 2h"}\n', "")


def _in_force(desk: WebDesk, source: str = SOURCE, title: str = "cs-sop") -> PolicyVersionRecord:
    draft = policies.propose_version(
        desk.env, title=title, source=source, actor_id=desk.user["supervisor"]
    )
    return policies.approve_version(desk.env, version_id=draft.id, actor_id=desk.user["manager"])


def _propose(agent: Agent, **form: str) -> httpx.Response:
    return agent.post("/sop/propose", {"change_note": "", **form})


def _upload(agent: Agent, content: bytes, **form: str) -> httpx.Response:
    """A multipart proposal, as htmx sends the form with a chosen file."""
    return agent.client.post(
        "/sop/propose",
        data={"source": "", "change_note": "", **form},
        files={"policy_file": ("policy.yaml", content, "application/yaml")},
        headers={"X-CSRF-Token": agent.csrf, "HX-Request": "true"},
    )


def _landed(r: httpx.Response) -> str:
    """The version id of a proposal that was stored (the page goes to its version page)."""
    assert r.status_code == 204, r.text
    found = re.fullmatch(r"/sop/versions/(pv_\w+)", r.headers["HX-Redirect"])
    assert found, r.headers["HX-Redirect"]
    return found.group(1)


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, name
    return unescape(found.group(1))


def _rows(html: str, table: str) -> list[str]:
    body = re.search(rf'<table class="list {table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, table
    return re.findall(r"<tr.*?</tr>", body.group(1), re.S)


@pytest.mark.rule("R-DOC-3")
def test_the_history_lists_every_version_with_its_author_approver_and_notes(
    desk: WebDesk,
) -> None:
    first = _in_force(desk)
    second = policies.propose_version(
        desk.env, title="faster P2", source=FASTER, actor_id=desk.user["supervisor"],
        change_note="P2 first response in 30 minutes",
    )  # fmt: skip
    policies.reject_version(
        desk.env, version_id=second.id, actor_id=desk.user["manager"], note="not this quarter"
    )
    third = policies.propose_version(
        desk.env, title="VIP lane", source=VIP + SOURCE, actor_id=desk.user["manager"]
    )
    html = signed_in(desk, "agent_l1").get("/sop").text
    rows = _rows(html, "sop-history")
    assert [re.search(r'data-version="(\d+)"', r).group(1) for r in rows] == ["3", "2", "1"]  # type: ignore[union-attr]
    newest, rejected, in_force = rows
    assert 'data-status="draft"' in newest and ">proposed<" in newest
    assert f'href="/sop/versions/{third.id}"' in newest and ">manager<" in newest
    assert 'data-status="rejected"' in rejected and ">rejected<" in rejected
    assert "P2 first response in 30 minutes" in rejected and "not this quarter" in rejected
    assert ">supervisor<" in rejected and ">manager<" in rejected  # author, then who decided
    assert 'data-status="effective"' in in_force and ">in force<" in in_force
    assert f'href="/sop/versions/{first.id}"' in in_force
    assert "<table>" in html  # the document in force, rendered below
    # Only authors are offered to propose.
    assert 'href="/sop/propose"' not in html
    assert 'href="/sop/propose"' in signed_in(desk, "supervisor").get("/sop").text


@pytest.mark.rule("R-DOC-3")
def test_an_author_proposes_by_editing_the_text_in_force_and_lands_on_its_version(
    desk: WebDesk,
) -> None:
    manager = signed_in(desk, "manager")
    # No version stored yet: the edit starts from the configured policy file.
    assert _textarea(manager.get("/sop/propose").text, "source") == SOURCE
    first = _in_force(desk, title="cs-sop v1")
    form = manager.get("/sop/propose").text
    assert _textarea(form, "source") == first.source and 'value="cs-sop v1"' in form
    r = _propose(manager, title="faster P2", source=FASTER, change_note="30 minutes for P2")
    version_id = _landed(r)
    stored = policies.get_version(desk.env, version_id)
    assert (stored.status, stored.source, stored.created_by) == (
        "draft", FASTER, desk.user["manager"],
    )  # fmt: skip
    assert stored.change_note == "30 minutes for P2"
    page = manager.get(f"/sop/versions/{version_id}").text
    assert "What it changes against version 1, in force" in page
    [change] = _rows(page, "changes")
    assert 'data-path="priorities.P2.first_response"' in change and 'data-kind="changed"' in change
    assert "Priorities and SLA targets" in change
    assert '<code class="value old" translate="no">1h</code>' in change
    assert '<code class="value new" translate="no">30m</code>' in change
    assert "The checker found nothing to report." in page
    # A plain form post (no htmx) is sent on with a 303 to the same page.
    plain = manager.client.post(
        "/sop/propose", data={"title": "again", "source": FASTER},
        headers={"X-CSRF-Token": manager.csrf}, follow_redirects=False,
    )  # fmt: skip
    assert plain.status_code == 303 and plain.headers["location"].startswith("/sop/versions/pv_")


@pytest.mark.rule("R-DOC-3")
def test_an_author_proposes_by_uploading_a_policy_file(desk: WebDesk) -> None:
    _in_force(desk)
    supervisor = signed_in(desk, "supervisor")
    # The chosen file is proposed, not the text in the box.
    r = _upload(supervisor, FASTER.encode("utf-8"), title="uploaded", source="ignored")
    stored = policies.get_version(desk.env, _landed(r))
    assert stored.source == FASTER and stored.title == "uploaded"
    assert stored.created_by == desk.user["supervisor"]
    # A byte order mark is not part of the policy.
    r = _upload(supervisor, b"\xef\xbb\xbf" + FASTER.encode("utf-8"), title="with BOM")
    assert policies.get_version(desk.env, _landed(r)).source == FASTER


@pytest.mark.rule("R-DOC-3")
def test_a_malformed_policy_shows_the_loaders_error_keeps_the_text_and_stores_nothing(
    desk: WebDesk,
) -> None:
    manager = signed_in(desk, "manager")
    before = policies.history(desk.env)
    broken = SOURCE.replace("tiers:\n", "tiers: [oops\n", 1)
    line = SOURCE[: SOURCE.index("tiers:\n")].count("\n") + 1
    r = _propose(manager, title="broken", source=broken, change_note="my note")
    assert r.status_code == 422
    assert "The policy does not load or check, so nothing was stored." in r.text
    [problem] = re.findall(r'<ul class="problems">(.*?)</ul>', r.text, re.S)
    assert "malformed YAML" in problem and re.search(rf"line {line}\b|line {line + 1}\b", problem)
    assert _textarea(r.text, "source") == broken and _textarea(r.text, "change_note") == "my note"
    assert 'value="broken"' in r.text
    # Valid YAML the schema refuses: the key is named.
    wrong = SOURCE.replace(P2, P2.replace("first_response: 1h", "first_response: soon"))
    r = _propose(manager, title="wrong", source=wrong)
    assert r.status_code == 422
    assert '<code translate="no">priorities.P2.first_response</code>' in r.text
    p2_line = SOURCE[: SOURCE.index(P2)].count("\n") + 4
    assert f"line {p2_line}, column" in r.text
    # A checker error (a category's tier that does not exist) and a file that is not text.
    unknown_tier = SOURCE.replace("    tier: L1\n", "    tier: L9\n", 1)
    r = _propose(manager, title="tier", source=unknown_tier)
    assert r.status_code == 422 and "tier L9 is not defined in tiers" in r.text
    r = _upload(manager, b"\xff\xfe\x00binary", title="binary")
    assert r.status_code == 422 and "the file is not UTF-8 text" in r.text
    r = _propose(manager, title="  ", source=SOURCE)
    assert r.status_code == 422 and "Give the version a title." in r.text
    assert policies.history(desk.env) == before == []


@pytest.mark.rule("R-DOC-3")
@pytest.mark.rule("R-TIER-2")
def test_the_version_page_shows_the_checker_findings_and_the_semantic_diff(
    desk: WebDesk,
) -> None:
    _in_force(desk)
    manager = signed_in(desk, "manager")
    vip = _landed(_propose(manager, title="VIP lane", source=VIP + SOURCE))
    page = signed_in(desk, "agent_l1").get(f"/sop/versions/{vip}").text
    [finding] = _rows(page, "findings")
    assert 'data-severity="warning"' in finding and ">warning<" in finding
    assert '<code translate="no">R-TIER-2</code>' in finding  # the rule it cites
    assert "line 3, column 12" in finding  # where customer.vip is written
    assert '<code translate="no">routing.0.when.customer.vip</code>' in finding
    assert "customer" in finding and 'lang="en"' in finding  # the checker's words
    [added] = _rows(page, "changes")
    assert 'data-path="routing[vip_fast_lane]"' in added and 'data-kind="added"' in added
    assert ">Routing<" in added and "vip_fast_lane" in added
    # A removed metric target: what it changes and the warning that comes with it.
    aht = _landed(_propose(manager, title="no AHT target", source=NO_AHT_TARGET))
    page = manager.get(f"/sop/versions/{aht}").text
    [finding] = _rows(page, "findings")
    assert "R-MET-1" in finding and "avg_response_time" in finding
    [removed] = _rows(page, "changes")
    assert 'data-path="metrics[avg_response_time]"' in removed and ">removed<" in removed
    assert ">Metrics<" in removed and "&lt; 2h" in removed
    # The version in force compared with itself; an unknown id is a 404 page.
    effective = next(v for v in policies.history(desk.env) if v.status == "effective")
    assert "This is the version in force." in manager.get(f"/sop/versions/{effective.id}").text
    missing = manager.get("/sop/versions/pv_nope")
    assert missing.status_code == 404 and 'data-code="not_found"' in missing.text


@pytest.mark.rule("R-DOC-3")
def test_before_any_version_is_in_force_there_is_nothing_to_compare(desk: WebDesk) -> None:
    manager = signed_in(desk, "manager")
    first = _landed(_propose(manager, title="first", source=SOURCE))
    page = manager.get(f"/sop/versions/{first}").text
    assert "No version is in force yet, so there is nothing to compare with." in page
    assert "You proposed this version: another approver decides on it." in page
    assert "/approve" not in page  # the author does not decide on their own version


@pytest.mark.rule("R-DOC-3")
def test_an_approver_puts_a_version_in_force_and_agents_acknowledge_it_again(
    desk: WebDesk,
) -> None:
    first = _in_force(desk)
    agent = signed_in(desk, "agent_l1")
    ticket = desk.open_ticket()
    assert agent.post(f"/sop/{first.id}/acknowledge").status_code == 200
    assert 'data-notice="assigned"' in agent.post(f"/tickets/{ticket['id']}/assign").text
    supervisor, manager = signed_in(desk, "supervisor"), signed_in(desk, "manager")
    second = _landed(_propose(supervisor, title="faster P2", source=FASTER))
    third = _landed(_propose(supervisor, title="VIP lane", source=VIP + SOURCE))
    before = manager.get(f"/sop/versions/{third}").text
    assert "against version 1, in force" in before
    assert re.findall(r'data-path="([^"]+)"', before) == ["routing[vip_fast_lane]"]
    page = manager.get(f"/sop/versions/{second}").text
    assert f'hx-post="/sop/versions/{second}/approve"' in page
    assert f'hx-post="/sop/versions/{second}/reject"' in page
    r = manager.post(f"/sop/versions/{second}/approve", {"note": "reviewed with the team"})
    assert r.status_code == 200 and 'data-notice="approved"' in r.text
    assert "This is the version in force." in r.text and "/approve" not in r.text
    assert desk.app.state.web.policy.version_id == second  # this server runs it at once
    statuses = {v.id: v.status for v in policies.history(desk.env)}
    assert statuses == {first.id: "superseded", second: "effective", third: "draft"}
    # A draft is compared with the version in force now, not the one of the last view.
    after = manager.get(f"/sop/versions/{third}").text
    assert "against version 2, in force" in after
    assert re.findall(r'data-path="([^"]+)"', after) == [
        "priorities.P2.first_response", "routing[vip_fast_lane]",
    ]  # fmt: skip
    history = agent.get("/sop").text
    assert "reviewed with the team" in history and "Version 2, in force since" in history
    assert "You take no tickets until you have read and acknowledged this version." in history
    # The agent acknowledged version 1, not version 2: no ticket until they do.
    other = desk.open_ticket("My parcel never came", "lin@example.com")
    r = agent.post(f"/tickets/{other['id']}/assign")
    assert r.status_code == 422 and 'data-code="policy_not_acknowledged"' in r.text
    # Acknowledging the superseded version does not count.
    r = agent.post(f"/sop/{first.id}/acknowledge")
    assert r.status_code == 409 and 'data-code="invalid_transition"' in r.text
    r = agent.post(f"/sop/{second}/acknowledge")
    assert "You acknowledged this version" in r.text
    assert 'data-notice="assigned"' in agent.post(f"/tickets/{other['id']}/assign").text
    # A decided version cannot be decided again.
    again = manager.post(f"/sop/versions/{second}/approve")
    assert again.status_code == 409 and 'data-code="invalid_transition"' in again.text


@pytest.mark.rule("R-DOC-3")
def test_a_rejection_needs_a_reason_and_keeps_the_version_in_force(desk: WebDesk) -> None:
    first = _in_force(desk)
    draft = _landed(_propose(signed_in(desk, "supervisor"), title="v2", source=FASTER))
    manager = signed_in(desk, "manager")
    r = manager.post(f"/sop/versions/{draft}/reject", {"note": " "})
    assert r.status_code == 422 and policies.get_version(desk.env, draft).status == "draft"
    r = manager.post(f"/sop/versions/{draft}/reject", {"note": "P2 staffing is not there yet"})
    assert r.status_code == 200 and 'data-notice="rejected"' in r.text
    assert "P2 staffing is not there yet" in r.text
    assert policies.get_version(desk.env, draft).status == "rejected"
    assert policies.get_version(desk.env, first.id).status == "effective"


@pytest.mark.rule("R-DOC-3")
@pytest.mark.parametrize("role", ["agent_l1", "team_lead", "supervisor", "qa"])
def test_who_may_not_approve_sees_no_buttons_and_a_forged_decision_is_refused(
    desk: WebDesk, role: str
) -> None:
    _in_force(desk)
    draft = _landed(_propose(signed_in(desk, "manager"), title="v2", source=FASTER))
    viewer = signed_in(desk, role)
    page = viewer.get(f"/sop/versions/{draft}")
    assert page.status_code == 200 and "priorities.P2.first_response" in page.text
    assert "/approve" not in page.text and "/reject" not in page.text
    assert "This version waits for a named approver" in page.text
    for decision, note in (("approve", ""), ("reject", "forged")):
        r = viewer.post(f"/sop/versions/{draft}/{decision}", {"note": note})
        assert r.status_code == 403 and 'data-code="forbidden"' in r.text, decision
    assert policies.get_version(desk.env, draft).status == "draft"


@pytest.mark.rule("R-DOC-3")
def test_only_authors_may_propose_and_a_forged_proposal_stores_nothing(desk: WebDesk) -> None:
    for role in ("agent_l1", "team_lead", "qa"):
        agent = signed_in(desk, role)
        form = agent.get("/sop/propose")
        assert form.status_code == 403 and 'data-code="forbidden"' in form.text
        assert 'name="source"' not in form.text
        r = _propose(agent, title="forged", source=SOURCE)
        assert r.status_code == 403 and 'data-code="forbidden"' in r.text
        assert _upload(agent, SOURCE.encode(), title="forged").status_code == 403
    # Without the CSRF header (a cross-site form) nothing is read either.
    manager = signed_in(desk, "manager")
    r = manager.client.post("/sop/propose", data={"title": "csrf", "source": SOURCE})
    assert r.status_code == 403
    assert policies.history(desk.env) == []


# Names, not English prose: the product, the test users' display names (their role ids) and
# the format the upload takes.
_ALLOWED = {"tierdesk", "manager", "supervisor", "agent", "YAML"}


def _visible_text(html: str) -> str:
    """What a reader sees, less what is marked as English (lang="en": the checker's and the
    loader's words), the policy's own keys and values (code, the policy text) and the printed
    SOP (the policy's own wording, in the languages it was written in)."""
    html = re.sub(r"<(script|style|textarea|pre|code)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*\slang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r'<article class="card document">.*?</article>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&\w+;", " ", html)


def test_the_zh_tw_sop_pages_have_no_english(desk: WebDesk) -> None:
    _in_force(desk, title="客服標準作業程序")
    author = signed_in(desk, "supervisor")
    author.post("/language", {"language": "zh-TW"})
    draft = _landed(
        _propose(
            author, title="加快高優先回覆", source=VIP + FASTER, change_note="高優先改為三十分鐘"
        )
    )
    manager = signed_in(desk, "manager")
    manager.post("/language", {"language": "zh-TW"})
    broken = _propose(manager, title="壞掉的", source="tiers: [1")
    assert broken.status_code == 422
    pages = {
        "/sop": manager.get("/sop").text,
        "version": manager.get(f"/sop/versions/{draft}").text,
        "author's version": author.get(f"/sop/versions/{draft}").text,
        "/sop/propose": manager.get("/sop/propose").text,
        "refused proposal": broken.text,
    }
    assert "審核" in pages["version"] and "priorities.P2.first_response" in pages["version"]
    approved = manager.post(f"/sop/versions/{draft}/approve", {"note": "同意"})
    pages["approved"] = approved.text
    for name, html in pages.items():
        english = english_words(_visible_text(html), allowed=_ALLOWED)
        assert not english, (name, english[:20])
