"""Playwright for Python driving Debian's Chromium (by executable_path: browsers are never
downloaded), against the app served by uvicorn in a thread on a free loopback port.

Without Chromium or Playwright the browser tests skip with the reason, unless
TIERDESK_REQUIRE_BROWSER=1 (set by .ci/run after `apt-get install chromium`): then they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = os.environ.get("TIERDESK_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]


def missing() -> str | None:
    """Why the browser tests cannot run here (None: they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def require_browser() -> None:
    reason = missing()
    if reason is None:
        return
    if os.environ.get("TIERDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TIERDESK_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` on http://127.0.0.1:<free port> in a thread, until the block ends. The socket is
    bound here (port 0) and handed to uvicorn: no other process (another xdist worker) can
    take the port between choosing and binding it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():  # pragma: no cover
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class Chromium:
    """Headless Chromium contexts, each with a fresh profile (user-data-dir) of its own."""

    def __init__(self, playwright: Any) -> None:
        self._playwright = playwright
        self._dirs: list[str] = []
        self._contexts: list[Any] = []

    def context(self, **options: Any) -> Any:
        """A new Playwright BrowserContext (one browser process, one profile)."""
        profile = tempfile.mkdtemp(prefix="tierdesk-chromium-")
        self._dirs.append(profile)
        context = self._playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, **options
        )
        self._contexts.append(context)
        return context

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        for profile in self._dirs:
            shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def chromium() -> Iterator[Chromium]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browsers = Chromium(p)
        try:
            yield browsers
        finally:
            browsers.close()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of `impacts` on the page (rule id: first nodes)."""
    # evaluate, not a <script> tag: the page's CSP (rightly) refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]
