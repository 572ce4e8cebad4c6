"""GET /api/mail/held and POST /api/mail/held/{id}/release|discard over the TestClient: roles
on the server (agents and leads, not QA), a release through the normal intake once, a
discard, 404 and 409."""

from __future__ import annotations

from pathlib import Path

from web_desk import web_desk

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services.email_intake import receive
from tierdesk.services.env import Env


def _flood(settings_dir: Path, env: Env, n: int) -> list[str]:
    settings = Settings(var_dir=settings_dir)
    outcomes = []
    for i in range(n):
        raw = (
            f"From: flood@example.com\r\nSubject: order {i}\r\nMessage-ID: <f-{i}@x>\r\n\r\n"
            f"Where is my order #{i}?\r\n"
        ).encode()
        mail = bootstrap.parse_mail(settings, "support", raw)
        outcomes.append(receive(env, mail, hold_per_minute=1).outcome)
    return outcomes


def test_agents_list_release_and_discard_held_mail_and_qa_may_not(
    rules: Rulebook, tmp_path: Path
) -> None:
    with web_desk(rules, var_dir=tmp_path) as desk:
        assert _flood(tmp_path, desk.env, 3) == ["ticket", "held", "held"]
        assert desk.client.get("/api/mail/held").status_code == 401
        assert desk.client.get("/api/mail/held", headers=desk.auth("qa")).status_code == 403
        listed = desk.client.get("/api/mail/held", headers=desk.auth("agent_l1"))
        assert listed.status_code == 200, listed.text
        rows = listed.json()
        assert [r["message_id"] for r in rows] == ["f-2@x", "f-1@x"]
        assert rows[0]["sender"] == "flood@example.com" and "a minute" in rows[0]["reason"]
        first, second = rows[1]["id"], rows[0]["id"]
        qa = desk.client.post(f"/api/mail/held/{first}/release", headers=desk.auth("qa"))
        assert qa.status_code == 403
        lead = desk.auth("team_lead")
        released = desk.client.post(f"/api/mail/held/{first}/release", headers=lead)
        assert released.status_code == 200, released.text
        body = released.json()
        assert body["outcome"] == "ticket" and body["ticket_id"] in desk.store.tables.tickets
        again = desk.client.post(f"/api/mail/held/{first}/release", headers=lead)
        assert again.status_code == 409
        gone = desk.client.post(f"/api/mail/held/{second}/discard", headers=desk.auth("agent_l2"))
        assert gone.status_code == 204
        assert desk.client.post(f"/api/mail/held/{second}/discard", headers=lead).status_code == 409
        unknown = desk.client.post("/api/mail/held/e_nope/discard", headers=lead)
        assert unknown.status_code == 404
        assert desk.client.get("/api/mail/held", headers=lead).json() == []
        assert len(desk.store.tables.tickets) == 2  # the first mail's and the released one
