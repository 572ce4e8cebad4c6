"""The console's page infrastructure: sign-in with the API's session, CSP, language, static
files, sanitizing customer HTML."""

from __future__ import annotations

import re

import pytest
from web_desk import PASSWORD, WebDesk

from tierdesk.web.pages import CSP
from tierdesk.web.sanitize import customer_html


def sign_in(desk: WebDesk, role: str) -> str:
    """Sign in through the form; returns the CSRF token for htmx requests."""
    r = desk.client.post(
        "/login",
        data={"username": role.replace("_", "-"), "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return desk.client.cookies["tierdesk_csrf"]


def test_signed_out_pages_go_to_sign_in(desk: WebDesk) -> None:
    r = desk.client.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2F"
    page = desk.client.get("/login")
    assert page.status_code == 200
    assert 'name="password"' in page.text
    hx = desk.client.get("/", headers={"HX-Request": "true"})
    assert hx.headers["HX-Redirect"].startswith("/login")


def test_every_page_has_the_csp_without_inline_script(desk: WebDesk) -> None:
    sign_in(desk, "agent_l1")
    for url in ("/login", "/", "/static/console.js", "/static/vendor/htmx/htmx.min.js"):
        r = desk.client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    page = desk.client.get("/").text
    # No inline script: every <script> has a src, no on* handler attributes.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert not re.search(r"\son[a-z]+=", page)


def test_sign_in_uses_the_api_session_and_csrf(desk: WebDesk) -> None:
    csrf = sign_in(desk, "agent_l1")
    me = desk.client.get("/api/auth/me")  # the same cookie works for the API
    assert me.status_code == 200 and me.json()["role"] == "agent_l1"
    assert 'hx-headers=\'{"X-CSRF-Token": "' + csrf + "\"}'" in desk.client.get("/").text
    # An unsafe page request without the token is refused like the API's.
    r = desk.client.post("/language", data={"language": "zh-TW"})
    assert r.status_code == 403
    assert "csrf_failed" in r.text


def test_wrong_password_and_rate_limit(rules) -> None:  # type: ignore[no-untyped-def]
    from web_desk import web_desk

    with web_desk(rules, login_burst=2, login_rate_per_minute=1.0) as desk:
        bad = {"username": "agent-l1", "password": "nope"}
        for _ in range(2):
            r = desk.client.post("/login", data=bad)
            assert r.status_code == 401
            assert "Wrong username or password." in r.text
        r = desk.client.post("/login", data=bad)
        assert r.status_code == 429
        assert "Retry-After" in r.headers
        # The API's login shares the bucket.
        api = desk.client.post("/api/auth/login", json=bad)
        assert api.status_code == 429


def test_next_never_leaves_the_site(desk: WebDesk) -> None:
    for target, expected in (
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/queue", "/queue"),
    ):
        r = desk.client.post(
            "/login",
            data={"username": "agent-l1", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert r.headers["location"] == expected


def test_language_is_stored_with_the_user_and_switches_pages(desk: WebDesk) -> None:
    csrf = sign_in(desk, "agent_l1")
    assert "Sign out" in desk.client.get("/").text
    r = desk.client.post("/language", data={"language": "zh-TW"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204 and r.headers["HX-Refresh"] == "true"
    page = desk.client.get("/").text
    assert "登出" in page and "Sign out" not in page
    assert desk.client.get("/api/auth/me").json()["language"] == "zh-TW"
    bad = desk.client.post("/language", data={"language": "xx"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422


def test_signed_out_language_from_query_or_browser(desk: WebDesk) -> None:
    assert "登入" in desk.client.get("/login", headers={"Accept-Language": "zh-TW"}).text
    assert "登入" in desk.client.get("/login?lang=zh-TW").text
    assert "登入" in desk.client.get("/login").text  # the cookie set by ?lang=


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>hello",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<p style="position:fixed;top:0">overlay</p>',
        "<iframe src='https://evil.example'></iframe>",
        '<svg onload="alert(1)"></svg>',
        '<form action="https://evil.example"><input name=p></form>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
)
def test_customer_html_runs_nothing(dirty: str) -> None:
    clean = customer_html(dirty)
    lowered = clean.lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "style=",
        "<iframe",
        "<form",
        "data:",
    ):
        assert bad not in lowered, clean


def test_links_and_outside_images() -> None:
    clean = customer_html(
        '<a href="https://shop.example/o/1">order</a> <img src="https://track.example/p.gif">'
    )
    assert 'rel="noopener noreferrer"' in clean
    assert 'data-src="https://track.example/p.gif"' in clean
    assert ' src="' not in clean.replace("data-src", "")
    assert customer_html("a < b\nline two") == "a &lt; b\nline two"
