"""Outgoing webhooks on the fakes: subscriptions (admin only, validated) and the deliveries
queued in the same unit of work as the ticket change that caused them, never twice."""

from __future__ import annotations

from typing import Any

import pytest
from service_desk import Desk

from tierdesk.domain.events import EventKind
from tierdesk.services import lifecycle, webhooks
from tierdesk.services.customers import Contact
from tierdesk.services.errors import Forbidden, InvalidInput, NotFound
from tierdesk.services.records import OutboxRecord, WebhookRecord
from tierdesk.services.tickets import Intake, open_tickets
from tierdesk.services.unit import finish, load
from tierdesk.testing.memory_repos import MemoryWebhooks


def _hook(desk: Desk, events: list[str], url: str = "https://hooks.example.com/td") -> str:
    record, _ = webhooks.add(desk.env, desk.user["admin"], url, events)
    return record.id


def _deliveries(desk: Desk, ticket_id: str, hook_id: str | None = None) -> list[OutboxRecord]:
    return [
        m for m in desk.outbox(ticket_id, "webhook") if hook_id is None or m.recipient == hook_id
    ]


def test_each_new_event_queues_one_delivery_per_matching_subscription(desk: Desk) -> None:
    everything = _hook(desk, ["*"])
    resolved = _hook(desk, ["resolved"])
    ticket = desk.open()
    kinds = desk.kinds(ticket.id)
    got = _deliveries(desk, ticket.id, everything)
    assert [m.payload["event"]["kind"] for m in got] == kinds
    assert [m.dedupe_key for m in got] == [
        f"{ticket.id}:{seq}:webhook:{everything}" for seq in range(1, len(kinds) + 1)
    ]
    assert _deliveries(desk, ticket.id, resolved) == []  # not what it asked for

    lifecycle.resolve(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["team_lead"], summary="shipped"
    )
    [done] = _deliveries(desk, ticket.id, resolved)
    seq = desk.events(ticket.id)[-1].seq
    assert (done.kind, done.channel, done.recipient) == ("webhook", "webhook", resolved)
    assert done.dedupe_key == f"{ticket.id}:{seq}:webhook:{resolved}"
    assert done.status == "pending" and done.next_attempt_at == desk.clock.now()
    event, shown = done.payload["event"], done.payload["ticket"]
    assert event["kind"] == "resolved" and event["seq"] == seq
    assert event["actor"] == desk.user["team_lead"] and event["reason"] == "shipped"
    assert event["at"] == desk.clock.now().isoformat()
    assert shown["id"] == ticket.id and shown["status"] == "resolved"
    assert (shown["priority"], shown["tier"], shown["category"]) == (
        ticket.priority,
        ticket.tier,
        ticket.category,
    )
    assert len(_deliveries(desk, ticket.id, everything)) == len(desk.kinds(ticket.id))


def test_the_deliveries_are_written_in_the_unit_of_work_of_the_change(desk: Desk) -> None:
    hook = _hook(desk, ["assigned"])
    ticket = desk.open()
    with desk.env.uow() as uow:
        change = load(uow, ticket.id, desk.user["team_lead"], desk.clock.now())
        change.emit(EventKind.ASSIGNED, "mine", changes={"assignee_id": desk.user["team_lead"]})
        finish(uow, desk.env, change)
        [queued] = [m for m in uow.outbox.for_ticket(ticket.id) if m.kind == "webhook"]
        assert queued.recipient == hook
        # leaving without commit: neither the event nor its delivery is stored
    assert "assigned" not in desk.kinds(ticket.id)
    assert _deliveries(desk, ticket.id) == []
    lifecycle.assign(
        desk.env,
        ticket_id=ticket.id,
        actor_id=desk.user["team_lead"],
        assignee_id=desk.user["team_lead"],
    )
    assert [m.payload["event"]["kind"] for m in _deliveries(desk, ticket.id)] == ["assigned"]


def test_a_deactivated_subscription_gets_nothing_more(desk: Desk) -> None:
    kept, stopped = _hook(desk, ["*"]), _hook(desk, ["*"])
    first = desk.open()
    assert _deliveries(desk, first.id, stopped)  # it was active then
    stopped_record = webhooks.deactivate(desk.env, desk.user["admin"], stopped)
    assert stopped_record.active is False
    assert webhooks.deactivate(desk.env, desk.user["admin"], stopped) == stopped_record
    second = desk.open(email="kai@example.com")
    assert _deliveries(desk, second.id, stopped) == []
    assert len(_deliveries(desk, second.id, kept)) == len(desk.kinds(second.id))


def test_the_same_event_is_never_queued_twice(desk: Desk) -> None:
    hook = _hook(desk, ["opened"])
    ticket = desk.open()
    events, record = desk.events(ticket.id), desk.ticket(ticket.id)
    with desk.env.uow() as uow:
        assert webhooks.queue(uow, events, record) == 0  # a retried save
        uow.commit()
    [only] = _deliveries(desk, ticket.id)
    assert only.recipient == hook and only.dedupe_key == f"{ticket.id}:1:webhook:{hook}"
    again = desk.intake("Where is my order #12345?", idempotency_key="k-1")
    assert desk.intake("Where is my order #12345?", idempotency_key="k-1").created is False
    assert len(_deliveries(desk, again.ticket.id)) == 1


def test_an_intake_batch_reads_the_subscriptions_once(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = _hook(desk, ["opened"])
    reads: list[bool] = []
    original = MemoryWebhooks.list

    def counted(self: MemoryWebhooks, *, active_only: bool = False) -> list[WebhookRecord]:
        reads.append(active_only)
        return original(self, active_only=active_only)

    monkeypatch.setattr(MemoryWebhooks, "list", counted)
    intakes = [
        Intake("email", f"Where is my order #{n}?", Contact("email", f"c{n}@example.com"))
        for n in range(5)
    ]
    opened = open_tickets(desk.env, intakes)
    assert reads == [True]  # five tickets, many events, one read
    for result in opened:
        assert not isinstance(result, Exception)
        assert [m.recipient for m in _deliveries(desk, result.ticket.id)] == [hook]


def test_only_admins_manage_webhooks(desk: Desk) -> None:
    for role in ("supervisor", "agent_l1"):
        with pytest.raises(Forbidden):
            webhooks.add(desk.env, desk.user[role], "https://x.example/h", ["*"])
    hook = _hook(desk, ["*"])
    with pytest.raises(Forbidden):
        webhooks.list_all(desk.env, desk.user["manager"])
    with pytest.raises(Forbidden):
        webhooks.deactivate(desk.env, desk.user["manager"], hook)
    with pytest.raises(NotFound):
        webhooks.deactivate(desk.env, desk.user["admin"], "wh_missing")
    assert [h.id for h in webhooks.list_all(desk.env, desk.user["admin"])] == [hook]


def test_a_secret_is_made_when_none_is_given_and_kept_when_given(desk: Desk) -> None:
    made, secret = webhooks.add(desk.env, desk.user["admin"], " https://a.example/h ", ["opened"])
    assert made.secret == secret and len(secret) >= 43
    assert made.url == "https://a.example/h" and made.events == ("opened",)
    given, same = webhooks.add(
        desk.env, desk.user["admin"], "http://b.example:8080/h", ["opened"], "s" * 20
    )
    assert given.secret == same == "s" * 20
    assert made.created_by == desk.user["admin"] and made.created_at == desk.clock.now()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/h",
        "https://",
        "not a url",
        "//no-scheme.example/h",
        "http://[::1",
        "https://host.example:99999/h",
        "https://a b.example/h",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_url_that_is_not_http_with_a_host_is_refused_naming_url(desk: Desk, url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        webhooks.add(desk.env, desk.user["admin"], url, ["*"])
    assert refused.value.data["field"] == "url"


@pytest.mark.parametrize(
    ("events", "field"),
    [([], "events"), (["openned"], "events"), (["*", "opened"], "events")],
)
def test_events_are_event_kinds_or_star(desk: Desk, events: list[str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        webhooks.add(desk.env, desk.user["admin"], "https://a.example/h", events)
    assert refused.value.data["field"] == field
    assert webhooks.list_all(desk.env, desk.user["admin"]) == []


def test_a_short_secret_is_refused_without_echoing_it(desk: Desk) -> None:
    with pytest.raises(InvalidInput) as refused:
        webhooks.add(desk.env, desk.user["admin"], "https://a.example/h", ["*"], "short-one")
    data: dict[str, Any] = refused.value.to_json()
    assert data["field"] == "secret" and "short-one" not in str(data)
