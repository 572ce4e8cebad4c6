"""/docs and every HTML answer (issue 9): Swagger UI from files in the package (no CDN),
under a Content-Security-Policy without inline script; it renders in a real browser offline."""

from __future__ import annotations

import re

import pytest
from browser import chromium, require_browser, served
from web_desk import WebDesk

from tierdesk.web.pages import STATIC_DIR

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def _no_inline_script(csp: str, html: str) -> None:
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    for m in SCRIPT.finditer(html):
        assert "src=" in m.group("attrs") and not m.group("body").strip(), m.group(0)[:80]


def test_docs_is_swagger_ui_from_the_package_under_a_strict_csp(desk: WebDesk) -> None:
    r = desk.client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    _no_inline_script(r.headers["content-security-policy"], r.text)
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        asset = desk.client.get(src)
        assert asset.status_code == 200, src
        assert "content-security-policy" in asset.headers
    assert (STATIC_DIR / "vendor" / "swagger-ui" / "LICENSE").is_file()
    assert desk.client.get("/redoc").status_code == 404  # FastAPI's CDN page is off


@pytest.mark.parametrize("path", ["/docs", "/login", "/no-such-page"])
def test_every_html_answer_carries_a_csp(desk: WebDesk, path: str) -> None:
    r = desk.client.get(path, headers={"Accept": "text/html"})
    if r.headers.get("content-type", "").startswith("text/html"):
        _no_inline_script(r.headers["content-security-policy"], r.text)


@pytest.mark.browser
@pytest.mark.slow
def test_docs_renders_offline_in_chromium_without_csp_violations(desk: WebDesk) -> None:
    require_browser()
    with served(desk.app) as url, chromium() as browsers:
        context = browsers.context()
        outside: list[str] = []
        context.route(
            re.compile(r"^(?!http://127\.0\.0\.1).*"),
            lambda route: (outside.append(route.request.url), route.abort()),
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{url}/docs")
        page.wait_for_selector(".opblock-tag", timeout=20_000)
        assert page.locator(".opblock").count() > 20
        assert outside == []
        assert not [p for p in problems if "Content Security Policy" in p], problems
