"""The CLI and the web app on a real SQLite database: `user add`, sign-in, durable intake."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_desk import HASHER, settings

from tierdesk import bootstrap
from tierdesk.cli.main import app as cli
from tierdesk.policy import preset_path, rulebook
from tierdesk.services import policies, users
from tierdesk.web.app import create_app

runner = CliRunner()
BAD = "mysql://nope"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/desk.db"


def test_user_add_then_sign_in_and_intake_on_sqlite(url: str, tmp_path: Path) -> None:
    r = runner.invoke(
        cli,
        ["user", "add", "boss", "--role", "admin", "--password-stdin", "--database-url", url],
        input="a long passphrase\n",
    )
    assert r.exit_code == 0, r.output
    config = settings(database_url=url, var_dir=tmp_path)
    env = bootstrap.open_env(config, rulebook(preset="cs-sop"))
    with TestClient(create_app(env, config, hasher=HASHER)) as client:
        login = client.post(
            "/api/auth/login", json={"username": "boss", "password": "a long passphrase"}
        )
        assert login.status_code == 200, login.text
        form = {"name": "Mei", "email": "mei@example.com", "body": "Where is my order #1?"}
        headers = {"Idempotency-Key": "once"}
        first = client.post("/api/intake", json=form, headers=headers)
        again = client.post("/api/intake", json=form, headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["ticket_id"] == again.json()["ticket_id"]
    # Committed: a fresh connection sees exactly one ticket.
    fresh = bootstrap.open_database(url)
    with fresh.uow() as uow:
        assert uow.tickets.get(first.json()["ticket_id"]) is not None
    fresh.dispose()


def test_an_unusable_database_url_is_a_clear_error(tmp_path: Path) -> None:
    r = runner.invoke(
        cli,
        ["user", "add", "boss", "--role", "admin", "--password-stdin", "--database-url", BAD],
        input="a long passphrase\n",
    )
    assert r.exit_code == 2  # bad usage, as `db` and `worker` say it (tierdesk.cli.errors)
    assert "error" in r.output


@pytest.mark.rule("R-DOC-3")
def test_the_server_runs_the_approved_policy_version_not_the_configured_preset(
    url: str, tmp_path: Path
) -> None:
    config = settings(database_url=url, var_dir=tmp_path)
    env = bootstrap.open_env(config, rulebook(preset="cs-sop"))
    author = users.add_user(
        env, username="sup", display_name="Sup", role="supervisor", actor_id=None
    )
    boss = users.add_user(env, username="boss", display_name="Boss", role="manager", actor_id=None)
    source = preset_path("simple").read_text(encoding="utf-8")
    draft = policies.propose_version(env, source=source, title="simple", actor_id=author.id)
    assert bootstrap.open_env(config, rulebook(preset="cs-sop")).rules.categories[0].id == (
        "service_outage"  # a draft is not in force
    )
    policies.approve_version(env, version_id=draft.id, actor_id=boss.id)
    restarted = bootstrap.open_env(config, rulebook(preset="cs-sop"))
    assert [c.id for c in restarted.rules.categories] == [
        c.id for c in rulebook(preset="simple").categories
    ]
