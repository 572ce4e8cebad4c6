"""The import parsers (services.import_formats): bad rows name the file, the line or record
and the field; good rows come out in our terms."""

from __future__ import annotations

from datetime import UTC, datetime

from tierdesk.services.import_formats import parse
from tierdesk.services.importing import read_file

HEADER = "id,created_at,customer_email,body,status\n"


def test_csv_header_names_unknown_and_missing_columns() -> None:
    rows, bad = parse("csv", "x.csv", "id,created,customer_email,body\n1,2025,a@b.c,hi\n")
    assert rows == []
    [only] = bad
    assert only.where == "x.csv line 1" and only.field == "header"
    assert "missing column(s) created_at" in only.message
    assert "unknown column(s) created" in only.message


def test_csv_times_need_a_zone_and_an_order() -> None:
    text = HEADER + (
        "1,2025-03-04T10:00:00,a@example.com,hi,open\n"
        '2,2025-03-04T10:00:00+08:00,b@example.com,"two\nlines",open\n'
        "3,2025-03-04T10:00:00Z,c@example.com,hi,pending\n"
    )
    rows, bad = parse("csv", "t.csv", text)
    assert [str(b) for b in bad] == [
        "t.csv line 2: created_at: '2025-03-04T10:00:00' has no time zone (write Z or +08:00)"
    ]
    assert [r.where for r in rows] == ["t.csv line 3", "t.csv line 5"]
    assert rows[0].created_at == datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
    assert rows[1].status == "pending_customer"
    late = (
        "id,created_at,customer_email,body,resolved_at\n"
        "9,2025-03-04T10:00Z,a@x.io,hi,2025-03-03T10:00Z\n"
    )
    _, bad = parse("csv", "o.csv", late)
    assert [b.field for b in bad] == ["resolved_at"]


def test_a_source_id_twice_in_a_file_is_bad() -> None:
    text = HEADER + "7,2025-03-04T02:00Z,a@x.io,hi,open\n7,2025-03-04T02:00Z,b@x.io,hi,open\n"
    rows, bad = read_file("csv", "d.csv", text)
    assert len(rows) == 1
    assert [str(b) for b in bad] == ["d.csv line 3: id: '7' appears twice in the file"]


def test_zendesk_needs_an_id_and_a_customer() -> None:
    text = (
        '{"tickets": [{"created_at": "2025-03-04T02:00:00Z", "description": "hi"},'
        ' {"id": 5, "created_at": "2025-03-04T02:00:00Z", "description": "hi"},'
        ' {"id": 6, "created_at": "2025-03-04T02:00:00Z", "description": "hi",'
        '  "requester": {"email": "a@x.io"}, "priority": "whenever"}]}'
    )
    rows, bad = parse("zendesk", "z.json", text)
    assert rows == []
    assert [str(b) for b in bad] == [
        "z.json record 1: id: is required (the ticket's id in the source system)",
        "z.json record 2 (id 5): customer_email: give the customer's email (or phone)",
        "z.json record 3 (id 6): priority: 'whenever' is not one of urgent, high, normal, low",
    ]


def test_freshdesk_codes() -> None:
    text = (
        '[{"id": 1, "created_at": "2025-03-04T02:00:00Z", "description_text": "hi",'
        ' "email": "a@x.io", "status": 4, "priority": 3, "source": 3,'
        ' "stats": {"resolved_at": "2025-03-04T03:00:00Z"}}]'
    )
    [row], bad = parse("freshdesk", "f.json", text)
    assert not bad
    assert (row.status, row.priority_level, row.channel) == ("resolved", 2, "phone")
    assert row.resolved_at == datetime(2025, 3, 4, 3, 0, tzinfo=UTC)
