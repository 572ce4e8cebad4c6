"""Webhook subscriptions on real databases: the repository contract (the in-memory fakes,
SQLite and PostgreSQL alike), deliveries queued with the ticket change on each store, and
migration 0004 going down and up again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from db_desk import make_store_desk
from db_records import T0, at

from tierdesk.policy import rulebook
from tierdesk.services import webhooks
from tierdesk.services.customers import Contact
from tierdesk.services.ports import DuplicateKey, UnitOfWork, WebhookRecord
from tierdesk.services.tickets import Intake, open_tickets

Factory = Callable[[], UnitOfWork]


def _hook(hook_id: str, **kw: object) -> WebhookRecord:
    values: dict[str, object] = {
        "id": hook_id,
        "url": f"https://hooks.example.com/{hook_id}?k=值",
        "secret": f"secret-of-{hook_id}-0123456789",
        "events": ("opened", "resolved"),
        "created_by": "u_1",
        "created_at": T0,
    }
    values.update(kw)
    return WebhookRecord(**values)  # type: ignore[arg-type]


def test_webhooks_round_trip_and_list_oldest_first(uow_factory: Factory) -> None:
    stopped = _hook("wh_b", active=False, events=("*",))
    with uow_factory() as uow:
        uow.webhooks.add(_hook("wh_c", created_at=at(1)))
        uow.webhooks.add(stopped)
        uow.webhooks.add(_hook("wh_a"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.webhooks.get("wh_b") == stopped
        assert uow.webhooks.get("wh_c") == _hook("wh_c", created_at=at(1))
        assert uow.webhooks.get("wh_missing") is None
        assert [w.id for w in uow.webhooks.list()] == ["wh_a", "wh_b", "wh_c"]
        assert [w.id for w in uow.webhooks.list(active_only=True)] == ["wh_a", "wh_c"]


def test_save_replaces_and_ids_are_unique(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.webhooks.add(_hook("wh_a"))
        with pytest.raises(DuplicateKey) as clash:
            uow.webhooks.add(_hook("wh_a", url="https://other.example/h"))
        uow.commit()  # the unit of work stays usable after a clash
    assert clash.value.key == "webhooks.id"
    with uow_factory() as uow:
        changed = replace(_hook("wh_a"), active=False, url="https://new.example/h")
        uow.webhooks.save(changed)
        uow.webhooks.save(_hook("wh_unknown"))  # nothing to replace: no row appears
        uow.commit()
    with uow_factory() as uow:
        assert uow.webhooks.list() == [changed]


def test_work_not_committed_is_not_stored(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.webhooks.add(_hook("wh_a"))
    with uow_factory() as uow:
        assert uow.webhooks.list() == []


def test_deliveries_are_queued_with_the_tickets_on_each_store(uow_factory: Factory) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    admin = desk.user["admin"]
    hook, _ = webhooks.add(desk.env, admin, "https://hooks.example.com/td", ["opened"])
    stopped, _ = webhooks.add(desk.env, admin, "https://hooks.example.com/old", ["*"])
    webhooks.deactivate(desk.env, admin, stopped.id)
    intakes = [
        Intake("email", f"Where is my order #{n}?", Contact("email", f"c{n}@example.com"))
        for n in range(3)
    ]
    opened = open_tickets(desk.env, intakes)
    with uow_factory() as uow:
        for result in opened:
            assert not isinstance(result, Exception)
            tid = result.ticket.id
            sent = [m for m in uow.outbox.for_ticket(tid) if m.kind == "webhook"]
            assert [(m.recipient, m.dedupe_key) for m in sent] == [
                (hook.id, f"{tid}:1:webhook:{hook.id}")
            ]
            assert sent[0].payload["ticket"]["id"] == tid
            assert sent[0].payload["event"]["kind"] == "opened"
    listed = {h.id: h.active for h in webhooks.list_all(desk.env, admin)}
    assert listed == {hook.id: True, stopped.id: False}
