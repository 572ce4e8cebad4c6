"""`tierdesk serve` and `tierdesk user add`, on the in-memory store (the database is wired in
by `bootstrap.open_env`, replaced here)."""

from __future__ import annotations

import subprocess
import sys
import threading
import types
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from typing import Any

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_desk import START, settings

from tierdesk import bootstrap
from tierdesk.cli import serve_cmd
from tierdesk.cli.main import app as cli
from tierdesk.domain.rulebook import Rulebook
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.testing.memory import MemoryStore
from tierdesk.web.app import create_app

runner = CliRunner()


@pytest.fixture
def env(rules: Rulebook, monkeypatch: pytest.MonkeyPatch) -> Env:
    store = MemoryStore()
    env = Env(uow=store.uow, clock=FakeClock(START), rules=rules)
    monkeypatch.setattr(bootstrap, "open_env", lambda *a, **k: env, raising=False)
    return env


def _users(env: Env) -> dict[str, Any]:
    with env.uow() as uow:
        return {u.username: u for u in uow.users.search()}


def test_user_add_stores_an_argon2_hash_of_the_password_from_stdin(env: Env) -> None:
    r = runner.invoke(
        cli, ["user", "add", "Boss", "--role", "admin", "--password-stdin"], input="s3cret-pw!\n"
    )
    assert r.exit_code == 0, r.output
    user = _users(env)["boss"]
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert bootstrap.verify_password(user.password_hash, "s3cret-pw!")
    assert "s3cret-pw!" not in r.output


def test_user_add_prompts_twice(env: Env) -> None:
    r = runner.invoke(cli, ["user", "add", "lin", "--role", "qa"], input="longpass1\nlongpass1\n")
    assert r.exit_code == 0, r.output
    assert "lin" in _users(env)


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        (["ann", "--role", "boss"], "longpassword\n", 2),
        (["ann", "--role", "qa"], "short\n", 2),
        (["a b", "--role", "qa"], "longpassword\n", 2),
    ],
)
def test_user_add_refuses_bad_usage_with_exit_2(
    env: Env, args: list[str], stdin: str, code: int
) -> None:
    r = runner.invoke(cli, ["user", "add", *args, "--password-stdin"], input=stdin)
    assert r.exit_code == code, r.output
    assert _users(env) == {}


def test_user_add_of_a_taken_username_exits_1(env: Env) -> None:
    argv = ["user", "add", "ann", "--role", "qa", "--password-stdin"]
    assert runner.invoke(cli, argv, input="longpassword\n").exit_code == 0
    r = runner.invoke(cli, argv, input="longpassword\n")
    assert r.exit_code == 1 and "taken" in r.output


def test_serve_builds_the_app_on_the_store_and_runs_uvicorn(
    env: Env, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    ran: dict[str, Any] = {}

    def fake_run(app: FastAPI, host: str, port: int, **kw: Any) -> None:
        ran.update(app=app, host=host, port=port)

    monkeypatch.setattr("tierdesk.cli.serve_cmd.uvicorn.run", fake_run)
    monkeypatch.setattr(serve_cmd, "log_to_stderr", lambda: ran.update(logging=True))
    monkeypatch.setenv("TIERDESK_VAR_DIR", str(tmp_path))
    r = runner.invoke(cli, ["serve", "--port", "8123", "--no-workers"])
    assert r.exit_code == 0, r.output
    assert (ran["host"], ran["port"], ran["logging"]) == ("127.0.0.1", 8123, True)
    assert "no admin yet: add the first one with `tierdesk user add" in r.output  # not a tty
    assert ran["app"].state.web.env is env
    assert TestClient(ran["app"]).get("/healthz").json() == {"status": "ok"}
    # The signing key was generated into var/, readable by the owner only.
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_long_running_commands_log_what_the_workers_do_to_stderr() -> None:
    code = (
        "import logging; from tierdesk.cli.common import log_to_stderr; log_to_stderr(); "
        "logging.getLogger('tierdesk.workers').info('sla-sweeper: 2 escalation(s)')"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "INFO tierdesk.workers: sla-sweeper: 2 escalation(s)" in r.stderr


def test_serve_refuses_both_a_policy_file_and_a_preset(env: Env) -> None:
    r = runner.invoke(cli, ["serve", "--policy", "x.yaml", "--preset", "cs-sop"])
    assert r.exit_code == 2


def test_serve_refuses_a_bad_port(env: Env) -> None:
    assert runner.invoke(cli, ["serve", "--port", "70000"]).exit_code == 2


@dataclass
class _DemoUser:
    username: str
    role: str
    password: str


def test_demo_seeding_prints_the_demo_sign_ins(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = types.ModuleType("tierdesk.demo")
    fake.__spec__ = ModuleSpec("tierdesk.demo", None)
    seen: dict[str, Any] = {}

    def seed(env_: Env, **kw: Any) -> Any:
        seen.update(env=env_, **kw)
        return types.SimpleNamespace(
            tickets=3, users=(_DemoUser("lead", "team_lead", "demo-pass-1"),)
        )

    fake.seed = seed  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tierdesk.demo", fake)
    serve_cmd.seed_demo(env)
    out = capsys.readouterr().out
    assert "lead" in out and "demo-pass-1" in out and "3 tickets" in out
    assert seen["env"] is env and seen["hash_password"] is bootstrap.hash_password


def test_the_serve_lifespan_runs_the_workers_while_the_app_runs(env: Env, tmp_path: Any) -> None:
    def names() -> set[str]:
        return {t.name for t in threading.enumerate()}

    life = serve_cmd.background(env, tmp_path / "mailbox.jsonl")
    app = create_app(env, settings(), lifespan=life)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert {"tierdesk-sla-sweeper", "tierdesk-outbox"} <= names()
    assert not {"tierdesk-sla-sweeper", "tierdesk-outbox"} & names()


def test_a_new_helpdesk_asks_once_for_its_first_admin_on_a_terminal(env: Env) -> None:
    short = CliRunner().invoke(_first_admin_app(env), input="boss\nshort\nshort\n")
    assert short.exit_code == 2 and _users(env) == {}  # too short: refused, nothing stored
    r = CliRunner().invoke(
        _first_admin_app(env), input="Boss\na long passphrase\na long passphrase\n"
    )
    assert r.exit_code == 0, r.output
    admin = _users(env)["boss"]
    assert admin.role == "admin" and bootstrap.verify_password(
        admin.password_hash, "a long passphrase"
    )
    assert "a long passphrase" not in r.output
    again = CliRunner().invoke(_first_admin_app(env), input="")
    assert again.exit_code == 0 and "No admin yet" not in again.output  # asked once only


def test_a_new_helpdesk_off_a_terminal_says_how_to_add_the_first_admin(env: Env) -> None:
    r = CliRunner().invoke(_first_admin_app(env, interactive=False))
    assert r.exit_code == 0
    assert "tierdesk user add NAME --role admin" in r.output
    assert _users(env) == {}


def _first_admin_app(env: Env, *, interactive: bool = True) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def run() -> None:
        serve_cmd.first_admin(env, interactive=interactive)

    return app
