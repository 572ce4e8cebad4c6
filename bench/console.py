"""Console page server time beside the JSON list endpoint on the same data.

    .venv/bin/python bench/console.py [--sizes 2000,10000] [--requests 40]

For each size, a fresh SQLite database (a temporary file, the real schema and store) gets that
many tickets through the intake service in group commits (each triaged, routed, with events,
message and receipt), then the app (`create_app`, in process) answers, signed in as a team
lead: the queue page (/queue?view=team, 50 rows, each with its most urgent SLA clock), the
queue's polled list (/queue/rows), the queue by due time and breaching soon (sort=due, risk=1:
store queries across pages since issue 11), one ticket page, and beside them the JSON list
(/api/tickets?limit=50) and one JSON ticket (/api/tickets/{id}). Times are the app's own
(TestClient, no network), p50 and p99 of --requests each, the urls asked in turn so that other
load on the machine falls on all of them alike; the ratios page/JSON are printed
(goal: within 1.5x), and the p50 at each size shows whether page time grows with the table.
The recorded django-helpdesk list page (3.46 s at 20,000 tickets) is printed as the peer.
Asserts nothing about time. Bounded: sizes and requests are given.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "web"))

from tierdesk import bootstrap  # noqa: E402
from tierdesk.config import Settings  # noqa: E402
from tierdesk.services import tickets, users  # noqa: E402
from tierdesk.services.customers import Contact  # noqa: E402
from tierdesk.services.tickets import Intake  # noqa: E402
from tierdesk.web.app import create_app  # noqa: E402

DJANGO_HELPDESK_LIST_S = 3.46  # recorded: list page at 20,000 tickets
TEXTS = (
    "Where is my order #{i}? It has not arrived yet.",
    "I was charged twice for order #{i}, please refund.",
    "The app crashes every time I open the cart page ({i}).",
    "我的訂單 #{i} 還沒到，請幫我查詢。",
)
PASSWORD = "bench password 123"  # noqa: S105 - a throwaway user in a temporary database


def fill(env: object, n: int) -> None:
    batch: list[Intake] = []
    for i in range(n):
        text = TEXTS[i % len(TEXTS)].format(i=i)
        contact = Contact("email", f"c{i % (n // 3 + 1)}@bench.example", f"Customer {i}")
        batch.append(Intake("web", text, contact, idempotency_key=f"bench-{i}"))
        if len(batch) == 200:
            tickets.open_tickets(env, batch)  # type: ignore[arg-type]
            batch = []
    if batch:
        tickets.open_tickets(env, batch)  # type: ignore[arg-type]


def timed(
    client: TestClient, urls: dict[str, str], requests: int
) -> dict[str, tuple[float, float]]:
    """p50 and p99 of each url, asked in turn (one of each per round), so that a busy machine
    slows the pages and the JSON alike and the ratios stay comparable."""
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, url in urls.items():
            start = time.perf_counter()
            r = client.get(url)
            times[name].append(time.perf_counter() - start)
            assert r.status_code == 200, (url, r.status_code)
    out = {}
    for name, found in times.items():
        found.sort()
        out[name] = statistics.median(found), found[min(len(found) - 1, int(len(found) * 0.99))]
    return out


def run(size: int, requests: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            var_dir=Path(tmp),
            secret_key="bench-secret-key-0123456789-abcdefghijklmnop",  # noqa: S106 - throwaway
            login_rate_per_minute=1000.0,
            login_burst=1000,
        )  # type: ignore[call-arg]
        env = bootstrap.open_env(settings)
        hasher = bootstrap.password_hasher(fast=True)
        users.add_user(
            env, username="lead", display_name="Lead", role="team_lead", actor_id=None,
            password_hash=hasher.hash(PASSWORD),
        )  # fmt: skip
        start = time.perf_counter()
        fill(env, size)
        print(f"  {size} tickets stored in {time.perf_counter() - start:.1f} s")
        app = create_app(env, settings, hasher=hasher)
        with TestClient(app) as client:
            r = client.post("/login", data={"username": "lead", "password": PASSWORD})
            assert r.status_code == 200, r.text
            first = client.get("/api/tickets?limit=1").json()["items"][0]["id"]
            urls = {
                "queue page": "/queue?view=team",
                "queue rows (polled)": "/queue/rows?view=team",
                "queue due first": "/queue?view=team&sort=due",
                "queue breaching soon": "/queue?view=team&sort=due&risk=1",
                "JSON list": "/api/tickets?limit=50",
                "ticket page": f"/tickets/{first}",
                "JSON ticket": f"/api/tickets/{first}",
            }
            for url in urls.values():  # warm up (templates compiled, caches filled)
                client.get(url)
            return timed(client, urls, requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"== {size} tickets (SQLite)")
        found = run(size, args.requests)
        results[size] = found
        for name, (p50, p99) in found.items():
            print(f"  {name:22s} p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms")
        q, j = found["queue page"][0], found["JSON list"][0]
        t, jt = found["ticket page"][0], found["JSON ticket"][0]
        print(f"  queue page / JSON list   {q / j:5.2f}x   (goal <= 1.5x)")
        d = found["queue due first"][0]
        print(f"  queue due first / JSON list {d / j:5.2f}x")
        print(f"  ticket page / JSON ticket {t / jt:5.2f}x  (goal <= 1.5x)")
        print(f"  django-helpdesk list page (recorded, 20,000 tickets) / queue page: "
              f"{DJANGO_HELPDESK_LIST_S / q:.0f}x")  # fmt: skip
    sizes = sorted(results)
    if len(sizes) > 1:
        a, b = results[sizes[0]]["queue page"][0], results[sizes[-1]]["queue page"][0]
        print(f"queue page p50 at {sizes[-1]} / at {sizes[0]} tickets: {b / a:.2f}x "
              "(flat = does not grow with the table)")  # fmt: skip


if __name__ == "__main__":
    main()
