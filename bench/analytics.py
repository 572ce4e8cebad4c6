"""The metric set over large histories (issue 14): tierdesk's report on DuckDB over a Parquet
export, beside the same headline figures written directly in plain DuckDB SQL and in Polars.

    .venv/bin/python bench/analytics.py [--sizes 100000 1000000] [--repeat 3]

The history is real in shape: the demo store (about 300 tickets through the services: triage,
replies, pauses, escalations, surveys) is exported with `tierdesk export --format parquet`, then
each table is copied k times in DuckDB (ids suffixed, times shifted by whole days over a year)
up to N tickets. Each engine then runs in its own process (its peak RSS is its own):

- tierdesk: `bootstrap.measure_export`, the whole report (every metric, business time on the
  policy's calendars, SLA per priority and clock, channels, tier mix, top reasons);
- floor, plain DuckDB SQL and Polars: the figures that need no calendar (volume, resolved,
  CSAT mean and share satisfied, NPS, escalated share, tier mix, top 10 reasons, wall-clock
  mean first response), read from the same files.

The floors measure less than the report (no business time, no clocks): their ratio is how much
the full definitions cost over the cheapest honest reading of the same files, not a like for
like. The common figures (volume, CSAT mean, tier mix) are checked to agree. Prints figures;
asserts nothing. 1M takes a few minutes here; add 10000000 to --sizes for 10M (disk: ~1 GB).
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


ENGINES = {"tierdesk": run_tierdesk, "duckdb": run_duckdb, "polars": run_polars}


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
        print(f"{'tickets':>10} {'engine':<9} {'median s':>9} {'peak MB':>8} {'vs duckdb':>10}")
        for size in args.sizes:
            target = root / f"n{size}"
            grow(root / "seed", target, size)
            figures = {e: measure(e, target, since, until, args.repeat) for e in ENGINES}
            floor = figures["duckdb"]["seconds"]
            for engine, f in figures.items():
                print(
                    f"{size:>10} {engine:<9} {f['seconds']:>9.3f} {f['rss_mb']:>8.0f} "
                    f"{f['seconds'] / floor:>9.2f}x"
                )
            counts = {e: (f["tickets"], round(f["csat_mean"] or 0, 6)) for e, f in figures.items()}
            agree = len(set(counts.values())) == 1
            print(f"{'':>10} volume and CSAT mean agree across engines: {agree} {counts}")
            tiers = {e: f["tiers"] for e, f in figures.items() if f["tiers"]}
            if len({json.dumps(t, sort_keys=True) for t in tiers.values()}) > 1:
                print(f"{'':>10} tier mix differs: {tiers}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6], int(sys.argv[6]))
    else:
        main()
