"""Engine benchmarks, side by side with peers. Prints times and ratios; never asserts timings.

    .venv/bin/python bench/engine.py [--n 100000] [--seed 2026] [--only sla]

Sections (one function each, run in order by `main`; each returns its number of wrong answers,
and the run exits 1 when any section has one):
- sla: `due(start, 4h)` on the cs-sop business calendar (Mon-Fri 09:00-12:00, 13:00-18:00
  Asia/Taipei, Taiwan public holidays) for the same seeded random instants, with tierdesk's
  BusinessCalendar and with businesstimedelta (WorkDayRule per interval + HolidayRule over the
  same `holidays` object). Every answer must be the same instant.
- decisions: the whole per-ticket pipeline (triage + route, SLA due times, escalation
  evaluation 20 minutes later) on the labeled tickets of tests/data/signals_labeled.csv, for the
  rule path (phrases only) and the model path (the classifier trained on the Banking77 train
  split in data/banking77, with the shipped intent map). Prints decisions per second; the
  reference is the rule path without escalation, i.e. what each later stage costs.
- triage: decisions per second of triage alone on the rule path (one pass of the compiled
  key-word automaton over the normalized text, then only the phrases whose key words occur),
  and of the learned model classifying texts in batches (the --jsonl path and `triage eval`
  call it 512 texts at a time), beside the figures measured before this work (issue 15:
  8,200/s rule path per core, 614/s model one text per call). This machine is shared: the
  same run also prints `re.search` of a short literal per second as a yardstick of how loaded
  it is.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import businesstimedelta as btd
import holidays
import pytz

from tierdesk import bootstrap, policy
from tierdesk.domain.calendar import BusinessCalendar
from tierdesk.domain.classifier import Classifier
from tierdesk.domain.escalation import evaluate
from tierdesk.domain.intent_map import IntentMapping
from tierdesk.domain.routing import triage_ticket
from tierdesk.domain.rulebook import CalendarSpec, Rulebook
from tierdesk.domain.sla import due_times
from tierdesk.domain.ticket import Ticket
from tierdesk.domain.triage import predict_all, triage

REPO = Path(__file__).resolve().parents[1]
LABELED = REPO / "tests/data/signals_labeled.csv"
BANKING77 = REPO / "data/banking77"


@dataclass(frozen=True)
class Options:
    n: int
    seed: int


def timed(run: Callable[[], list[datetime]]) -> tuple[float, list[datetime]]:
    """Seconds taken by one run, and its answers."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


# --- sla ----------------------------------------------------------------------------------------

SLA_ZONE = "Asia/Taipei"
SLA_INTERVALS = ((clock(9), clock(12)), (clock(13), clock(18)))
SLA_FIRST = datetime(2025, 1, 1, tzinfo=UTC)
SLA_SPAN_S = 3 * 365 * 86400  # instants over 2025-2027
SLA_DURATION = timedelta(hours=4)


def sla_instants(n: int, seed: int) -> list[datetime]:
    """`n` seeded random instants (whole seconds, UTC) over three years."""
    rng = random.Random(seed)
    return [SLA_FIRST + timedelta(seconds=rng.randrange(SLA_SPAN_S)) for _ in range(n)]


def sla_calendars(tw: holidays.HolidayBase) -> tuple[BusinessCalendar, btd.Rules]:
    """The same business calendar in both libraries."""
    weekly = (SLA_INTERVALS,) * 5 + ((), ())
    ours = BusinessCalendar(
        CalendarSpec(name="business", timezone=SLA_ZONE, weekly=weekly, holidays=tw)
    )
    tz = pytz.timezone(SLA_ZONE)
    work = [
        btd.WorkDayRule(start_time=a, end_time=b, working_days=[0, 1, 2, 3, 4], tz=tz)
        for a, b in SLA_INTERVALS
    ]
    return ours, btd.Rules([*work, btd.HolidayRule(tw, tz=tz)])


def bench_sla(opts: Options) -> int:
    """due(start, 4h) for `opts.n` instants: tierdesk vs businesstimedelta; mismatches."""
    # Both read one holidays object, filled for the years in play before any timing.
    tw = holidays.country_holidays("TW", years=range(2025, 2030))
    starts = sla_instants(opts.n, opts.seed)
    ours, rule = sla_calendars(tw)
    delta = btd.BusinessTimeDelta(rule, timedelta=SLA_DURATION)
    print(
        f"== sla: due(start, 4h) for {opts.n:,} random instants (seed {opts.seed}), "
        f"Mon-Fri 09-12,13-18 {SLA_ZONE}, Taiwan holidays"
    )
    ours_s, mine = timed(lambda: [ours.due(s, SLA_DURATION) for s in starts])
    peer_s, peer = timed(lambda: [s + delta for s in starts])
    print(f"tierdesk BusinessCalendar.due: {ours_s:8.3f} s  ({ours_s / opts.n * 1e6:7.2f} us/call)")
    print(f"businesstimedelta:             {peer_s:8.3f} s  ({peer_s / opts.n * 1e6:7.2f} us/call)")
    print(f"ratio businesstimedelta / tierdesk: {peer_s / ours_s:.1f}x")
    return report_mismatches(starts, mine, peer)


def report_mismatches(
    starts: Sequence[datetime], mine: Sequence[datetime], peer: Sequence[datetime]
) -> int:
    """Print each disagreement (the first 20) and return how many there are."""
    bad = [(s, a, b) for s, a, b in zip(starts, mine, peer, strict=True) if a != b]
    local = pytz.timezone(SLA_ZONE)
    for s, a, b in bad[:20]:
        print(
            f"MISMATCH start {s.astimezone(local).isoformat()}: tierdesk "
            f"{a.astimezone(local).isoformat()} businesstimedelta {b.astimezone(local).isoformat()}"
        )
    print(f"identical answers: {len(starts) - len(bad):,}/{len(starts):,}")
    return len(bad)


# --- decisions ----------------------------------------------------------------------------------


def decide(
    text: str,
    created: datetime,
    rules: Rulebook,
    classifier: Classifier | None,
    intents: dict[str, IntentMapping] | None,
    *,
    escalate: bool = True,
) -> int:
    """One ticket through triage + route, SLA due times and escalation; escalations due."""
    d = triage_ticket({"text": text}, rules, classifier=classifier, intent_map=intents)
    due_times(d.priority, created, rules)
    if not escalate:
        return 0
    ticket = Ticket(
        "t", d.category, d.priority, d.tier, "open", created, created, d.signals, d.refund
    )
    return len(evaluate(ticket, [], created + timedelta(minutes=20), rules))


def pipeline_rate(
    texts: list[str], starts: list[datetime], rules: Rulebook, **kw: object
) -> tuple[float, int]:
    """Decisions per second over all texts, and the number of escalations raised."""
    begin = time.perf_counter()
    raised = sum(decide(t, at, rules, **kw) for t, at in zip(texts, starts, strict=True))  # type: ignore[arg-type]
    return len(texts) / (time.perf_counter() - begin), raised


def banking77_model() -> tuple[Classifier, dict[str, IntentMapping]] | None:
    """The classifier trained on the Banking77 train split, with the shipped intent map; None
    (said so) when the data is not there."""
    if not (BANKING77 / "train.csv").is_file():
        print("model path: skipped (no data/banking77/train.csv)")
        return None
    model = bootstrap.train_classifier_from_csv(BANKING77 / "train.csv")
    return model, bootstrap.load_intent_map(BANKING77 / "intent_to_triage.csv")


def bench_decisions(opts: Options) -> int:
    rules = policy.rulebook(preset="cs-sop")
    with LABELED.open(encoding="utf-8", newline="") as handle:
        base = [row["text"] for row in csv.DictReader(handle)]
    n = min(opts.n, 20_000)
    texts = [base[i % len(base)] for i in range(n)]
    starts = sla_instants(n, opts.seed)
    print(f"== decisions: {n:,} tickets ({len(base)} distinct texts, en + zh-TW), cs-sop preset")
    ref, _ = pipeline_rate(texts, starts, rules, classifier=None, intents=None, escalate=False)
    rule, raised = pipeline_rate(texts, starts, rules, classifier=None, intents=None)
    print(f"rule path, triage + route + SLA:              {ref:9,.0f} decisions/s")
    print(
        f"rule path, + escalation evaluate:             {rule:9,.0f} decisions/s  "
        f"({rule / ref:.2f}x of the reference; {raised:,} escalations)"
    )
    trained = banking77_model()
    if trained is None:
        return 0
    model, intents = trained
    m = min(n, 5_000)
    mod, raised = pipeline_rate(texts[:m], starts[:m], rules, classifier=model, intents=intents)
    print(
        f"model path, + classifier (one text per call): {mod:9,.0f} decisions/s  "
        f"({mod / ref:.2f}x of the reference; {raised:,} escalations in {m:,})"
    )
    return 0


# --- triage -------------------------------------------------------------------------------------

BEFORE_RULE_PATH = 8_200  # decisions/s per core before the compiled matcher (issue 15)
BEFORE_MODEL = 614  # decisions/s of the model path, one text per call (issue 15)
GOAL_RULE_PATH = 50_000
GOAL_MODEL = 10_000


def _rate(run: Callable[[], object], n: int, rounds: int = 3) -> float:
    """Best of `rounds` runs, in items per second (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def bench_triage(opts: Options) -> int:

    rules = policy.rulebook(preset="cs-sop")
    paths = [LABELED, REPO / "tests/data/triage_classes.csv"]
    base = [row["text"] for p in paths for row in csv.DictReader(p.open(encoding="utf-8"))]
    n = min(opts.n, 10_000)
    texts = [base[i % len(base)] for i in range(n)]
    print(f"== triage: {n:,} texts ({len(base)} distinct, en + zh-TW), cs-sop preset, one core")
    yard = _rate(lambda: [re.search("zzq", t) for t in texts], n)
    print(f"yardstick, re.search of a short literal:      {yard:12,.0f} /s")
    triage(texts[0], rules)  # compile once, as a running service does
    rule = _rate(lambda: [triage(t, rules) for t in texts], n)
    print(
        f"rule path, triage only:                       {rule:12,.0f} decisions/s  "
        f"(before: {BEFORE_RULE_PATH:,}/s; goal {GOAL_RULE_PATH:,}/s)"
    )
    trained = banking77_model()
    if trained is None:
        return 0
    model, intents = trained
    batch = 512

    def batched() -> None:
        for i in range(0, n, batch):
            chunk = texts[i : i + batch]
            for t, p in zip(chunk, predict_all(model, chunk), strict=True):
                triage(t, rules, classifier=model, intent_map=intents, prediction=p)

    mod = _rate(batched, n, rounds=2)
    alone = _rate(lambda: model.predict(texts), n, rounds=2)
    print(
        f"model path, triage + model in batches of {batch}: {mod:9,.0f} decisions/s  "
        f"(before: {BEFORE_MODEL:,}/s one text per call; goal {GOAL_MODEL:,}/s)"
    )
    print(f"model alone, {n:,} texts in one call:          {alone:12,.0f} predictions/s")
    return 0


# --- main ---------------------------------------------------------------------------------------

SECTIONS: dict[str, Callable[[Options], int]] = {
    "sla": bench_sla,
    "decisions": bench_decisions,
    "triage": bench_triage,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="instants per section")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    args = parser.parse_args(argv)
    opts = Options(n=args.n, seed=args.seed)
    wrong = 0
    for name in args.only or SECTIONS:
        wrong += SECTIONS[name](opts)
        print()
    if wrong:
        print(f"{wrong} wrong answer(s)", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
