"""Reading ticket history exported from elsewhere: tierdesk's CSV, Zendesk's and Freshdesk's
ticket exports. Each parser turns a file's text into `Row`s (one historical ticket each,
mapped onto our channels, statuses, priorities and the CSAT 1-5 scale) and `BadRow`s naming
the file, the line (CSV) or record (JSON) and the field. Nothing here touches the store:
`tierdesk.services.importing` stores what was read. The mappings are documented in
docs/guide.md ("Importing history").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from tierdesk.domain.model import CHANNELS

FORMATS = ("csv", "jsonl", "zendesk", "freshdesk")
STATUSES = ("new", "open", "pending_customer", "resolved", "closed")

# tierdesk's CSV: the columns, in the order `tierdesk export --format csv` writes them.
CSV_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "customer_email",
    "customer_name",
    "customer_phone",
    "subject",
    "body",
    "category",
    "priority",
    "status",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "csat",
    "nps",
    "replies",
    "agent",
)
CSV_REQUIRED = ("id", "created_at", "body")

# Zendesk: tickets' `status`, `priority` and `via.channel`.
ZENDESK_STATUS = {
    "new": "new",
    "open": "open",
    "pending": "pending_customer",
    "hold": "open",
    "solved": "resolved",
    "closed": "closed",
}
ZENDESK_PRIORITY = {"urgent": 1, "high": 2, "normal": 3, "low": 4}
ZENDESK_CHANNEL = {
    "email": "email",
    "web": "web",
    "web_form": "web",
    "web_widget": "web",
    "help_center": "web",
    "voice": "phone",
    "phone": "phone",
    "chat": "chat",
    "native_messaging": "chat",
    "messaging": "chat",
    "line": "line",
    "api": "api",
    "mobile_sdk": "api",
    "mobile": "api",
}
ZENDESK_CSAT = {"good": 5, "bad": 1}  # binary good/bad onto 1-5; offered/unoffered: none

# Freshdesk: `status` 2-5, `priority` 1-4 (4 = urgent), `source` codes.
FRESHDESK_STATUS = {2: "open", 3: "pending_customer", 4: "resolved", 5: "closed"}
FRESHDESK_PRIORITY = {4: 1, 3: 2, 2: 3, 1: 4}
FRESHDESK_CHANNEL = {
    1: "email",
    2: "web",
    3: "phone",
    7: "chat",
    9: "web",
    10: "email",
}
# Freshdesk's satisfaction rating values (default_question) onto 1-5.
FRESHDESK_CSAT = {103: 5, 102: 4, 101: 4, 100: 3, -101: 2, -102: 2, -103: 1}


@dataclass(frozen=True)
class Said:
    """A later message of an imported conversation: the customer's or a public reply."""

    kind: Literal["customer", "reply"]
    at: datetime
    text: str


@dataclass(frozen=True)
class Row:
    """One historical ticket, in our terms. `priority_level` is the source's level, 1 the
    most urgent (mapped onto the policy's priorities by the importer) unless `priority`
    names one of ours (tierdesk's CSV)."""

    source: str
    source_id: str
    where: str  # "tickets.csv line 3" / "export.json record 2"
    created_at: datetime
    channel: str
    body: str
    subject: str = ""
    email: str | None = None
    name: str = ""
    phone: str | None = None
    category: str | None = None
    priority: str | None = None
    priority_level: int | None = None
    status: str = "open"
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    csat: int | None = None
    nps: int | None = None
    replies: int | None = None  # agent replies in all (the first at first_response_at)
    agent: str | None = None
    thread: tuple[Said, ...] = ()  # the messages after the first, when the source has them


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported: where it is, which field, and why."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


class _BadError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse(fmt: str, name: str, text: str) -> tuple[list[Row], list[BadRow]]:
    """The rows of a file of format `fmt` (one of FORMATS) named `name`. A file that
    cannot be read at all is one BadRow naming the file."""
    if fmt == "csv":
        return parse_csv(name, text)
    if fmt == "jsonl":
        return parse_jsonl(name, text)
    if fmt == "zendesk":
        return _parse_records(name, text, _zendesk, "tickets")
    if fmt == "freshdesk":
        return _parse_records(name, text, _freshdesk, "tickets")
    raise ValueError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------- helpers


def _time(field: str, value: Any, *, required: bool = False) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _BadError(field, "is required")
        return None
    if not isinstance(value, str):
        raise _BadError(field, f"{value!r} is not an ISO 8601 time")
    text = value.strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _BadError(field, f"{value!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise _BadError(field, f"{value!r} has no time zone (write Z or +08:00)")
    return when.astimezone(UTC)


def _when(field: str, value: Any) -> datetime:
    when = _time(field, value, required=True)
    if when is None:  # pragma: no cover - _time raised
        raise _BadError(field, "is required")
    return when


def _obj(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _int(field: str, value: Any, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _BadError(field, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise _BadError(field, f"{number} is not {low}-{high}")
    return number


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_order(row: Row) -> Row:
    for field in ("first_response_at", "resolved_at", "closed_at"):
        when = getattr(row, field)
        if when is not None and when < row.created_at:
            raise _BadError(field, f"{when.isoformat()} is before created_at")
    if (
        row.closed_at is not None
        and row.resolved_at is not None
        and row.closed_at < row.resolved_at
    ):
        raise _BadError("closed_at", "is before resolved_at")
    for n, said in enumerate(row.thread, 1):
        if said.at < row.created_at:
            raise _BadError(f"message {n}", f"{said.at.isoformat()} is before created_at")
    if row.replies and row.first_response_at is None:
        raise _BadError("first_response_at", f"is required with {row.replies} replies")
    if not row.body.strip():
        raise _BadError("body", "the customer's message is empty")
    if not (row.email or row.phone):
        raise _BadError("customer_email", "give the customer's email (or phone)")
    return row


# ---------------------------------------------------------------- tierdesk CSV


def parse_csv(name: str, text: str) -> tuple[list[Row], list[BadRow]]:
    """tierdesk's CSV (CSV_COLUMNS, a header line first; unknown columns are an error so a
    misspelt one is not silently dropped). Lines are counted as a text editor does."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if not header or missing or unknown:
        what = "no header line" if not header else ""
        if missing:
            what = f"missing column(s) {', '.join(missing)}"
        if unknown:
            what = (what + "; " if what else "") + f"unknown column(s) {', '.join(unknown)}"
        return [], [
            BadRow(f"{name} line 1", "header", f"{what} (columns: {', '.join(CSV_COLUMNS)})")
        ]
    rows: list[Row] = []
    bad: list[BadRow] = []
    line = reader.line_num
    for record in reader:
        where = f"{name} line {line + 1}"
        line = reader.line_num
        try:
            rows.append(_csv_row(where, record))
        except _BadError as exc:
            bad.append(BadRow(where, exc.field, exc.message))
    return rows, bad


def parse_jsonl(name: str, text: str) -> tuple[list[Row], list[BadRow]]:
    """tierdesk's JSON Lines: one object a line with CSV_COLUMNS as keys (what `tierdesk
    export --format jsonl` writes). Its tickets are keyed as the CSV's are."""
    rows: list[Row] = []
    bad: list[BadRow] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name} line {n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(BadRow(where, "record", f"not JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(record, dict):
            bad.append(BadRow(where, "record", "is not a JSON object"))
            continue
        unknown = [k for k in record if k not in CSV_COLUMNS]
        if unknown:
            bad.append(BadRow(where, unknown[0], f"unknown key (keys: {', '.join(CSV_COLUMNS)})"))
            continue
        values = {k: None if v is None else str(v) for k, v in record.items()}
        try:
            rows.append(_csv_row(where, values))
        except _BadError as exc:
            bad.append(BadRow(where, exc.field, exc.message))
    return rows, bad


def _csv_row(where: str, r: Mapping[str, str | None]) -> Row:
    def get(key: str) -> str:
        return _text(r.get(key))

    source_id = get("id")
    if not source_id:
        raise _BadError("id", "is required (the id in the source system, kept to import once)")
    channel = get("channel") or "email"
    if channel not in CHANNELS:
        raise _BadError("channel", f"{channel!r} is not one of {', '.join(CHANNELS)}")
    status = get("status") or "open"
    if status == "pending":
        status = "pending_customer"
    if status not in STATUSES:
        raise _BadError("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    created = _when("created_at", get("created_at"))
    row = Row(
        source="csv",
        source_id=source_id,
        where=where,
        created_at=created,
        channel=channel,
        body=get("body"),
        subject=get("subject"),
        email=get("customer_email") or None,
        name=get("customer_name"),
        phone=get("customer_phone") or None,
        category=get("category") or None,
        priority=get("priority") or None,
        status=status,
        first_response_at=_time("first_response_at", get("first_response_at")),
        resolved_at=_time("resolved_at", get("resolved_at")),
        closed_at=_time("closed_at", get("closed_at")),
        csat=_int("csat", get("csat"), 1, 5),
        nps=_int("nps", get("nps"), 0, 10),
        replies=_int("replies", get("replies"), 0, 1000),
        agent=get("agent") or None,
    )
    return _check_order(row)


# ---------------------------------------------------------------- JSON exports


def _records(text: str, key: str) -> list[Any]:
    """A JSON export's records: an object with `key` (one API page), a list of tickets, or
    JSON Lines (one ticket a line, as the incremental exports are often saved)."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError:
        return [_jsonl(n, line) for n, line in enumerate(stripped.splitlines(), 1) if line.strip()]
    if isinstance(data, dict) and isinstance(data.get(key), list):
        return list(data[key])
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return [data]
    raise _BadError("file", f"expected an object with {key!r} or a list of tickets")


class _BadLine:
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


def _jsonl(n: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return _BadLine(n, f"not JSON: {exc.msg} (column {exc.colno})")


def _parse_records(
    name: str, text: str, read: Callable[[str, Mapping[str, Any]], Row], key: str
) -> tuple[list[Row], list[BadRow]]:
    try:
        records = _records(text, key)
    except _BadError as exc:
        return [], [BadRow(name, exc.field, exc.message)]
    rows: list[Row] = []
    bad: list[BadRow] = []
    for n, record in enumerate(records, 1):
        rid = record.get("id") if isinstance(record, dict) else None
        where = f"{name} record {n}" + (f" (id {rid})" if rid is not None else "")
        if isinstance(record, _BadLine):
            bad.append(BadRow(f"{name} line {record.line}", "record", record.message))
            continue
        if not isinstance(record, dict):
            bad.append(BadRow(where, "record", "is not a JSON object"))
            continue
        try:
            rows.append(_check_order(read(where, record)))
        except _BadError as exc:
            bad.append(BadRow(where, exc.field, exc.message))
    return rows, bad


def _source_id(record: Mapping[str, Any]) -> str:
    rid = record.get("id")
    if rid is None or isinstance(rid, bool) or not str(rid).strip():
        raise _BadError("id", "is required (the ticket's id in the source system)")
    return str(rid).strip()


def _mapped(field: str, value: Any, table: Mapping[Any, str], default: str | None) -> str:
    if value is None or value == "":
        if default is None:
            raise _BadError(field, "is required")
        return default
    found = table.get(value)
    if found is None:
        known = ", ".join(str(k) for k in table)
        raise _BadError(field, f"{value!r} is not one of {known}")
    return found


def _zendesk(where: str, t: Mapping[str, Any]) -> Row:
    """A ticket of Zendesk's Ticket or Incremental Ticket Export API (optionally with
    `include=users,metric_sets` sideloaded inline as `requester` and `metric_set`)."""
    source_id = _source_id(t)
    created = _when("created_at", t.get("created_at"))
    status = _mapped("status", t.get("status"), ZENDESK_STATUS, "open")
    via = _obj(t, "via")
    raw_channel = via.get("channel") if via else None
    channel = ZENDESK_CHANNEL.get(str(raw_channel), "web") if raw_channel else "web"
    prio = t.get("priority")
    level = None if prio in (None, "") else ZENDESK_PRIORITY.get(str(prio))
    if prio not in (None, "") and level is None:
        raise _BadError("priority", f"{prio!r} is not one of {', '.join(ZENDESK_PRIORITY)}")
    rating = t.get("satisfaction_rating")
    csat = None
    if isinstance(rating, dict):
        csat = ZENDESK_CSAT.get(str(rating.get("score")))
    requester = _obj(t, "requester")
    metrics = _obj(t, "metric_set")
    first = None
    reply = metrics.get("reply_time_in_minutes") if metrics else None
    if isinstance(reply, dict) and isinstance(reply.get("calendar"), int | float):
        first = created + timedelta(minutes=float(reply["calendar"]))
    solved = _time("metric_set.solved_at", metrics.get("solved_at")) if metrics else None
    updated = _time("updated_at", t.get("updated_at"))
    if status in ("resolved", "closed") and solved is None:
        solved = updated or created
    closed = (updated or solved) if status == "closed" else None
    thread = _zendesk_comments(t)
    raw_tags = t.get("tags")
    tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
    return Row(
        source="zendesk",
        source_id=source_id,
        where=where,
        created_at=created,
        channel=channel,
        body=_text(t.get("description")),
        subject=_text(t.get("subject") or t.get("raw_subject")),
        email=_text(requester.get("email")) or None,
        name=_text(requester.get("name")),
        phone=_text(requester.get("phone")) or None,
        category=_category_tag(tags),
        priority_level=level,
        status=status,
        first_response_at=first,
        resolved_at=solved if status in ("resolved", "closed") else None,
        closed_at=closed,
        csat=csat,
        replies=_int("metric_set.replies", metrics.get("replies"), 0, 100_000) if metrics else None,
        thread=thread,
    )


def _zendesk_comments(t: Mapping[str, Any]) -> tuple[Said, ...]:
    """A ticket's `comments` (as the Ticket Comments API lists them, inlined): the first is
    the description (already the opening message) and private ones are internal notes, both
    left out; the requester's are the customer's, the others public replies."""
    comments = t.get("comments")
    if comments is None:
        return ()
    if not isinstance(comments, list):
        raise _BadError("comments", "is not a list")
    requester = t.get("requester_id") or _obj(t, "requester").get("id")
    out = []
    for n, c in enumerate(comments[1:], 2):
        if not isinstance(c, dict):
            raise _BadError(f"comments[{n}]", "is not an object")
        if c.get("public") is False:
            continue
        at = _when(f"comments[{n}].created_at", c.get("created_at"))
        if at < _when("created_at", t.get("created_at")):
            raise _BadError(f"comments[{n}].created_at", f"{at.isoformat()} is before created_at")
        text = _text(c.get("plain_body") or c.get("body"))
        kind: Literal["customer", "reply"] = (
            "customer" if requester is not None and c.get("author_id") == requester else "reply"
        )
        if text:
            out.append(Said(kind, at, text))
    return tuple(sorted(out, key=lambda s: s.at))


def _freshdesk_conversations(t: Mapping[str, Any]) -> tuple[Said, ...]:
    """A ticket's `conversations` (the View Ticket API's `include=conversations`): incoming
    ones are the customer's, private ones internal notes (left out), the others replies."""
    items = t.get("conversations")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _BadError("conversations", "is not a list")
    out = []
    for n, c in enumerate(items, 1):
        if not isinstance(c, dict):
            raise _BadError(f"conversations[{n}]", "is not an object")
        if c.get("private") is True:
            continue
        at = _when(f"conversations[{n}].created_at", c.get("created_at"))
        if at < _when("created_at", t.get("created_at")):
            raise _BadError(
                f"conversations[{n}].created_at", f"{at.isoformat()} is before created_at"
            )
        text = _text(c.get("body_text") or c.get("body"))
        kind: Literal["customer", "reply"] = "customer" if c.get("incoming") else "reply"
        if text:
            out.append(Said(kind, at, text))
    return tuple(sorted(out, key=lambda s: s.at))


def _category_tag(tags: Iterable[Any]) -> str | None:
    """A Zendesk tag `category:NAME` (how a team may have kept a category) names ours."""
    for tag in tags:
        if isinstance(tag, str) and tag.startswith("category:"):
            return tag.split(":", 1)[1] or None
    return None


def _freshdesk(where: str, t: Mapping[str, Any]) -> Row:
    """A ticket of Freshdesk's List/View Ticket API (`include=requester,stats`)."""
    source_id = _source_id(t)
    created = _when("created_at", t.get("created_at"))
    status = _mapped("status", t.get("status"), FRESHDESK_STATUS, "open")
    source = t.get("source")
    channel = FRESHDESK_CHANNEL.get(source, "web") if isinstance(source, int) else "web"
    prio = t.get("priority")
    level = None
    if prio is not None:
        if not isinstance(prio, int) or prio not in FRESHDESK_PRIORITY:
            raise _BadError("priority", f"{prio!r} is not one of 1 (low), 2, 3, 4 (urgent)")
        level = FRESHDESK_PRIORITY[prio]
    stats = _obj(t, "stats")
    requester = _obj(t, "requester")
    rating = t.get("satisfaction_rating")
    csat = None
    if isinstance(rating, dict):
        ratings = rating.get("ratings")
        value = ratings.get("default_question") if isinstance(ratings, dict) else None
        csat = FRESHDESK_CSAT.get(value) if isinstance(value, int) else None
    resolved = _time("stats.resolved_at", stats.get("resolved_at"))
    closed = _time("stats.closed_at", stats.get("closed_at"))
    updated = _time("updated_at", t.get("updated_at"))
    if status in ("resolved", "closed") and resolved is None:
        resolved = closed or updated or created
    if status == "closed" and closed is None:
        closed = resolved
    return Row(
        source="freshdesk",
        source_id=source_id,
        where=where,
        created_at=created,
        channel=channel,
        body=_text(t.get("description_text") or t.get("description")),
        subject=_text(t.get("subject")),
        email=_text(requester.get("email") or t.get("email")) or None,
        name=_text(requester.get("name") or t.get("name")),
        phone=_text(requester.get("phone") or t.get("phone")) or None,
        category=None,  # Freshdesk's `type` is each account's own list: triaged instead
        priority_level=level,
        status=status,
        first_response_at=_time("stats.first_responded_at", stats.get("first_responded_at")),
        thread=_freshdesk_conversations(t),
        resolved_at=resolved if status in ("resolved", "closed") else None,
        closed_at=closed if status == "closed" else None,
        csat=csat,
    )
