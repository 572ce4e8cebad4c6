"""Durable intake: kill the server with SIGKILL in the middle of a load of creates, restart it,
and every acknowledged ticket is there exactly once (issue 5, "nothing accepted is ever lost").

A real `tierdesk serve` process on SQLite (WAL, synchronous=FULL); the client sends each create
with its own Idempotency-Key, so after the restart the same keys are sent again: an
acknowledged key must come back with the same ticket id (stored once, not lost), and the keys
that were never acknowledged must now be accepted, for a total of exactly N tickets.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from serverproc import Server

N = 2_000
KILL_AFTER = 600  # acknowledgements before the SIGKILL: mid-load by construction
CLIENTS = 12
# The public intake is rate-limited per client address; this test is one address.
UNLIMITED = {"TIERDESK_PUBLIC_RATE_PER_MINUTE": "1000000"}


def payload(key: str) -> dict[str, str]:
    return {
        "name": "Crash Test",
        "email": f"{key}@example.com",
        "subject": f"order {key}",
        "body": f"Where is my order {key}? It has not arrived.",
        "channel": "web",
    }


def send_all(server: Server, keys: list[str], acked: dict[str, str], stop: threading.Event) -> None:
    """POST every key (CLIENTS at a time); record the ticket id of each acknowledged one.

    One client for all (building one per request costs ~40 ms of CPU for its SSL context);
    no kept-alive connections, so each request still opens its own as a fresh client would."""
    lock = threading.Lock()
    client = httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))

    def send(key: str) -> None:
        if stop.is_set():
            return
        try:
            r = client.post(
                f"{server.url}/api/intake", json=payload(key), headers={"Idempotency-Key": key}
            )
        except httpx.TransportError:
            return  # not acknowledged: the client would retry with the same key
        if r.status_code in (200, 201):
            with lock:
                acked[key] = r.json()["ticket_id"]

    with client, ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(send, keys))


@pytest.mark.slow
def test_every_acknowledged_intake_survives_sigkill_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in UNLIMITED.items():
        monkeypatch.setenv(name, value)
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    keys = [f"crash-{i:05d}" for i in range(N)]
    first: dict[str, str] = {}
    stop = threading.Event()
    server = Server(db, tmp_path).start()

    def killer() -> None:
        while len(first) < KILL_AFTER and server.proc is not None and server.proc.poll() is None:
            stop.wait(0.005)
        server.kill()
        stop.set()

    watcher = threading.Thread(target=killer)
    watcher.start()
    try:
        send_all(server, keys, first, threading.Event())
    finally:
        watcher.join(timeout=60)
        server.kill()
    assert KILL_AFTER <= len(first) < N, "the kill must land in the middle of the load"

    again = Server(db, tmp_path).start()
    try:
        second: dict[str, str] = {}
        send_all(again, keys, second, threading.Event())
    finally:
        again.stop()
    lost = {k for k in first if second.get(k) != first[k]}
    assert not lost, f"acknowledged before the kill, then missing or changed: {sorted(lost)[:5]}"
    assert set(second) == set(keys), "every key is accepted once the server is back"
    assert len(set(second.values())) == N, "exactly one ticket per key"
