"""Durations in the API (R-SLA-1, R-DOC-1): never ISO 8601 (`P1DT16H`) but whole seconds with the
clock they run on (`business` or `24x7`), the policy calendar and the text a person reads;
reasons give times in the policy's time zone, to the minute."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from web_desk import WebDesk

ISO_DURATION = re.compile(r'"-?P(?:\d+[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?"')


def _walk(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        hits = [path] if value.get("format") == "duration" else []
        return hits + [h for k, v in value.items() for h in _walk(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [h for i, v in enumerate(value) for h in _walk(v, f"{path}[{i}]")]
    return []


@pytest.mark.rule("R-SLA-1")
def test_the_openapi_document_has_no_iso_durations(desk: WebDesk) -> None:
    spec = desk.client.get("/openapi.json").json()
    assert _walk(spec) == []
    span = spec["components"]["schemas"]["Span"]
    assert set(span["properties"]) == {"seconds", "clock", "calendar", "text"}
    clock = spec["components"]["schemas"]["ClockStatus"]["properties"]
    assert clock["target"] == {"$ref": "#/components/schemas/Span"}


@pytest.mark.rule("R-SLA-1")
def test_sla_clocks_give_seconds_on_their_clock_as_people_say_them(desk: WebDesk) -> None:
    ticket = desk.open_ticket()  # an order question: P3 on business hours
    shown = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("agent_l1"))
    assert shown.status_code == 200
    assert not ISO_DURATION.search(shown.text), ISO_DURATION.findall(shown.text)
    clocks = {c["clock"]: c for c in shown.json()["clocks"]}
    first, resolution = clocks["first_response"], clocks["resolution"]
    assert first["target"] == {
        "seconds": 4 * 3600,
        "clock": "business",
        "calendar": "business",
        "text": "4 business hours",
    }
    assert resolution["target"]["seconds"] == 40 * 3600
    assert resolution["target"]["text"] == "40 business hours"
    assert first["elapsed"]["seconds"] == 0 and first["remaining"]["seconds"] == 4 * 3600
    assert first["breached_by"] is None
    # Tuesday 10:00 in Taipei + 4 business hours (lunch 12-13): 15:00 local, to the minute.
    assert first["reason"].endswith("due 2025-03-04 15:00 (Asia/Taipei)")
    assert "4 business hours" in first["reason"]


@pytest.mark.rule("R-SLA-1")
def test_a_24x7_clock_says_so_and_counts_whole_hours(desk: WebDesk) -> None:
    ticket = desk.open_ticket("The whole site is down, nobody can log in!", "ops@example.com")
    assert ticket["priority"] == "P1", ticket
    shown = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("agent_l3"))
    clocks = {c["clock"]: c for c in shown.json()["clocks"]}
    target = clocks["first_response"]["target"]
    assert target["clock"] == "24x7" and target["calendar"] == "24x7"
    assert target["seconds"] == 15 * 60 and target["text"] == "15 minutes"
    assert clocks["resolution"]["target"]["text"] == "4 hours"
    assert not ISO_DURATION.search(json.dumps(shown.json()))


@pytest.mark.rule("R-SLA-1")
def test_a_breach_says_by_how_much_in_seconds_and_words(desk: WebDesk) -> None:
    from datetime import timedelta

    from tierdesk.services.sweep import sweep

    ticket = desk.open_ticket()
    desk.clock.advance(timedelta(hours=6))  # Tuesday 16:00: an hour past 15:00
    sweep(desk.env)
    shown = desk.client.get(f"/api/tickets/{ticket['id']}", headers=desk.auth("agent_l1"))
    first = next(c for c in shown.json()["clocks"] if c["clock"] == "first_response")
    assert first["state"] == "breached"
    assert first["breached_by"]["seconds"] == 3600
    assert first["breached_by"]["text"] == "1 business hour"
    [breach] = [e for e in shown.json()["events"] if e["kind"] == "sla_breached"]
    assert breach["reason"].startswith("first response target missed by 1 business hour")
    assert "due 2025-03-04 15:00 (Asia/Taipei)" in breach["reason"]
