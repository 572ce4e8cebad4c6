"""Durable intake throughput over HTTP, beside a floor app and the raw durable-insert rate.

    .venv/bin/python bench/intake.py [--n 1000] [--concurrency 32] [--rounds 1] [--postgres URL]

For each database (SQLite in a temporary file; PostgreSQL when --postgres or
$TIERDESK_TEST_POSTGRES_URL names a server whose role may CREATE DATABASE):

1. A real `tierdesk serve --no-workers` process on a free loopback port. A bounded client
   (`--concurrency` keep-alive connections with one request in flight each, `--n` in all, each
   with its own Idempotency-Key) posts the public intake; the client is plain asyncio streams so
   that it leaves the server its core (both share this machine); the figure is acknowledged
   creations (HTTP 201) per second. Every ticket is triaged, routed, stored with its events,
   message and receipt in the outbox. The server's CPU time per intake (from /proc) is printed
   too: on this shared 2-core machine it moves less than the rate does.
2. The floor: `bench/floor_app.py`, a trivial "HTTP + JSON + one durable SQLite insert" app on
   the same server stack (FastAPI behind uvicorn, httptools, uvloop, access log) with the same
   group commit, driven by the same client. tierdesk / floor is the share of the stack's
   durable-intake rate that is left after the helpdesk's work. With `--rounds R` both run R
   times, alternating, and the medians are printed (other processes share the cores).
3. The same database, through the same engine set-up (WAL + synchronous=FULL on SQLite):
   rows of a ticket's size inserted (a) one per transaction, the cost of one fsync per ticket,
   and (b) in transactions of 50 rows, the physical limit of durable rows per second when
   commits are grouped. The ratio of 1 to 2b says how close the helpdesk gets to the disk.

Prints figures and ratios; asserts nothing about time. Bounded: --n requests per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from serverproc import Server, free_port  # noqa: E402 - the launcher the crash test uses

from tierdesk.adapters.db.database import make_engine  # noqa: E402

BODY = "Where is my order #{i}? It was due last week and the tracking page has not changed."


def _request(host: str, i: int, tag: str) -> bytes:
    body = json.dumps(
        {
            "name": f"Bench {i}",
            "email": f"bench-{tag}-{i}@example.com",
            "subject": f"order {i}",
            "body": BODY.format(i=i),
            "channel": "web",
        }
    ).encode()
    head = (
        f"POST /api/intake HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: bench-{tag}-{i}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _status(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length framed); its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        (
            int(v)
            for k, _, v in (ln.partition(":") for ln in lines[1:])
            if k.lower() == "content-length"
        ),
        0,
    )
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def post_all(url: str, n: int, concurrency: int, tag: str) -> tuple[float, int]:
    """Seconds to get n intakes acknowledged over `concurrency` keep-alive connections (one
    request in flight on each), and the 201 count. A plain HTTP/1.1 client on asyncio streams,
    requests built before the clock starts: it costs the server's core little, where a full
    client library (httpx) took more CPU per request than the server did on this 2-core box."""
    target = httpx.URL(url)
    host, port = target.host, target.port or 80
    requests = [_request(f"{host}:{port}", i, tag) for i in range(n)]
    todo = iter(range(n))
    codes: list[int] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in todo:
                writer.write(requests[i])
                codes.append(await _status(reader))
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(min(concurrency, n))))
    return time.perf_counter() - start, sum(c == 201 for c in codes)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(url: str, pid: int, n: int, concurrency: int, tag: str) -> tuple[float, float]:
    """(acknowledged intakes/s, server CPU ms per intake) of one run of n requests."""
    asyncio.run(post_all(url, min(50, n), concurrency, f"warm-{tag}"))  # not counted
    cpu = cpu_seconds(pid)
    seconds, ok = asyncio.run(post_all(url, n, concurrency, tag))
    cpu = cpu_seconds(pid) - cpu
    if ok != n:
        print(f"  warning: {n - ok} of {n} intakes were not acknowledged with 201")
    return ok / seconds, 1000 * cpu / max(ok, 1)


def http_rate(
    db_url: str, workdir: Path, n: int, concurrency: int, tag: str
) -> tuple[float, float]:
    os.environ["TIERDESK_PUBLIC_RATE_PER_MINUTE"] = "100000000"  # one client address here
    server = Server(db_url, workdir, extra=("--no-workers",)).start()
    try:
        assert server.proc is not None
        return drive(server.url, server.proc.pid, n, concurrency, tag)
    finally:
        server.stop()


def floor_rate(workdir: Path, n: int, concurrency: int, tag: str) -> tuple[float, float]:
    """The floor app (bench/floor_app.py) on a fresh SQLite file, driven like tierdesk."""
    port = free_port()
    database = workdir / f"floor-{tag}.db"
    log = (workdir / f"floor-{port}.log").open("ab")
    cmd = [sys.executable, str(REPO / "bench" / "floor_app.py"), "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--database", str(database)], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the floor app did not start") from None
                time.sleep(0.1)
        return drive(url, proc.pid, n, concurrency, tag)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def rows_per_ticket(db_url: str) -> float:
    """Rows the helpdesk stored per ticket (ticket, events, message, customer, outbox ...)."""
    engine = make_engine(db_url)
    try:
        names = [t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.connect() as conn:
            count = {
                t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one()
                for t in names
            }
    finally:
        engine.dispose()
    return sum(count.values()) / max(count.get("tickets", 0), 1)


def raw_rates(db_url: str, n: int) -> tuple[float, float]:
    """Durable rows/s, one row per transaction and 50 rows per transaction."""
    engine = make_engine(db_url)
    meta = sa.MetaData()
    table = sa.Table(
        "bench_raw",
        meta,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    meta.drop_all(engine)
    meta.create_all(engine)
    rows = [
        {"id": f"r{i}", "body": BODY.format(i=i) * 4, "created_at": "2026-11-23T00:00:00Z"}
        for i in range(2 * n)
    ]
    try:
        single = min(n, 500)
        start = time.perf_counter()
        for row in rows[:single]:
            with engine.begin() as conn:
                conn.execute(table.insert(), [row])
        one = single / (time.perf_counter() - start)
        start = time.perf_counter()
        batch = rows[single : single + n]
        for k in range(0, len(batch), 50):
            with engine.begin() as conn:
                conn.execute(table.insert(), batch[k : k + 50])
        grouped = len(batch) / (time.perf_counter() - start)
    finally:
        meta.drop_all(engine)
        engine.dispose()
    return one, grouped


def bench_postgres(admin_url: str) -> str | None:
    """A fresh `tierdesk_bench` database on the server of `admin_url`, or None."""
    url = sa.make_url(admin_url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS tierdesk_bench"))
            conn.execute(sa.text("CREATE DATABASE tierdesk_bench"))
    except sa.exc.SQLAlchemyError as exc:
        print(f"PostgreSQL: skipped ({type(exc).__name__}: cannot create tierdesk_bench)")
        return None
    finally:
        engine.dispose()
    return url.set(database="tierdesk_bench").render_as_string(hide_password=False)


def report(
    name: str, db_url: str, workdir: Path, n: int, concurrency: int, rounds: int, floor: float
) -> float:
    """Print one database's figures; the floor's rate (measured here when `floor` is 0)."""
    print(f"== {name}: {n:,} intakes per run, {concurrency} in flight, {rounds} round(s)")
    runs: list[tuple[float, float]] = []
    floors: list[tuple[float, float]] = []
    for k in range(rounds):
        runs.append(http_rate(db_url, workdir, n, concurrency, f"run{k}"))
        if not floor:
            floors.append(floor_rate(workdir, n, concurrency, f"floor{k}"))
    rate = statistics.median(r for r, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    print(f"  tierdesk HTTP intake, acknowledged:   {rate:8,.0f} tickets/s")
    print(f"    server CPU per intake:              {cpu:8.2f} ms")
    if floors:
        floor = statistics.median(r for r, _ in floors)
        floor_cpu = statistics.median(c for _, c in floors)
        print(f"  floor app (HTTP + JSON + 1 insert):   {floor:8,.0f} requests/s")
        print(f"    server CPU per request:             {floor_cpu:8.2f} ms")
    print(f"  ratio intake / floor:                 {rate / floor:8.2f}x  (SQLite floor)")
    per = rows_per_ticket(db_url)
    one, grouped = raw_rates(db_url, n)
    limit = grouped / per
    print(f"  raw insert, 1 row per commit:         {one:8,.0f} rows/s (one fsync per row)")
    print(f"  raw insert, 50 rows per commit:       {grouped:8,.0f} rows/s")
    print(f"  rows stored per ticket:               {per:8.1f}")
    print(f"  physical limit at that size:          {limit:8,.0f} tickets/s (grouped rows / rows)")
    print(f"  ratio intake / physical limit:        {rate / limit:8.3f}x")
    return floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1, help="alternating runs (medians)")
    parser.add_argument("--postgres", default=os.environ.get("TIERDESK_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tierdesk-bench-") as tmp:
        work = Path(tmp)
        sqlite_url = f"sqlite:///{work / 'bench.db'}"
        rounds = max(args.rounds, 1)
        floor = report("SQLite", sqlite_url, work, args.n, args.concurrency, rounds, 0.0)
        pg = bench_postgres(args.postgres) if args.postgres else None
        if pg is not None:
            report("PostgreSQL", pg, work, args.n, args.concurrency, rounds, floor)
        elif not args.postgres:
            print("PostgreSQL: skipped (give --postgres URL or TIERDESK_TEST_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
