"""Public intake: durable, idempotent, rate-limited, and grouped into shared commits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from web_desk import ORDER, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

FORM = {"name": "Mei", "email": "mei@example.com", "subject": "Order", "body": ORDER}


@pytest.mark.rule("R-PROC-1")
def test_an_intake_needs_no_sign_in_and_is_committed_with_its_receipt(desk: WebDesk) -> None:
    r = desk.client.post("/api/intake", json=FORM)
    assert r.status_code == 201, r.text
    ticket_id = r.json()["ticket_id"]
    assert r.json()["created"] is True
    # Committed before the answer: the store already holds the ticket and its receipt.
    assert ticket_id in desk.store.tables.tickets
    kinds = [m.kind for m in desk.store.tables.outbox.values() if m.ticket_id == ticket_id]
    assert kinds == ["receipt"]


def test_the_same_idempotency_key_yields_one_ticket_however_often_retried(desk: WebDesk) -> None:
    headers = {"Idempotency-Key": "form-7f3a"}
    first = desk.client.post("/api/intake", json=FORM, headers=headers)
    again = desk.client.post("/api/intake", json=FORM, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["ticket_id"] == again.json()["ticket_id"]
    assert again.json()["created"] is False
    assert len(desk.store.tables.tickets) == 1
    other = desk.client.post("/api/intake", json=FORM, headers={"Idempotency-Key": "form-8"})
    assert other.json()["ticket_id"] != first.json()["ticket_id"]


def test_an_intake_by_phone_is_accepted(desk: WebDesk) -> None:
    body = {"name": "Wang", "phone": "+886 912 345 678", "body": ORDER, "channel": "phone"}
    assert desk.client.post("/api/intake", json=body).status_code == 201


@pytest.fixture
def limited(rules: Rulebook) -> Iterator[WebDesk]:
    with web_desk(rules, public_burst=2, public_rate_per_minute=1.0) as d:
        yield d


def test_intake_is_rate_limited_per_client_ip(limited: WebDesk) -> None:
    codes = [limited.client.post("/api/intake", json=FORM).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    r = limited.client.post("/api/intake", json=FORM)
    assert r.json()["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    assert len(limited.store.tables.tickets) == 2


def test_hostile_html_is_stored_as_text_and_only_ever_returned_as_json(desk: WebDesk) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> my order is late'
    r = desk.client.post("/api/intake", json={**FORM, "body": hostile, "subject": hostile})
    ticket_id = r.json()["ticket_id"]
    [message] = desk.store.tables.messages.values()
    assert message.body == hostile  # stored verbatim, as text; escaping is the renderer's job
    view = desk.client.get(f"/api/tickets/{ticket_id}", headers=desk.auth("agent_l1"))
    # The API answers JSON only, with nosniff: a browser never renders it as markup.
    assert view.headers["content-type"] == "application/json"
    assert view.headers["x-content-type-options"] == "nosniff"
    assert view.json()["messages"][0]["body"] == hostile
    listed = desk.client.get("/api/tickets", headers=desk.auth("agent_l1"))
    assert listed.headers["content-type"] == "application/json"


def test_concurrent_intakes_share_commits_and_each_gets_its_own_ticket(desk: WebDesk) -> None:
    commits_before = desk.store.commits
    batches_before = desk.app.state.web.batcher.batches

    async def flood() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=desk.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            posts = [
                client.post(
                    "/api/intake",
                    json={**FORM, "email": f"c{i}@example.com", "body": f"{ORDER} ({i})"},
                    headers={"Idempotency-Key": f"k{i}"},
                )
                for i in range(50)
            ]
            return await asyncio.gather(*posts)

    responses = asyncio.run(flood())
    assert [r.status_code for r in responses] == [201] * 50
    ids = {r.json()["ticket_id"] for r in responses}
    assert len(ids) == 50 and ids == set(desk.store.tables.tickets)
    commits = desk.store.commits - commits_before
    batches = desk.app.state.web.batcher.batches - batches_before
    assert commits == batches < 50
    # Each waiter got its own ticket: the body it sent is the ticket's first message.
    for i, r in enumerate(responses):
        ticket_id = r.json()["ticket_id"]
        [msg] = [m for m in desk.store.tables.messages.values() if m.ticket_id == ticket_id]
        assert msg.body.endswith(f"({i})")


def test_one_bad_intake_in_a_batch_does_not_sink_the_others(desk: WebDesk) -> None:
    async def mixed() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=desk.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            bodies = [{**FORM, "email": f"c{i}@example.com"} for i in range(6)]
            bodies[3]["body"] = "   "  # valid by the schema, refused by the service
            return await asyncio.gather(*(client.post("/api/intake", json=b) for b in bodies))

    responses = asyncio.run(mixed())
    assert [r.status_code for r in responses] == [201, 201, 201, 422, 201, 201]
    assert responses[3].json()["code"] == "invalid_input"
    assert len(desk.store.tables.tickets) == 5
