"""The metric set over large histories (issue 14): tierdesk's report on DuckDB over a Parquet
export, beside floors written directly in plain DuckDB SQL and in Polars (see below for what
each floor computes: neither is the whole report).

    .venv/bin/python bench/analytics.py [--sizes 100000 1000000] [--repeat 3]

The history is real in shape: the demo store (about 300 tickets through the services: triage,
replies, pauses, escalations, surveys) is exported with `tierdesk export --format parquet`, then
each table is copied k times in DuckDB (ids suffixed, times shifted by whole days over a year)
up to N tickets. Each engine then runs in its own process (its peak RSS is its own):

- tierdesk: `bootstrap.measure_export`, the whole report (every metric, business time on the
  policy's calendars, SLA per priority and clock, next-reply cycles, channels, tier mix, top
  reasons, backlog, handoffs), for the period and the previous one;
- duckdb and polars, the subset floor: the figures that need no calendar (volume, resolved,
  CSAT mean and share satisfied, NPS, escalated share, tier mix, top 10 reasons, wall-clock
  mean first response), written directly against the same files;
- duckdb+bh, the business-hours floor: the subset, plus the business-hours mean first response
  and resolution on each priority's calendar with the clocks stopped while waiting on the
  customer or resolved (the part of the report that dominates its cost), in hand-written
  DuckDB SQL. The calendar segments are an input file laid out by tierdesk's calendars
  (holidays and time zones are not SQL's job; about 20 ms), written before timing.

So neither floor is a like for like: "vs duckdb" is the full report over the cheapest honest
reading of the same files; "vs duckdb+bh" is the full report over a hand-written floor that
does the calendar arithmetic for two of its clocks (not the SLA counts, next-reply cycles,
channel calendars, backlog, handoffs or the previous period). The common figures are checked
to agree (volume, CSAT mean, tier mix; the two business means between tierdesk and
duckdb+bh). Prints figures; asserts nothing. 1M takes a few minutes here; add 10000000 to
--sizes for 10M (disk: ~1 GB).
"""

# ruff: noqa: S608 - the SQL is built from this file's own names and temp paths
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from tierdesk import analytics, bootstrap
from tierdesk.adapters.db.parquet import EXPORTED, MANIFEST
from tierdesk.policy import rulebook

SPAN_DAYS = 360
# Per table: the id columns a copy suffixes, and the time columns it shifts.
IDS = {
    "tickets": ("id", "customer_id", "related_to", "merged_into", "idempotency_key"),
    "ticket_events": ("ticket_id",),
    "messages": ("id", "ticket_id", "channel_message_id"),
    "calls": ("id", "ticket_id"),
    "escalations": ("id", "ticket_id"),
}


def seed(directory: Path) -> datetime:
    """The demo store, exported to `directory`; returns the export's time."""
    from tierdesk.cli.serve_cmd import open_env, settings_from

    url = f"sqlite:///{directory / 'seed.db'}"
    env = open_env(settings_from(database_url=url))
    import tierdesk.demo as demo

    demo.seed(env, now=env.now())
    bootstrap.export_parquet(env, directory / "seed")
    return bootstrap.exported_at(directory / "seed")


def grow(seed_dir: Path, target: Path, size: int) -> int:
    """Copies of the seed up to `size` tickets in `target` (an export of the same shape)."""
    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    tickets = con.execute(f"SELECT count(*) FROM '{seed_dir / 'tickets.parquet'}'").fetchone()
    copies = max(1, -(-size // int(tickets[0])))  # type: ignore[index]
    con.execute(f"CREATE TABLE k AS SELECT range AS k FROM range({copies})")
    for table in EXPORTED:
        name = table.name
        source = seed_dir / f"{name}.parquet"
        if name not in IDS:  # the knowledge base: one copy
            con.execute(f"COPY (SELECT * FROM '{source}') TO '{target / (name + '.parquet')}'")
            continue
        cols = []
        for column in table.columns:
            c = f'"{column.name}"'
            if column.name in IDS[name]:
                cols.append(f"CASE WHEN {c} IS NULL THEN NULL ELSE {c} || '_' || k END AS {c}")
            elif (
                str(column.type).startswith(("DATETIME", "TIMESTAMP"))
                or column.name in ("at",)
                or column.name.endswith("_at")
            ):
                cols.append(f"{c} - to_days(CAST(k % {SPAN_DAYS} AS INTEGER)) AS {c}")
            else:
                cols.append(c)
        limit = f"LIMIT {size}" if name == "tickets" else ""
        con.execute(
            f"COPY (SELECT {', '.join(cols)} FROM '{source}', k {limit}) "
            f"TO '{target / (name + '.parquet')}' (FORMAT PARQUET, COMPRESSION ZSTD)"
        )
    (target / MANIFEST).write_text((seed_dir / MANIFEST).read_text())
    con.close()
    return size


# --- the engines, each run in a child process ----------------------------------------------------


def run_tierdesk(directory: Path, since: datetime, until: datetime) -> dict[str, Any]:
    rules = rulebook(preset="cs-sop")
    report = bootstrap.measure_export(directory, rules, analytics.Scope(since, until))
    tiers = {t.tier: t.tickets for t in report.tier_mix if t.tickets}
    return {
        "tickets": report.metric("volume").value,
        "csat_mean": report.metric("csat").value,
        "tiers": tiers,
        "fr_business": report.metric("first_response_time").value,
        "res_business": report.metric("resolution_time").value,
    }


FLOOR_SQL = """
WITH tk AS (SELECT * FROM read_parquet('{d}/tickets.parquet')
            WHERE created_at >= ?::TIMESTAMP AND created_at < ?::TIMESTAMP AND merged_into IS NULL),
first_reply AS (SELECT ticket_id, min(created_at) AS at FROM read_parquet('{d}/messages.parquet')
                WHERE kind = 'reply' GROUP BY ticket_id),
esc AS (SELECT DISTINCT ticket_id FROM read_parquet('{d}/escalations.parquet'))
SELECT count(*) AS tickets,
       count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS resolved,
       avg(csat) AS csat_mean,
       count(*) FILTER (WHERE csat >= 4) / nullif(count(csat), 0) AS satisfied,
       (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6))
         / nullif(count(nps), 0) AS nps,
       count(esc.ticket_id) / count(*) AS escalated,
       avg(epoch(first_reply.at) - epoch(tk.created_at)) AS first_response_wall
FROM tk LEFT JOIN first_reply ON first_reply.ticket_id = tk.id
        LEFT JOIN esc ON esc.ticket_id = tk.id
"""


# The business-hours figures (mean first response and resolution on each priority's calendar,
# the clock stopped while waiting on the customer or resolved): the calendar segments of the
# report's range are an input file (`calendar.parquet`, laid out by tierdesk's calendars, as
# holidays are not SQL's job; `priorities.parquet` maps a priority to its calendar), then one
# ASOF join gives each instant's business clock.
BUSINESS_SQL = """
WITH seg AS (SELECT * FROM read_parquet('{d}/calendar.parquet')),
tk AS (SELECT t.id, p.cal, epoch(t.created_at) AS xc, epoch(t.first_response_at) AS xf,
              epoch(coalesce(t.resolved_at, t.closed_at)) AS xr
       FROM read_parquet('{d}/tickets.parquet') t
       JOIN read_parquet('{d}/priorities.parquet') p ON p.priority = t.priority
       WHERE t.created_at >= ?::TIMESTAMP AND t.created_at < ?::TIMESTAMP
         AND t.merged_into IS NULL),
ev AS (SELECT ticket_id, kind, epoch("at") AS xa,
              lead(epoch("at")) OVER (PARTITION BY ticket_id ORDER BY seq) AS xb
       FROM read_parquet('{d}/ticket_events.parquet')
       WHERE kind IN ('clock_paused', 'resolved', 'closed', 'merged', 'clock_resumed',
                      'reopened') AND ticket_id IN (SELECT id FROM tk)),
stops AS (SELECT ticket_id, xa, xb FROM ev
          WHERE kind IN ('clock_paused', 'resolved', 'closed', 'merged')),
spans AS (SELECT id, 'fr' AS tag, cal, xc AS a, xf AS b FROM tk WHERE xf IS NOT NULL
          UNION ALL SELECT id, 'res', cal, xc, xr FROM tk WHERE xr IS NOT NULL),
ends AS (SELECT id, tag, cal, b AS x, 1.0 AS sgn FROM spans
         UNION ALL SELECT id, tag, cal, a, -1.0 FROM spans
         UNION ALL SELECT sp.id, sp.tag, sp.cal, x, sgn FROM spans sp
           JOIN stops s ON s.ticket_id = sp.id AND s.xa < sp.b AND coalesce(s.xb, 1e12) > sp.a,
           LATERAL (VALUES (least(coalesce(s.xb, sp.b), sp.b), -1.0),
                           (greatest(s.xa, sp.a), 1.0)) AS v(x, sgn)),
clocked AS (SELECT e.id, e.tag,
                   sum(e.sgn * (g.cum + g.pre + CASE WHEN g.open = 1 THEN e.x - g.lo ELSE 0 END))
                     AS secs
            FROM ends e JOIN seg g ON e.cal = g.cal AND g.day = CAST(floor(e.x / 86400) AS INTEGER)
              AND e.x >= g.lo AND e.x < g.hi
            GROUP BY e.id, e.tag)
SELECT avg(secs) FILTER (WHERE tag = 'fr'), avg(secs) FILTER (WHERE tag = 'res') FROM clocked
"""


def calendar_inputs(directory: Path, since: datetime, until: datetime) -> None:
    """The floors' calendar input: tierdesk's calendar segments for the report's range (as
    `analytics.metrics._context` lays them out) and each priority's calendar, as Parquet."""
    from tierdesk.analytics.business import calendar_rows

    rules = rulebook(preset="cs-sop")
    now = bootstrap.exported_at(directory)
    lo, hi = min(since, now) - timedelta(days=2), max(until, now) + timedelta(days=2)
    rows = calendar_rows(rules.calendars, lo, hi)
    con = duckdb.connect()
    columns = [list(c) for c in zip(*rows, strict=True)]
    names = ("cal", "day", "lo", "hi", "cum", "pre", "open")
    unnest = ", ".join(f"unnest(?) AS {n}" for n in names)
    con.execute(f"CREATE TABLE seg AS SELECT {unnest}", columns)
    con.execute(f"COPY (FROM seg ORDER BY cal, lo) TO '{directory / 'calendar.parquet'}'")
    prio = [(p.id, p.clock) for p in rules.priorities]
    con.execute("CREATE TABLE prio (priority VARCHAR, cal VARCHAR)")
    con.executemany("INSERT INTO prio VALUES (?, ?)", prio)
    con.execute(f"COPY prio TO '{directory / 'priorities.parquet'}'")
    con.close()


def run_duckdb(directory: Path, since: datetime, until: datetime) -> dict[str, Any]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    bounds = [since.replace(tzinfo=None), until.replace(tzinfo=None)]
    row = con.execute(FLOOR_SQL.format(d=directory), bounds).fetchone()
    cohort = (
        f"FROM read_parquet('{directory}/tickets.parquet') WHERE created_at >= ?::TIMESTAMP"
        " AND created_at < ?::TIMESTAMP AND merged_into IS NULL"
    )
    tiers = dict(con.execute(f"SELECT tier, count(*) {cohort} GROUP BY tier", bounds).fetchall())
    con.execute(
        f"SELECT category, count(*) AS n {cohort} GROUP BY category ORDER BY n DESC LIMIT 10",
        bounds,
    ).fetchall()
    assert row is not None
    return {"tickets": row[0], "csat_mean": row[2], "tiers": tiers}


def run_duckdb_business(directory: Path, since: datetime, until: datetime) -> dict[str, Any]:
    """`run_duckdb`, and the business-hours first response and resolution means."""
    out = run_duckdb(directory, since, until)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    bounds = [since.replace(tzinfo=None), until.replace(tzinfo=None)]
    fr, res = con.execute(BUSINESS_SQL.format(d=directory), bounds).fetchone()  # type: ignore[misc]
    return {**out, "fr_business": fr, "res_business": res}


def run_polars(directory: Path, since: datetime, until: datetime) -> dict[str, Any]:
    import polars as pl

    lo, hi = since.replace(tzinfo=None), until.replace(tzinfo=None)
    tk = (
        pl.scan_parquet(directory / "tickets.parquet")
        .filter(
            (pl.col("created_at") >= lo)
            & (pl.col("created_at") < hi)
            & pl.col("merged_into").is_null()
        )
        .collect()
    )
    replies = (
        pl.scan_parquet(directory / "messages.parquet")
        .filter(pl.col("kind") == "reply")
        .group_by("ticket_id")
        .agg(pl.col("created_at").min().alias("first_reply"))
    )
    esc = pl.scan_parquet(directory / "escalations.parquet").select("ticket_id").unique()
    joined = (
        tk.lazy()
        .join(replies, left_on="id", right_on="ticket_id", how="left")
        .join(
            esc.with_columns(pl.lit(1).alias("esc")), left_on="id", right_on="ticket_id", how="left"
        )
        .select(
            pl.len().alias("tickets"),
            pl.col("status").is_in(["resolved", "closed"]).sum().alias("resolved"),
            pl.col("csat").mean().alias("csat_mean"),
            (pl.col("csat") >= 4).sum().alias("satisfied"),
            pl.col("nps").count().alias("nps_answers"),
            pl.col("esc").sum().alias("escalated"),
            (pl.col("first_reply") - pl.col("created_at")).dt.total_seconds().mean().alias("fr"),
        )
        .collect()
    )
    tiers = dict(tk.group_by("tier").len().iter_rows())
    tk.group_by("category").len().sort("len", descending=True).head(10)
    return {"tickets": joined["tickets"][0], "csat_mean": joined["csat_mean"][0], "tiers": tiers}


ENGINES = {
    "tierdesk": run_tierdesk,
    "duckdb": run_duckdb,
    "duckdb+bh": run_duckdb_business,
    "polars": run_polars,
}


def child(engine: str, directory: str, since: str, until: str, repeat: int) -> None:
    lo, hi = datetime.fromisoformat(since), datetime.fromisoformat(until)
    times = []
    result: dict[str, Any] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        result = ENGINES[engine](Path(directory), lo, hi)
        times.append(time.perf_counter() - start)
    rss = _peak_mb()
    print(json.dumps({"seconds": statistics.median(times), "rss_mb": rss, **result}, default=str))


def _peak_mb() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(engine: str, directory: Path, since: datetime, until: datetime, repeat: int) -> Any:
    args = [sys.executable, __file__, "--child", engine, str(directory)]
    args += [since.isoformat(), until.isoformat(), str(repeat)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"{engine} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tierdesk-analytics-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        exported = seed(root)
        print(f"seed: the demo store exported in {time.perf_counter() - started:.1f} s")
        until = exported + timedelta(days=1)
        since = until - timedelta(days=SPAN_DAYS + 60)
        print(
            f"{'tickets':>10} {'engine':<10} {'median s':>9} {'peak MB':>8}"
            f" {'vs duckdb':>10} {'vs duckdb+bh':>13}"
        )
        for size in args.sizes:
            target = root / f"n{size}"
            grow(root / "seed", target, size)
            calendar_inputs(target, since, until)
            figures = {e: measure(e, target, since, until, args.repeat) for e in ENGINES}
            floor, floor_bh = figures["duckdb"]["seconds"], figures["duckdb+bh"]["seconds"]
            for engine, f in figures.items():
                print(
                    f"{size:>10} {engine:<10} {f['seconds']:>9.3f} {f['rss_mb']:>8.0f} "
                    f"{f['seconds'] / floor:>9.2f}x {f['seconds'] / floor_bh:>12.2f}x"
                )
            counts = {e: (f["tickets"], round(f["csat_mean"] or 0, 6)) for e, f in figures.items()}
            agree = len(set(counts.values())) == 1
            print(f"{'':>10} volume and CSAT mean agree across engines: {agree} {counts}")
            business = {
                e: (round(f["fr_business"], 3), round(f["res_business"], 3))
                for e, f in figures.items()
                if "fr_business" in f
            }
            agree = len(set(business.values())) == 1
            print(f"{'':>10} business first response / resolution means agree: {agree} {business}")
            tiers = {e: f["tiers"] for e, f in figures.items() if f["tiers"]}
            if len({json.dumps(t, sort_keys=True) for t in tiers.values()}) > 1:
                print(f"{'':>10} tier mix differs: {tiers}")
        print(
            "duckdb, polars: the figures without a calendar only (a subset of the report);"
            " duckdb+bh: those and the business-hours first response and resolution means"
            " (calendar segments and stops), the report's costliest part, hand-written."
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6], int(sys.argv[6]))
    else:
        main()
