"""A web app on a real SQLite store (the metrics read SQL): one user per role, at START."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from web_desk import HASHER, START, WebDesk, add_role_users, settings

from tierdesk import bootstrap
from tierdesk.policy import rulebook
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.web.app import create_app


@contextmanager
def sqlite_desk(folder: Path) -> Iterator[WebDesk]:
    """The app over a migrated SQLite file in `folder`, the cs-sop policy, the clock at START."""
    url = f"sqlite:///{folder / 'desk.db'}"
    bootstrap.upgrade_database(url)
    db = bootstrap.open_database(url)
    clock = FakeClock(START)
    env = Env(uow=db.uow, read=db.reader, clock=clock, rules=rulebook(preset="cs-sop"), store=db)
    ids = add_role_users(env)
    (folder / "var").mkdir()
    try:
        with TestClient(create_app(env, settings(var_dir=folder / "var"), hasher=HASHER)) as client:
            yield WebDesk(client.app, env, None, clock, ids, client, {})  # type: ignore[arg-type]
    finally:
        db.dispose()
