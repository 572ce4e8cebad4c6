"""The metrics' tables as Parquet files, and DuckDB over them (issue 14, large histories).

`export(engine, directory, exported_at)` writes a store's (SQLite or PostgreSQL) `tickets`,
`ticket_events`, `messages`, `calls`, `escalations` and the knowledge base's `kb_articles` and
`kb_translations` as `<table>.parquet`, one file each, with the store's columns and types, and a
manifest saying when. The rows are streamed out in batches as JSON Lines (exact strings and
NULLs, no pandas or pyarrow needed) and DuckDB types and compresses them. Times are UTC
(TIMESTAMP without zone); JSON columns are text.

`open_export(directory)` is an in-memory DuckDB (duckdb_engine, SQLAlchemy) whose views of
those files carry the tables' names, so the metric queries of `tierdesk.analytics` run on it
unchanged: one definition of each metric serves the store and the export.

The SQL below is built from the tables' own column names and from paths quoted here; DuckDB
takes no bound parameter for a COPY target or in a view, hence the text.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tierdesk.adapters.db import tables as _tables
from tierdesk.adapters.db.types import Amount, UTCDateTime
from tierdesk.domain.errors import TierdeskError

EXPORTED: tuple[sa.Table, ...] = (
    _tables.tickets,
    _tables.ticket_events,
    _tables.messages,
    _tables.calls,
    _tables.escalations,
    _tables.kb_articles,  # the Top 10 Contact Reasons' "article available"
    _tables.kb_translations,
)
BATCH = 20_000
MANIFEST = "tierdesk-export.json"
MANIFEST_FORMAT = "tierdesk-parquet-1"


class ParquetExportError(TierdeskError, ValueError):
    """A directory that does not hold a tierdesk Parquet export (the message names the file)."""

    code = "bad_parquet_export"


def _duck_type(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime | sa.DateTime):
        return "TIMESTAMP"
    if isinstance(kind, sa.Boolean):
        return "BOOLEAN"
    if isinstance(kind, sa.Integer):
        return "BIGINT"
    if isinstance(kind, sa.Float):
        return "DOUBLE"
    if isinstance(kind, Amount | sa.Numeric):
        return "DECIMAL(18,4)"
    return "VARCHAR"  # strings, text, JSON (as its text)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _duckdb() -> Any:
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


def export(engine: sa.Engine, directory: str | Path, exported_at: datetime) -> dict[str, int]:
    """Write the metrics' tables of the store at `engine` to `directory` (created; files there
    of the same names are replaced whole, each only once written), then the manifest that
    says when (`exported_at`: the export is measured as of then). Rows written, by table."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    con = _duckdb()
    try:
        for table in EXPORTED:
            counts[table.name] = _export_table(engine, con, table, target)
    finally:
        con.close()
    manifest = {
        "format": MANIFEST_FORMAT,
        "exported_at": exported_at.astimezone(UTC).isoformat(),
        "rows": counts,
    }
    tmp = target / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target / MANIFEST)
    return counts


def exported_at(directory: str | Path) -> datetime:
    """When the export in `directory` was written (its manifest); ParquetExportError when the
    directory holds no tierdesk export."""
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != MANIFEST_FORMAT:
            raise ValueError("another format")
        when = datetime.fromisoformat(manifest["exported_at"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParquetExportError(
            f"{path}: not a tierdesk Parquet export ({exc}); write one with"
            " `tierdesk export --format parquet --output DIR`"
        ) from None
    if when.tzinfo is None:
        raise ParquetExportError(f"{path}: exported_at has no UTC offset")
    return when.astimezone(UTC)


def _export_table(engine: sa.Engine, con: Any, table: sa.Table, target: Path) -> int:
    names = [c.name for c in table.columns]
    columns = {c.name: _duck_type(c) for c in table.columns}
    with tempfile.TemporaryDirectory(dir=target, prefix=".export-") as tmp:
        lines = Path(tmp) / f"{table.name}.jsonl"
        rows = 0
        with lines.open("w", encoding="utf-8") as out, engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                sa.select(table)
            )
            for part in result.partitions():
                for row in part:
                    out.write(json.dumps(dict(zip(names, map(_plain, row), strict=True))))
                    out.write("\n")
                rows += len(part)
        written = Path(tmp) / f"{table.name}.parquet"
        spec = ", ".join(f"'{n}': '{t}'" for n, t in columns.items())
        source = (
            f"read_json('{_quoted(lines)}', format = 'newline_delimited', columns = {{{spec}}})"
            if rows
            else "(SELECT "
            + ", ".join(f'NULL::{t} AS "{n}"' for n, t in columns.items())
            + " LIMIT 0)"
        )
        select = ", ".join(f'"{n}"' for n in names)
        con.execute(
            f"COPY (SELECT {select} FROM {source}) TO '{_quoted(written)}' "  # noqa: S608
            "(FORMAT PARQUET, COMPRESSION ZSTD)"
        )
        os.replace(written, target / f"{table.name}.parquet")
    return rows


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


@contextmanager
def open_export(directory: str | Path) -> Iterator[sa.Connection]:
    """A connection to an in-memory DuckDB whose views `tickets`, `ticket_events`, ... read
    the export in `directory`. ParquetExportError names a missing file."""
    source = Path(directory)
    exported_at(source)
    missing = [t.name for t in EXPORTED if not (source / f"{t.name}.parquet").is_file()]
    if missing:
        raise ParquetExportError(
            f"{source}: not a tierdesk Parquet export (no {', '.join(missing)}.parquet);"
            " write one with `tierdesk export --format parquet --output DIR`"
        )
    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.StaticPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET TimeZone = 'UTC'")
            for table in EXPORTED:
                path = _quoted((source / f"{table.name}.parquet").resolve())
                conn.exec_driver_sql(
                    f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{path}')"  # noqa: S608
                )
            yield conn
    finally:
        engine.dispose()
