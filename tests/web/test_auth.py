"""Sign-in, sessions with CSRF protection, bearer tokens, and role refusals from the server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from web_desk import PASSWORD, START, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook


def _login(desk: WebDesk, username: str = "agent-l1", password: str = PASSWORD) -> str:
    r = desk.client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    csrf: str = r.json()["csrf_token"]
    return csrf


def test_every_api_endpoint_but_the_public_ones_needs_credentials(desk: WebDesk) -> None:
    # The LINE webhook is authenticated by its signature instead (tests/integration/db).
    public = {
        "/healthz",
        "/api/intake",
        "/api/surveys/{token}",
        "/api/auth/login",
        "/channels/line/webhook",
    }
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


# --- stored, revocable API tokens -----------------------------------------------------------


def _make_token(desk: WebDesk, body: dict[str, object], username: str = "agent-l1") -> Response:
    csrf = _login(desk, username)
    r = desk.client.post("/api/auth/tokens", json=body, headers={"X-CSRF-Token": csrf})
    desk.client.cookies.clear()
    return r


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_made_used_listed_without_its_secret_and_revoked(desk: WebDesk) -> None:
    made = _make_token(desk, {"name": "CRM sync", "days": 30})
    assert made.status_code == 201, made.text
    body = made.json()
    token, token_id = body["token"], body["id"]
    assert token.startswith("tdk_") and body["name"] == "CRM sync"
    assert body["user_id"] == desk.user["agent_l1"]
    assert body["expires_at"].startswith((START + timedelta(days=30)).date().isoformat())
    assert "token_hash" not in body

    me = desk.client.get("/api/auth/me", headers=_bearer(token))
    assert me.status_code == 200 and me.json()["username"] == "agent-l1"

    listed = desk.client.get("/api/auth/tokens", headers=_bearer(token))
    assert listed.status_code == 200, listed.text
    [row] = listed.json()
    assert row["id"] == token_id and row["name"] == "CRM sync"
    assert row["last_used_at"] is not None and row["revoked_at"] is None
    assert "token" not in row and "token_hash" not in row
    secret = token.removeprefix("tdk_")
    assert secret not in listed.text
    assert hashlib.sha256(secret.encode()).hexdigest() not in listed.text

    revoked = desk.client.delete(f"/api/auth/tokens/{token_id}", headers=_bearer(token))
    assert revoked.status_code == 204 and revoked.content == b""
    after = desk.client.get("/api/auth/me", headers=_bearer(token))
    unknown = desk.client.get("/api/auth/me", headers=_bearer("tdk_" + "x" * 43))
    assert after.status_code == unknown.status_code == 401
    assert after.json()["detail"] == unknown.json()["detail"]
    assert after.json()["code"] == "unauthenticated"


def test_revoking_one_token_leaves_the_others_working(desk: WebDesk) -> None:
    a = _make_token(desk, {"name": "a"}).json()
    desk.clock.advance(timedelta(seconds=1))  # listed oldest first
    b = _make_token(desk, {"name": "b"}).json()
    r = desk.client.delete(f"/api/auth/tokens/{a['id']}", headers=_bearer(b["token"]))
    assert r.status_code == 204
    assert desk.client.get("/api/auth/me", headers=_bearer(a["token"])).status_code == 401
    assert desk.client.get("/api/auth/me", headers=_bearer(b["token"])).status_code == 200
    again = desk.client.delete(f"/api/auth/tokens/{a['id']}", headers=_bearer(b["token"]))
    assert again.status_code == 204  # idempotent
    listed = desk.client.get("/api/auth/tokens", headers=_bearer(b["token"])).json()
    assert [(t["name"], t["revoked_at"] is not None) for t in listed] == [
        ("a", True),
        ("b", False),
    ]


def test_a_token_is_revoked_by_a_session_with_the_csrf_header(desk: WebDesk) -> None:
    made = _make_token(desk, {"name": "script"}).json()
    csrf = _login(desk)
    url = f"/api/auth/tokens/{made['id']}"
    assert desk.client.delete(url).status_code == 403  # no X-CSRF-Token
    assert desk.client.delete(url, headers={"X-CSRF-Token": csrf}).status_code == 204
    desk.client.cookies.clear()
    assert desk.client.get("/api/auth/me", headers=_bearer(made["token"])).status_code == 401


def test_another_users_token_cannot_be_revoked_or_listed_by_a_non_admin(desk: WebDesk) -> None:
    theirs = _make_token(desk, {"name": "mine"}, "agent-l1").json()
    for role in ("agent_l2", "manager"):
        r = desk.client.delete(f"/api/auth/tokens/{theirs['id']}", headers=desk.auth(role))
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        listed = desk.client.get(
            "/api/auth/tokens", params={"user_id": theirs["user_id"]}, headers=desk.auth(role)
        )
        assert listed.status_code == 403 and listed.json()["code"] == "forbidden"
        own = desk.client.get("/api/auth/tokens", headers=desk.auth(role)).json()
        assert theirs["id"] not in {t["id"] for t in own}
    assert desk.client.get("/api/auth/me", headers=_bearer(theirs["token"])).status_code == 200


def test_an_admin_lists_and_revokes_another_users_tokens(desk: WebDesk) -> None:
    theirs = _make_token(desk, {"name": "mine"}, "agent-l1").json()
    admin = desk.auth("admin")
    listed = desk.client.get(
        "/api/auth/tokens", params={"user_id": theirs["user_id"]}, headers=admin
    )
    assert [t["id"] for t in listed.json()] == [theirs["id"]]
    assert desk.client.delete(f"/api/auth/tokens/{theirs['id']}", headers=admin).status_code == 204
    assert desk.client.get("/api/auth/me", headers=_bearer(theirs["token"])).status_code == 401
    gone = desk.client.get("/api/auth/tokens", params={"user_id": "u_nobody"}, headers=admin)
    assert gone.status_code == 404


def test_revoking_an_unknown_token_is_not_found(desk: WebDesk) -> None:
    r = desk.client.delete("/api/auth/tokens/tok_missing", headers=desk.auth("admin"))
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_an_expired_token_is_refused_like_an_unknown_one(desk: WebDesk) -> None:
    made = _make_token(desk, {"name": "short", "days": 1}).json()
    assert desk.client.get("/api/auth/me", headers=_bearer(made["token"])).status_code == 200
    desk.clock.advance(timedelta(days=1))
    expired = desk.client.get("/api/auth/me", headers=_bearer(made["token"]))
    unknown = desk.client.get("/api/auth/me", headers=_bearer("tdk_unknown"))
    assert expired.status_code == 401
    assert expired.json()["detail"] == unknown.json()["detail"]


def test_a_token_lasts_token_max_age_days_by_default(desk: WebDesk) -> None:
    made = _make_token(desk, {"name": "default"}).json()
    assert made["expires_at"].startswith((START + timedelta(days=90)).date().isoformat())


def test_an_old_signed_token_no_longer_works(desk: WebDesk) -> None:
    signer = desk.app.state.web.signer
    exp = int((START + timedelta(days=30)).timestamp())
    payload = {"u": desk.user["admin"], "t": "0123456789abcdef", "exp": exp}
    old = "tdk_" + signer.dumps("token", payload)
    r = desk.client.get("/api/users", headers=_bearer(old))
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "invalid_request", "name"),
        ({"name": ""}, "invalid_request", "name"),
        ({"name": "x" * 81}, "invalid_request", "name"),
        ({"name": "ok", "days": 0}, "invalid_request", "days"),
        ({"name": "ok", "scope": "all"}, "invalid_request", "scope"),
        ({"name": "   "}, "invalid_input", "name"),
    ],
)
def test_a_bad_token_request_is_refused_and_makes_nothing(
    desk: WebDesk, body: dict[str, object], code: str, field: str
) -> None:
    r = _make_token(desk, body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code
    assert r.json()["errors"][0]["field"] == field
    assert desk.store.tables.tokens == {}


# --- stored, revocable sessions --------------------------------------------------------------

NEW_PASSWORD = "a brand new passphrase"


def _sign_in(desk: WebDesk, username: str = "agent-l1", agent: str = "pytest") -> dict[str, str]:
    """Sign in (on a fresh cookie jar) and return the browser's cookies and CSRF token."""
    desk.client.cookies.clear()
    r = desk.client.post(
        "/api/auth/login",
        json={"username": username, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert r.status_code == 200, r.text
    return {
        "tierdesk_session": desk.client.cookies["tierdesk_session"],
        "tierdesk_csrf": desk.client.cookies["tierdesk_csrf"],
        "csrf": r.json()["csrf_token"],
    }


def _use(desk: WebDesk, browser: dict[str, str]) -> dict[str, str]:
    """Put a saved browser's cookies back in the jar; its CSRF header."""
    desk.client.cookies.clear()
    desk.client.cookies.set("tierdesk_session", browser["tierdesk_session"])
    desk.client.cookies.set("tierdesk_csrf", browser["tierdesk_csrf"])
    return {"X-CSRF-Token": browser["csrf"]}


def _clears_cookies(r: Response) -> bool:
    """The answer tells the browser to drop both session cookies."""
    dropped = [c for c in r.headers.get_list("set-cookie") if "Max-Age=0" in c]
    return {c.split("=", 1)[0] for c in dropped} == {"tierdesk_session", "tierdesk_csrf"}


def _me_status(desk: WebDesk, browser: dict[str, str]) -> int:
    _use(desk, browser)
    return desk.client.get("/api/auth/me").status_code


def test_a_cookie_copied_before_logout_is_refused_after_logout(desk: WebDesk) -> None:
    browser = _sign_in(desk)
    copied = dict(browser)  # e.g. lifted from the machine
    assert _me_status(desk, copied) == 200
    r = desk.client.post("/api/auth/logout", headers=_use(desk, browser))
    assert r.status_code == 204
    assert _clears_cookies(r)  # the browser forgets it
    _use(desk, copied)
    replay = desk.client.get("/api/auth/me")
    assert replay.status_code == 401 and replay.json()["code"] == "unauthenticated"
    write = desk.client.post("/api/auth/tokens", json={"name": "x"}, headers=_use(desk, copied))
    assert write.status_code == 401
    assert desk.store.tables.tokens == {}
    [stored] = desk.store.tables.sessions.values()
    assert stored.revoked_at == desk.clock.now()


def test_the_cookie_names_a_stored_session_not_the_user(desk: WebDesk) -> None:
    signer = desk.app.state.web.signer
    exp = int((START + timedelta(hours=1)).timestamp())
    browser = _sign_in(desk)
    for payload in (
        {"u": desk.user["admin"], "c": "x", "exp": exp},  # a cookie of an earlier release
        {"s": "ses_" + "A" * 32, "c": "x", "exp": exp},  # well signed, but no such session
        {"s": 42, "c": "x", "exp": exp},
    ):
        forged = {**browser, "tierdesk_session": signer.dumps("session", payload)}
        assert _me_status(desk, forged) == 401, payload
    assert _me_status(desk, browser) == 200


def test_a_stored_session_that_expired_is_refused(desk: WebDesk) -> None:
    browser = _sign_in(desk)
    [stored] = desk.store.tables.sessions.values()
    assert stored.expires_at == START + timedelta(hours=8)  # SESSION_MAX_AGE
    # The cookie's own expiry is still ahead: only the server's record says it is over.
    desk.store.tables.sessions[stored.id] = replace(stored, expires_at=START)
    _use(desk, browser)
    r = desk.client.get("/api/auth/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_a_password_change_by_an_admin_ends_the_users_sessions(desk: WebDesk) -> None:
    admin = desk.auth("admin")  # made first: it signs in on the shared jar
    first, second = _sign_in(desk), _sign_in(desk)
    other = _sign_in(desk, "agent-l2")
    desk.client.cookies.clear()
    r = desk.client.patch(
        f"/api/users/{desk.user['agent_l1']}", json={"password": NEW_PASSWORD}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert _me_status(desk, first) == _me_status(desk, second) == 401
    assert _me_status(desk, other) == 200
    desk.client.cookies.clear()
    again = {"username": "agent-l1", "password": NEW_PASSWORD}
    assert desk.client.post("/api/auth/login", json=again).status_code == 200


def test_an_admin_changing_their_own_password_keeps_only_this_session(desk: WebDesk) -> None:
    elsewhere = _sign_in(desk, "admin", "Phone")
    here = _sign_in(desk, "admin", "Laptop")
    r = desk.client.patch(
        f"/api/users/{desk.user['admin']}",
        json={"password": NEW_PASSWORD},
        headers=_use(desk, here),
    )
    assert r.status_code == 200, r.text
    assert _me_status(desk, here) == 200
    assert _me_status(desk, elsewhere) == 401


def test_deactivation_ends_the_users_sessions(desk: WebDesk) -> None:
    admin = desk.auth("admin")
    browser = _sign_in(desk)
    desk.client.cookies.clear()
    url = f"/api/users/{desk.user['agent_l1']}"
    assert desk.client.patch(url, json={"active": False}, headers=admin).status_code == 200
    assert desk.client.patch(url, json={"active": True}, headers=admin).status_code == 200
    # Active again, yet the session ended with the deactivation: sign in anew.
    assert _me_status(desk, browser) == 401
    mine = [s for s in desk.store.tables.sessions.values() if s.user_id == desk.user["agent_l1"]]
    assert len(mine) == 1 and mine[0].revoked_at is not None


def test_logout_everywhere_ends_every_own_session_but_not_tokens(desk: WebDesk) -> None:
    token = _make_token(desk, {"name": "script"}).json()["token"]
    laptop, phone = _sign_in(desk, agent="Laptop"), _sign_in(desk, agent="Phone")
    someone_else = _sign_in(desk, "agent-l2")
    desk.client.cookies.clear()
    assert desk.client.post("/api/auth/logout-everywhere").status_code == 401
    _use(desk, laptop)
    refused = desk.client.post("/api/auth/logout-everywhere")  # no X-CSRF-Token
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert _me_status(desk, phone) == 200
    r = desk.client.post("/api/auth/logout-everywhere", headers=_use(desk, laptop))
    assert r.status_code == 204
    assert _clears_cookies(r)
    assert _me_status(desk, laptop) == _me_status(desk, phone) == 401
    assert _me_status(desk, someone_else) == 200
    desk.client.cookies.clear()
    assert desk.client.get("/api/auth/me", headers=_bearer(token)).status_code == 200


def test_the_session_list_shows_own_active_sessions_and_marks_the_current_one(
    desk: WebDesk,
) -> None:
    phone = _sign_in(desk, agent="Phone")
    desk.clock.advance(timedelta(seconds=1))
    laptop = _sign_in(desk, agent="Laptop")
    ended = _sign_in(desk, agent="Old")
    desk.client.post("/api/auth/logout", headers=_use(desk, ended))
    _sign_in(desk, "agent-l2")
    _use(desk, laptop)
    r = desk.client.get("/api/auth/sessions")
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [(s["user_agent"], s["current"]) for s in listed] == [
        ("Phone", False),
        ("Laptop", True),
    ]
    assert set(listed[1]) == {
        "id",
        "created_at",
        "last_seen_at",
        "expires_at",
        "user_agent",
        "address",
        "current",
    }
    assert listed[1]["address"] == "testclient" and listed[1]["last_seen_at"] is not None
    assert listed[1]["expires_at"].startswith((START + timedelta(hours=8)).date().isoformat())
    # The id is the stored session's, so it can be ended; the other browser still works.
    _use(desk, phone)
    assert [s["current"] for s in desk.client.get("/api/auth/sessions").json()] == [True, False]


def test_a_user_ends_one_of_their_sessions_but_another_users_is_not_found(
    desk: WebDesk,
) -> None:
    theirs = _sign_in(desk, "agent-l2")
    theirs_id = desk.client.get("/api/auth/sessions").json()[0]["id"]
    phone, laptop = _sign_in(desk, agent="Phone"), _sign_in(desk, agent="Laptop")
    headers = _use(desk, laptop)
    phone_id = next(
        s["id"] for s in desk.client.get("/api/auth/sessions").json() if not s["current"]
    )
    for session_id in (theirs_id, "ses_missing"):
        r = desk.client.delete(f"/api/auth/sessions/{session_id}", headers=headers)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert desk.client.delete(f"/api/auth/sessions/{phone_id}").status_code == 403  # CSRF
    r = desk.client.delete(f"/api/auth/sessions/{phone_id}", headers=headers)
    assert r.status_code == 204 and r.content == b""
    assert not _clears_cookies(r)  # another browser's session: this one stays signed in
    assert desk.client.delete(f"/api/auth/sessions/{phone_id}", headers=headers).status_code == 204
    assert _me_status(desk, phone) == 401
    assert _me_status(desk, laptop) == 200
    assert _me_status(desk, theirs) == 200


def test_ending_the_current_session_signs_this_browser_out(desk: WebDesk) -> None:
    browser = _sign_in(desk)
    [listed] = desk.client.get("/api/auth/sessions").json()
    r = desk.client.delete(f"/api/auth/sessions/{listed['id']}", headers=_use(desk, browser))
    assert r.status_code == 204
    assert _clears_cookies(r)
    assert _me_status(desk, browser) == 401


def test_a_bearer_token_lists_sessions_with_none_current(desk: WebDesk) -> None:
    token = _make_token(desk, {"name": "script"}).json()["token"]  # its sign-in is listed
    r = desk.client.get("/api/auth/sessions", headers=_bearer(token))
    assert r.status_code == 200
    assert [s["current"] for s in r.json()] == [False]


def test_a_user_changes_their_password_and_only_this_session_stays(desk: WebDesk) -> None:
    other = TestClient(desk.app)  # another browser, signed in as the same user
    assert other.post(
        "/api/auth/login", json={"username": "agent-l1", "password": PASSWORD}
    ).is_success
    csrf = _login(desk)
    url, headers = "/api/auth/password", {"X-CSRF-Token": csrf}
    wrong = {"current_password": "not it", "new_password": "a brand new passphrase"}
    r = desk.client.post(url, json=wrong, headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    same = {"current_password": PASSWORD, "new_password": PASSWORD}
    r = desk.client.post(url, json=same, headers=headers)
    assert r.status_code == 422 and r.json()["data"]["field"] == "new_password"
    assert (
        desk.client.post(url, json={**same, "new_password": "short"}, headers=headers).status_code
        == 422
    )
    assert other.get("/api/auth/me").status_code == 200  # nothing changed so far
    new = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert desk.client.post(url, json=new).status_code == 403  # cookie without CSRF header
    assert desk.client.post(url, json=new, headers=headers).status_code == 204
    assert desk.client.get("/api/auth/me").status_code == 200  # this session stays
    assert other.get("/api/auth/me").status_code == 401  # the other one ended
    old = {"username": "agent-l1", "password": PASSWORD}
    assert other.post("/api/auth/login", json=old).status_code == 401
    fresh = {"username": "agent-l1", "password": "a brand new passphrase"}
    assert other.post("/api/auth/login", json=fresh).status_code == 200
