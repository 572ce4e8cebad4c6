"""One authority (R-AUTH-1/2, R-DOC-1): what the printed SOP's authority table says a role may
grant, what `GET /api/tickets/{id}/authority` says it may still grant on the issue, what the
console's ticket page and approvals inbox show, and what the API enforces are the same numbers,
for every role on the ladder."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from console_client import signed_in
from web_desk import WebDesk

from tierdesk import policy, sop
from tierdesk.domain.rulebook import Rulebook

LADDER = ("agent_l1", "agent_l2", "team_lead", "supervisor", "manager")


def _sop_cells(rules: Rulebook) -> dict[tuple[str, str], str]:
    """(action, role) -> the printed cell of the SOP's authority table (rows in the policy's
    action order, columns in its ladder order)."""
    out = sop.render(policy.load(preset="cs-sop"), fmt="md", lang="en")
    assert isinstance(out, str)
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Recovery Action"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")][1:])
    actions = [a.action for a in rules.authority.actions]
    assert len(rows) == len(actions)
    return {
        (action, role): cell
        for action, row in zip(actions, rows, strict=True)
        for role, cell in zip(rules.authority.ladder, row, strict=True)
    }


def _printed(limit: Decimal | None, unlimited: bool, unit: str) -> str:
    if unlimited:
        return "Unlimited"
    if limit is None:
        return "No"
    if unit == "flag":
        return "Yes"
    if unit == "percent":
        return f"Up to {limit.normalize():f}%"
    return f"Up to NT${int(limit):,}"


def _verified_ticket(desk: WebDesk) -> str:
    ticket = desk.open_ticket()  # an order question: L1
    l1 = desk.auth("agent_l1")
    base = f"/api/tickets/{ticket['id']}"
    assert desk.client.post(f"{base}/identity-verification", json={}, headers=l1).status_code == 200
    r = desk.client.post(f"{base}/actions", json={"action": "refund", "amount": "300"}, headers=l1)
    assert r.status_code == 201, r.text
    return str(ticket["id"])


@pytest.mark.rule("R-AUTH-1")
@pytest.mark.rule("R-AUTH-2")
@pytest.mark.rule("R-DOC-1")
@pytest.mark.parametrize("role", LADDER)
def test_the_sop_the_api_the_console_and_enforcement_agree(
    desk: WebDesk, rules: Rulebook, role: str
) -> None:
    ticket = _verified_ticket(desk)
    shown = desk.client.get(f"/api/tickets/{ticket}/authority", headers=desk.auth(role))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["role"] == role and body["ticket_id"] == ticket
    actions = {a["action"]: a for a in body["actions"]}
    assert list(actions) == [a.action for a in rules.authority.actions]

    # The printed SOP's cell for the role is the API's limit.
    cells = _sop_cells(rules)
    for name, a in actions.items():
        limit = Decimal(a["limit"]) if a["limit"] is not None else None
        printed = cells[(name, role)]
        assert printed.lower() == _printed(limit, a["unlimited"], a["unit"]).lower(), name

    # Money: the running total and what is left.
    refund = actions["refund"]
    assert Decimal(refund["granted"]) == Decimal(300)
    row = rules.authority.action("refund")
    assert row is not None
    cap = row.limit(role)
    if refund["unlimited"]:
        assert refund["remaining"] is None and refund["may_grant_alone"]
    else:
        assert Decimal(refund["remaining"]) == max(cap - 300, Decimal(0))

    # The console's ticket page shows the same remaining amount.
    page = signed_in(desk, role).get(f"/tickets/{ticket}")
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'data-action="refund" data-remaining="([^"]+)"', page.text)
    assert found is not None, "the ticket page shows the refund row"
    if refund["unlimited"]:
        assert found.group(1) == "Infinity"
    else:
        assert Decimal(found.group(1)) == Decimal(refund["remaining"])

    # The API enforces exactly that: one cent more needs an approval, the remainder does not.
    h = desk.auth(role)
    if not refund["unlimited"] and Decimal(refund["remaining"]) > 0:
        over = Decimal(refund["remaining"]) + Decimal("0.01")
        r = desk.client.post(
            f"/api/tickets/{ticket}/actions",
            json={"action": "refund", "amount": str(over)},
            headers=h,
        )
        assert r.status_code == 422 and r.json()["code"] == "approval_required", r.text
        assert r.json()["data"]["required_role"] == refund["approver"]
        r = desk.client.post(
            f"/api/tickets/{ticket}/actions",
            json={"action": "refund", "amount": refund["remaining"]},
            headers=h,
        )
        assert r.status_code == 201, r.text
        again = desk.client.get(f"/api/tickets/{ticket}/authority", headers=h).json()
        left = next(a for a in again["actions"] if a["action"] == "refund")
        assert Decimal(left["remaining"]) == 0 and not left["may_grant_alone"]


@pytest.mark.rule("R-AUTH-2")
@pytest.mark.rule("R-ESC-3")
def test_the_inbox_lists_what_the_api_says_the_viewer_decides(desk: WebDesk) -> None:
    ticket = _verified_ticket(desk)
    asked = desk.client.post(
        f"/api/tickets/{ticket}/approvals",
        json={"action": "refund", "amount": "2500", "justification": "two parcels lost"},
        headers=desk.auth("agent_l1"),
    )
    assert asked.status_code == 201, asked.text
    approval = asked.json()["id"]
    for role in ("agent_l1", "agent_l2", "team_lead", "supervisor", "manager"):
        api = desk.client.get(f"/api/tickets/{ticket}/authority", headers=desk.auth(role)).json()
        assert [a["id"] for a in api["pending_approvals"]] == [approval]
        decides = approval in api["may_decide"]
        listed = desk.client.get("/api/approvals", headers=desk.auth(role)).json()
        assert (approval in [a["id"] for a in listed]) is decides, role
        page = signed_in(desk, role).get("/approvals")
        assert page.status_code == 200
        assert (f'data-approval="{approval}"' in page.text) is decides, role
        if decides:
            refund = next(a for a in api["actions"] if a["action"] == "refund")
            shown = re.search(r'data-authority="refund"[^>]*data-remaining="([^"]+)"', page.text)
            assert shown is not None
            if refund["unlimited"]:
                assert shown.group(1) == "Infinity"
            else:
                assert Decimal(shown.group(1)) == Decimal(refund["remaining"])
                assert Decimal(refund["remaining"]) >= Decimal(2500)
    # L1 (500 - 300 left) and nobody below L2's 3000 - 300 may decide 2500; L2 may.
    l2 = desk.client.get(f"/api/tickets/{ticket}/authority", headers=desk.auth("agent_l2"))
    assert approval in l2.json()["may_decide"]
    l1 = desk.client.get(f"/api/tickets/{ticket}/authority", headers=desk.auth("agent_l1"))
    assert l1.json()["may_decide"] == []
