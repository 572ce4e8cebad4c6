"""Exporting tickets (`tierdesk export`): one row per ticket in tierdesk's import columns
(`tierdesk.services.import_formats.CSV_COLUMNS`), so that an export imports back (into another
store, or into the same one, where it adds nothing). A ticket imported from a tierdesk file
keeps its source id; any other is written with its tierdesk id.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tierdesk.services.env import Env
from tierdesk.services.import_formats import CSV_COLUMNS
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import TicketFilter, TicketRecord

PAGE = 200
EXPORT_FORMATS = ("csv", "jsonl")
_OWN_KEYS = ("import:csv:", "import:jsonl:")


def _iso(when: datetime | None) -> str:
    return "" if when is None else when.isoformat().replace("+00:00", "Z")


def export_id(ticket: TicketRecord) -> str:
    """The id a ticket is exported under (see the module doc)."""
    key = ticket.idempotency_key or ""
    for prefix in _OWN_KEYS:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return ticket.id


def rows(env: Env, filters: TicketFilter | None = None) -> Iterator[dict[str, str]]:
    """Every ticket matching `filters` (merged ones left out: they live on in the kept
    ticket), newest first, as a dict of CSV_COLUMNS to text. Read a page at a time."""
    cursor: str | None = None
    usernames: dict[str, str] = {}
    while True:
        with env.reader() as uow:
            page = uow.tickets.search(filters or TicketFilter(), limit=PAGE, cursor=cursor)
            tickets = [t for t in page.items if t.status != "merged"]
            out = _page_rows(uow, tickets, usernames)
        yield from out
        cursor = page.next_cursor
        if cursor is None:
            return


def _page_rows(
    uow: UnitOfWork, tickets: list[TicketRecord], usernames: dict[str, str]
) -> list[dict[str, str]]:
    customers = uow.customers.get_many([t.customer_id for t in tickets])
    identities: dict[tuple[str, str], str] = {}
    for identity in uow.customers.identities_for(list(customers)):
        identities.setdefault((identity.customer_id, identity.kind), identity.value)
    out = []
    for t in tickets:
        if t.assignee_id and t.assignee_id not in usernames:
            user = uow.users.get(t.assignee_id)
            usernames[t.assignee_id] = user.username if user is not None else ""
        messages = uow.messages.for_ticket(t.id)
        body = next((m.body for m in messages if m.kind == "customer"), "")
        customer = customers.get(t.customer_id)
        values: dict[str, Any] = {
            "id": export_id(t),
            "created_at": _iso(t.created_at),
            "channel": t.channel,
            "customer_email": identities.get((t.customer_id, "email"), ""),
            "customer_name": customer.name if customer is not None else "",
            "customer_phone": identities.get((t.customer_id, "phone"), ""),
            "subject": t.subject,
            "body": body,
            "category": t.category,
            "priority": t.priority,
            "status": t.status,
            "first_response_at": _iso(t.first_response_at),
            "resolved_at": _iso(t.resolved_at),
            "closed_at": _iso(t.closed_at),
            "csat": "" if t.csat is None else t.csat,
            "nps": "" if t.nps is None else t.nps,
            "replies": t.reply_count,
            "agent": usernames.get(t.assignee_id or "", ""),
        }
        out.append({c: str(values[c]) for c in CSV_COLUMNS})
    return out


def to_csv(records: Iterator[dict[str, str]]) -> Iterator[str]:
    """CSV text, the header line first, a chunk per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def to_jsonl(records: Iterator[dict[str, str]]) -> Iterator[str]:
    """JSON Lines: one object a line, empty values left out."""
    for record in records:
        yield json.dumps({k: v for k, v in record.items() if v != ""}, ensure_ascii=False) + "\n"
