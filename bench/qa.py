"""What QA reviews cost on SQLite (issue 14): scoring once, then reading the stored rows.

    .venv/bin/python bench/qa.py [--tickets 300]

Seeds the demo helpdesk (`tierdesk.demo.seed`, the cs-sop policy) on a temporary SQLite file,
then times, as the QA specialist:

- the first `qa.queue` (it scores every resolved or closed ticket once and stores the score);
- a second `qa.queue` (nothing left to score: one page of stored rows);
- `qa.scorecards` over the 30 days (one pass over the stored rows);
- the peer: scoring every resolved ticket again from its messages and events, as a scorecard
  that rescored per ticket would.

Prints milliseconds, SQL statements and the ratios; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tierdesk import bootstrap, demo
from tierdesk.policy import rulebook
from tierdesk.services import qa, qa_scoring, users
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
COUNT = [0]


def _timed(label: str, run: Callable[[], Any]) -> tuple[float, int]:
    COUNT[0] = 0
    start = time.perf_counter()
    run()
    ms = (time.perf_counter() - start) * 1000
    print(f"{label:<44} {ms:9.1f} ms {COUNT[0]:7d} statements")
    return ms, COUNT[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'qa.db'}"
        bootstrap.upgrade_database(url)
        db = bootstrap.open_database(url)
        event.listen(
            db.engine, "before_cursor_execute", lambda *_: COUNT.__setitem__(0, COUNT[0] + 1)
        )
        env = Env(uow=db.uow, read=db.reader, clock=FakeClock(NOW), rules=rulebook(preset="cs-sop"))
        summary = demo.seed(env, now=NOW, tickets=args.tickets, hash_password=lambda p: p)
        reviewer = next(u for u in users.list_users(env) if u.role == "qa").id
        print(f"demo store: {summary.tickets} tickets {summary.statuses}")
        since = NOW - timedelta(days=30)

        def rescore_all() -> None:
            with env.reader() as uow:
                for review in uow.qa.reviews(since, NOW + timedelta(seconds=1)):
                    ticket = uow.tickets.get(review.ticket_id)
                    assert ticket is not None
                    events = uow.events.for_ticket(ticket.id)
                    qa_scoring.scored(uow, env.rules, ticket, events, NOW)

        first, first_sql = _timed(
            "first queue (scores every resolved ticket)", lambda: qa.queue(env, actor_id=reviewer)
        )
        again, again_sql = _timed(
            "second queue (stored rows)", lambda: qa.queue(env, actor_id=reviewer)
        )
        cards, cards_sql = _timed(
            "scorecards, 30 days (one pass, stored rows)",
            lambda: qa.scorecards(
                env, actor_id=reviewer, since=since, until=NOW + timedelta(seconds=1)
            ),
        )
        peer, peer_sql = _timed("peer: rescoring every resolved ticket", rescore_all)
        with env.reader() as uow:
            stored = len(uow.qa.reviews(since, NOW + timedelta(seconds=1)))
        print(f"reviews stored: {stored}")
        print(f"second queue / first queue:    {again / first:.3f} time, ", end="")
        print(f"{again_sql / first_sql:.3f} statements")
        print(f"scorecards / rescoring (peer): {cards / peer:.3f} time, ", end="")
        print(f"{cards_sql / peer_sql:.3f} statements")
        db.dispose()


if __name__ == "__main__":
    main()
