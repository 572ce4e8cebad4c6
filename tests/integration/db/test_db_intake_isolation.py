"""Group commit isolates failures on real databases (issue 9): an intake that fails in a batch
with a database error fails alone; every other intake of the batch is stored and acknowledged.
And over HTTP, a NUL byte is refused at the boundary with 422 on SQLite and PostgreSQL alike
(PostgreSQL cannot store NUL; SQLite would have stored it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from db_desk import ORDER, make_store_desk
from db_records import SQL_BACKENDS

from tierdesk import bootstrap
from tierdesk.adapters.db import Database
from tierdesk.config import Settings
from tierdesk.policy import rulebook
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.errors import IdempotencyKeyReused
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.tickets import Intake, Opened, open_intake, open_tickets
from tierdesk.web.app import create_app

FAULT = "FAULT-INJECTED"


class _FaultyMessages:
    """The messages repository, failing like the database does on one message's text."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def add(self, record: Any) -> None:
        if FAULT in record.body:
            raise sa.exc.DataError("INSERT INTO messages", {}, ValueError("injected fault"))
        self._inner.add(record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _faulty(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    def make() -> UnitOfWork:
        inner = uow()

        class Faulty:
            def __enter__(self) -> Any:
                inner.__enter__()
                return self

            def __exit__(self, *exc: Any) -> None:
                inner.__exit__(*exc)

            def __getattr__(self, name: str) -> Any:
                repo = getattr(inner, name)
                return _FaultyMessages(repo) if name == "messages" else repo

        return Faulty()  # type: ignore[return-value]

    return make


def _intakes(texts: list[str]) -> list[Intake]:
    return [
        Intake("web", text, Contact("email", f"c{n}@example.com"), idempotency_key=f"k{n}")
        for n, text in enumerate(texts)
    ]


def test_a_database_error_in_one_intake_of_a_batch_fails_it_alone(sql_db: Database) -> None:
    desk = make_store_desk(sql_db.uow, rulebook(preset="cs-sop"))
    env = Env(uow=_faulty(sql_db.uow), read=sql_db.reader, clock=desk.clock, rules=desk.env.rules)
    texts = [ORDER] * 3 + [f"{ORDER} {FAULT}"] + [ORDER] * 3
    results = open_tickets(env, _intakes(texts))
    bad = results.pop(3)
    assert isinstance(bad, sa.exc.DataError)
    assert all(isinstance(r, Opened) and r.created for r in results)
    stored = {t.id for t in desk.tickets()}
    assert stored == {r.ticket.id for r in results if isinstance(r, Opened)}
    assert len(stored) == 6


@pytest.mark.postgres
def test_a_nul_byte_past_the_boundary_fails_alone_on_postgresql(postgres_db: Database) -> None:
    desk = make_store_desk(postgres_db.uow, rulebook(preset="cs-sop"))
    results = open_tickets(desk.env, _intakes([ORDER, "a\x00b", ORDER]))
    assert isinstance(results[1], sa.exc.DataError)
    assert isinstance(results[0], Opened) and isinstance(results[2], Opened)
    assert len(desk.tickets()) == 2


@pytest.fixture(params=SQL_BACKENDS)
def web_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    request.getfixturevalue(f"{request.param}_db")  # emptied
    return url


async def _batch(app: Any, forms: list[dict[str, str]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
        return list(await asyncio.gather(*(client.post("/api/intake", json=f) for f in forms)))


def test_a_nul_byte_is_422_and_the_concurrent_intakes_are_all_stored(
    web_url: str, tmp_path: Path
) -> None:
    config = Settings(
        database_url=web_url,
        var_dir=tmp_path,
        secret_key="test-secret-key-that-is-long-enough-0123456789",  # type: ignore[arg-type]
        public_rate_per_minute=10_000.0,
        public_burst=10_000,
    )
    env = bootstrap.open_env(config, rulebook(preset="cs-sop"), upgrade=False)
    assert isinstance(env.store, Database)
    app = create_app(env, config, hasher=bootstrap.password_hasher(fast=True))
    forms = [{"email": f"c{n}@example.com", "body": ORDER} for n in range(20)]
    forms.insert(10, {"email": "bad@example.com", "body": "a\x00b"})
    try:
        answers = asyncio.run(_batch(app, forms))
    finally:
        env.store.dispose()  # its pooled connections, closed now rather than by the collector
    bad = answers.pop(10)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "body.body"
    assert [a.status_code for a in answers] == [201] * 20
    database = bootstrap.open_database(web_url)
    try:
        with database.uow() as uow:
            for answer in answers:
                assert uow.tickets.get(answer.json()["ticket_id"]) is not None
    finally:
        database.dispose()


def test_an_idempotency_key_reused_with_another_text_is_refused_on_each_store(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    first, same, other = _intakes([ORDER, ORDER, "My card was charged twice"])
    same = Intake(same.channel, same.text, first.contact, idempotency_key="k0")
    other = Intake(other.channel, other.text, first.contact, idempotency_key="k0")
    opened, replay, refused = open_tickets(desk.env, [first, same, other])
    assert isinstance(opened, Opened) and opened.created
    assert isinstance(replay, Opened) and replay.ticket.id == opened.ticket.id
    assert isinstance(refused, IdempotencyKeyReused)
    with pytest.raises(IdempotencyKeyReused):
        open_intake(desk.env, other)
    assert [t.id for t in desk.tickets()] == [opened.ticket.id]
    with desk.env.uow() as uow:
        assert [m.body for m in uow.messages.for_ticket(opened.ticket.id)] == [ORDER]
