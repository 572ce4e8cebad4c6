"""A signed-in console user for TestClient tests: its own client (own cookies), the CSRF
token, and htmx-like posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from web_desk import PASSWORD, WebDesk


@dataclass
class Agent:
    client: TestClient
    csrf: str

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None) -> httpx.Response:
        """An htmx form post (the X-CSRF-Token header, as the page's hx-headers send it)."""
        return self.client.post(
            url, data=data or {}, headers={"X-CSRF-Token": self.csrf, "HX-Request": "true"}
        )


def signed_in(desk: WebDesk, role: str) -> Agent:
    client = TestClient(desk.app)
    r = client.post(
        "/login",
        data={"username": role.replace("_", "-"), "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return Agent(client, client.cookies["tierdesk_csrf"])
