"""A web app on the in-memory fakes: one user per role, each with a password and a token.

A uniquely named module (not `conftest`) so test modules import it unambiguously.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import users
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.records import ROLES
from tierdesk.testing.memory import MemoryStore
from tierdesk.web.app import create_app

START = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Taipei
PASSWORD = "correct horse battery"
ORDER = "Where is my order #12345? It has not arrived yet."
HASHER = bootstrap.password_hasher(fast=True)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "public_rate_per_minute": 10_000.0,
        "public_burst": 10_000,
        "login_rate_per_minute": 10_000.0,
        "login_burst": 10_000,
        "login_failures_per_minute": 10_000.0,
        "login_failures_burst": 10_000,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class WebDesk:
    """The app, its store and clock, user ids by role, and a client."""

    app: FastAPI
    env: Env
    store: MemoryStore
    clock: FakeClock
    user: dict[str, str]
    client: TestClient
    tokens: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        """Bearer headers of the user with `role` (tokens are made on first use)."""
        if role not in self.tokens:
            login = self.client.post(
                "/api/auth/login", json={"username": role.replace("_", "-"), "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            csrf = login.json()["csrf_token"]
            made = self.client.post(
                "/api/auth/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": csrf}
            )
            assert made.status_code == 201, made.text
            self.client.cookies.clear()
            self.tokens[role] = made.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def open_ticket(self, text: str = ORDER, email: str = "mei@example.com") -> dict[str, Any]:
        body = {
            "channel": "email",
            "text": text,
            "contact": {"kind": "email", "value": email, "name": "Mei"},
        }
        r = self.client.post("/api/tickets", json=body, headers=self.auth("agent_l1"))
        assert r.status_code == 201, r.text
        ticket: dict[str, Any] = r.json()
        return ticket


def add_role_users(env: Env) -> dict[str, str]:
    """One active user per role (username = role with '-', password PASSWORD): ids by role."""
    return {
        role: users.add_user(
            env,
            username=role.replace("_", "-"),
            display_name=role,
            role=role,
            actor_id=None,
            password_hash=HASHER.hash(PASSWORD),
        ).id
        for role in ROLES
    }


@contextmanager
def web_desk(
    rules: Rulebook, *, load_model: Callable[[bytes], Classifier] | None = None, **overrides: Any
) -> Iterator[WebDesk]:
    """A fresh app at START with one active user per role (username = role with '-');
    `load_model` reads stored triage model versions (`Env.load_model`), `overrides` are
    settings."""
    store, clock = MemoryStore(), FakeClock(START)
    env = Env(uow=store.uow, clock=clock, rules=rules, load_model=load_model)
    ids = add_role_users(env)
    app = create_app(env, settings(**overrides), hasher=HASHER)
    with TestClient(app) as client:
        yield WebDesk(app, env, store, clock, ids, client, {})
