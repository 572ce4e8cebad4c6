"""Sign-in, sessions with CSRF protection, bearer tokens, and role refusals from the server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from web_desk import PASSWORD, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook


def _login(desk: WebDesk, username: str = "agent-l1", password: str = PASSWORD) -> str:
    r = desk.client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    csrf: str = r.json()["csrf_token"]
    return csrf


def test_every_api_endpoint_but_the_public_ones_needs_credentials(desk: WebDesk) -> None:
    public = {"/healthz", "/api/intake", "/api/surveys/{token}", "/api/auth/login"}
    schema = desk.client.get("/openapi.json").json()
    checked = 0
    for path, ops in schema["paths"].items():
        if path in public:
            continue
        url = path.replace("{", "").replace("}", "")
        for method in ops:
            r = desk.client.request(method.upper(), url, json={})
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["code"] == "unauthenticated"
            assert r.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked > 20


def test_health_and_openapi_are_public(desk: WebDesk) -> None:
    assert desk.client.get("/healthz").json() == {"status": "ok"}
    assert "/api/tickets" in desk.client.get("/openapi.json").json()["paths"]


def test_login_sets_an_httponly_samesite_session_cookie(desk: WebDesk) -> None:
    r = desk.client.post("/api/auth/login", json={"username": "agent-l1", "password": PASSWORD})
    assert r.status_code == 200
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("tierdesk_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    assert r.json()["user"]["role"] == "agent_l1"
    assert "password" not in r.text
    assert desk.client.get("/api/auth/me").json()["username"] == "agent-l1"


def test_a_wrong_password_or_unknown_user_is_refused_alike(desk: WebDesk) -> None:
    wrong = desk.client.post("/api/auth/login", json={"username": "agent-l1", "password": "x"})
    nobody = desk.client.post("/api/auth/login", json={"username": "ghost", "password": "x"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["detail"] == nobody.json()["detail"]
    assert "tierdesk_session" not in desk.client.cookies


def test_a_cookie_write_without_the_csrf_header_is_refused(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    csrf = _login(desk)
    url = f"/api/tickets/{ticket['id']}/notes"
    refused = desk.client.post(url, json={"body": "checked the carrier"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    forged = desk.client.post(url, json={"body": "x"}, headers={"X-CSRF-Token": "guess"})
    assert forged.status_code == 403
    assert (
        desk.client.get(f"/api/tickets/{ticket['id']}").json()["ticket"]["version"]
        == (ticket["version"])
    )
    ok = desk.client.post(url, json={"body": "checked"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text


def test_a_bearer_token_needs_no_csrf_header(desk: WebDesk) -> None:
    ticket = desk.open_ticket()
    r = desk.client.post(
        f"/api/tickets/{ticket['id']}/notes", json={"body": "x"}, headers=desk.auth("agent_l2")
    )
    assert r.status_code == 200, r.text


def test_a_tampered_or_foreign_token_is_refused(desk: WebDesk) -> None:
    token = desk.auth("admin")["Authorization"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    r = desk.client.get("/api/users", headers={"Authorization": tampered})
    assert r.status_code == 401
    # A session cookie value is signed for another purpose: it is no token.
    _login(desk, "admin")
    session = desk.client.cookies["tierdesk_session"]
    desk.client.cookies.clear()
    r = desk.client.get("/api/users", headers={"Authorization": f"Bearer tdk_{session}"})
    assert r.status_code == 401


def test_a_deactivated_users_token_stops_working(desk: WebDesk) -> None:
    headers = desk.auth("agent_l1")
    assert desk.client.get("/api/tickets", headers=headers).status_code == 200
    r = desk.client.patch(
        f"/api/users/{desk.user['agent_l1']}", json={"active": False}, headers=desk.auth("admin")
    )
    assert r.status_code == 200, r.text
    assert desk.client.get("/api/tickets", headers=headers).status_code == 401


def test_a_session_expires(desk: WebDesk) -> None:
    _login(desk)
    assert desk.client.get("/api/auth/me").status_code == 200
    desk.clock.advance(timedelta(hours=9))
    assert desk.client.get("/api/auth/me").status_code == 401


def test_logout_clears_the_session(desk: WebDesk) -> None:
    csrf = _login(desk)
    r = desk.client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert desk.client.get("/api/auth/me").status_code == 401


@pytest.fixture
def strict(rules: Rulebook) -> Iterator[WebDesk]:
    with web_desk(rules, login_burst=3, login_rate_per_minute=1.0) as d:
        yield d


def test_login_is_rate_limited_per_username_and_ip(strict: WebDesk) -> None:
    bad = {"username": "agent-l1", "password": "wrong"}
    codes = [strict.client.post("/api/auth/login", json=bad).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    r = strict.client.post("/api/auth/login", json={"username": "agent-l1", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    # Another username from the same address has its own bucket.
    other = {"username": "agent-l2", "password": PASSWORD}
    assert strict.client.post("/api/auth/login", json=other).status_code == 200


def test_the_role_comes_from_the_server_not_the_request(desk: WebDesk) -> None:
    r = desk.client.get("/api/users", headers={**desk.auth("agent_l1"), "X-Role": "admin"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


@pytest.mark.parametrize("role", ["agent_l1", "qa", "manager"])
def test_only_admins_manage_users(desk: WebDesk, role: str) -> None:
    body = {"username": "newbie", "role": "admin", "password": "long enough pw"}
    r = desk.client.post("/api/users", json=body, headers=desk.auth(role))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert all(u.username != "newbie" for u in desk.store.tables.users.values())
