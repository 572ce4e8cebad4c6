"""What staff notifications cost a ticket intake, on SQLite (issue 16).

    .venv/bin/python bench/notices.py [--n 150] [--staff 60]

The intake service (`open_ticket`: triage, routing, events, receipt in the outbox) on a
temporary SQLite file (WAL, synchronous=FULL), `--staff` active users, `--n` tickets each of:

- P1 outages, which the cs-sop preset's N-PRI-1 tells the manager about (one notice stored in
  the intake's own transaction, the staff read once);
- P3 order questions, which no rule wants (the hook reads nothing more).

Each beside the same intakes under the same policy with `notifications.rules` emptied (the
peer: intake as it was before issue 16). Prints milliseconds per intake and the ratios; asserts
nothing about time. Bounded: 4 x --n intakes (at most 2000 each).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from tierdesk import bootstrap
from tierdesk.domain.notify_rules import NotificationSpec
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.services import users
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.records import ROLES
from tierdesk.services.tickets import open_ticket

OUTAGE = "Your whole service is down, outage since this morning (report {i})"
ORDER = "Where is my order #{i}? It has not arrived yet."


STATEMENTS: dict[str, int] = {}  # SQL statements run, per database file


def _desk(rules: Rulebook, staff: int, directory: Path, name: str) -> Env:
    url = f"sqlite:///{directory / name}.db"
    bootstrap.upgrade_database(url)
    db = bootstrap.open_database(url)
    STATEMENTS[name] = 0

    def count(*_: object) -> None:
        STATEMENTS[name] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    env = Env(uow=db.uow, clock=FakeClock(), rules=rules, read=db.reader)
    for i in range(staff):
        role = ROLES[i % len(ROLES)]
        users.add_user(env, username=f"u{i}", display_name=f"U{i}", role=role, actor_id=None)
    STATEMENTS[name] = 0
    return env


def _per_intake_ms(env: Env, text: str, n: int, tag: str) -> float:
    times = []
    for i in range(n):
        contact = Contact("email", f"{tag}-{i}@example.com", name="Bench")
        start = time.perf_counter()
        open_ticket(env, channel="email", text=text.format(i=i), contact=contact)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--staff", type=int, default=60)
    args = parser.parse_args()
    n = max(1, min(args.n, 2000))
    rules = rulebook(preset="cs-sop")
    quiet = dataclasses.replace(rules, notifications=NotificationSpec())
    with tempfile.TemporaryDirectory(prefix="tierdesk-bench-notices-") as tmp:
        directory = Path(tmp)
        rows: list[tuple[str, float, float, float, float]] = []
        for label, text in (("P1 outage (notifies)", OUTAGE), ("P3 order (no rule)", ORDER)):
            with_rules = _desk(rules, args.staff, directory, f"on-{len(rows)}")
            without = _desk(quiet, args.staff, directory, f"off-{len(rows)}")
            # halves in turn, so that a warm-up or a noisy neighbour weighs on both alike
            on, off = [], []
            for half in range(2):
                on.append(_per_intake_ms(with_rules, text, n // 2 or 1, f"on{half}"))
                off.append(_per_intake_ms(without, text, n // 2 or 1, f"off{half}"))
            per = (n // 2 or 1) * 2
            statements = (STATEMENTS[f"on-{len(rows)}"] / per, STATEMENTS[f"off-{len(rows)}"] / per)
            rows.append((label, statistics.mean(on), statistics.mean(off), *statements))
        with bootstrap.open_database(f"sqlite:///{directory / 'on-0'}.db").uow() as uow:
            told = sum(uow.notices.unread_count(u.id) for u in uow.users.search())
    print(f"intake on SQLite, {n} tickets each, {args.staff} staff (median ms per intake)")
    print(f"{'':24} {'with rules':>11} {'no rules':>9} {'ratio':>7}   SQL statements per intake")
    for label, ms_on, ms_off, s_on, s_off in rows:
        ratio = ms_on / ms_off
        print(f"{label:24} {ms_on:11.2f} {ms_off:9.2f} {ratio:6.2f}x   {s_on:.1f} vs {s_off:.1f}")
    print(f"(notices stored in the P1 run: {told}, one per manager per ticket)")


if __name__ == "__main__":
    main()
