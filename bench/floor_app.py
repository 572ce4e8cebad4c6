"""The floor bench/intake.py measures tierdesk against: "HTTP + JSON + one durable SQLite insert".

    .venv/bin/python bench/floor_app.py --port PORT --database FILE

A trivial app on the same server stack as `tierdesk serve` (FastAPI behind uvicorn with
`tierdesk serve`'s own options: httptools, uvloop, the access log on): `POST /api/intake`
validates a JSON body with pydantic, inserts one row into SQLite (WAL, synchronous=FULL) and
answers 201 with a small JSON object only after the row is committed. Concurrent requests
share commits the way tierdesk's intake does (an asyncio queue drained by one consumer that
commits whatever waits in a worker thread), so the floor is what durable HTTP intake costs
on this stack before any helpdesk work: no triage, no routing, no clocks, no events.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field


class FloorIn(BaseModel):
    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=320)
    subject: str = Field("", max_length=500)
    body: str = Field(min_length=1, max_length=100_000)
    channel: str = "web"


class FloorOut(BaseModel):
    ticket_id: str
    created: bool
    status: str
    received_at: datetime


def create_app(database: str) -> FastAPI:
    db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS intake (id TEXT PRIMARY KEY, email TEXT, subject TEXT,"
        " body TEXT NOT NULL, channel TEXT NOT NULL, received_at TEXT NOT NULL)"
    )
    queue: asyncio.Queue[tuple[tuple[Any, ...], asyncio.Future[None]]] = asyncio.Queue()

    def commit(rows: list[tuple[Any, ...]]) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO intake VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")

    async def consume() -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            await asyncio.to_thread(commit, [row for row, _ in batch])
            for _, done in batch:
                done.set_result(None)

    app = FastAPI()
    tasks: list[asyncio.Task[None]] = []

    @app.post("/api/intake", status_code=201, response_model=FloorOut)
    async def intake(body: FloorIn) -> FloorOut:
        if not tasks:
            tasks.append(asyncio.get_running_loop().create_task(consume()))
        now = datetime.now(UTC)
        row = (f"t_{uuid.uuid4().hex}", body.email, body.subject, body.body, body.channel)
        done = asyncio.get_running_loop().create_future()
        await queue.put(((*row, now.isoformat()), done))
        await done
        return FloorOut(ticket_id=row[0], created=True, status="new", received_at=now)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.database), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
