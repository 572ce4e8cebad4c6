"""Held mail (issue 13: a sender writing more than N mails a minute is held): agents and leads
list it, release one (it goes through the normal intake once: a ticket with its receipt, or
a reply on its thread) or discard it; QA may not; a mail is settled once. The SMTP receiver
routes by its own team and brand (TIERDESK_SMTP_RECEIVE_TEAM/_BRAND), as a mailbox does, and
a released mail keeps its mailbox's. On the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from db_desk import StoreDesk, make_store_desk

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.policy import rulebook
from tierdesk.services import held_mail
from tierdesk.services.email_intake import receive
from tierdesk.services.errors import Conflict, Forbidden, NotFound
from tierdesk.services.ports import TicketFilter, UnitOfWork

Factory = Callable[[], UnitOfWork]


def _raw(n: int, sender: str = "flood@example.com", subject: str = "") -> bytes:
    return (
        f"From: {sender}\r\nSubject: {subject or f'order {n}'}\r\nMessage-ID: <flood-{n}@x>\r\n"
        f"\r\nWhere is my order #{n}? It has not arrived.\r\n"
    ).encode()


class Flood:
    def __init__(self, uow: Factory, tmp_path: Path) -> None:
        self.desk: StoreDesk = make_store_desk(uow, rulebook(preset="cs-sop"))
        self.settings = Settings(
            var_dir=tmp_path, smtp_receive_team="L2", smtp_receive_brand="acme-pay"
        )
        self.reread = bootstrap.held_mail_reader(self.settings)

    def send(self, n: int, **kw: str) -> str:
        mail = bootstrap.parse_mail(self.settings, bootstrap.SMTP_MAILBOX, _raw(n, **kw))
        return receive(self.desk.env, mail, hold_per_minute=2).outcome

    def held_ids(self, role: str = "agent_l1") -> list[str]:
        found = held_mail.held(self.desk.env, actor_id=self.desk.user[role])
        return [m.message_id for m in found]

    def id_of(self, message_id: str) -> str:
        with self.desk.env.uow() as uow:
            found = uow.mail.find(message_id)
        assert found is not None
        return found.id


def test_held_mail_is_listed_and_released_once_through_the_normal_intake(
    uow_factory: Factory, tmp_path: Path
) -> None:
    flood = Flood(uow_factory, tmp_path)
    assert [flood.send(n) for n in range(4)] == ["ticket", "ticket", "held", "held"]
    assert flood.held_ids() == ["flood-3@x", "flood-2@x"]  # newest first
    assert flood.held_ids("team_lead") == flood.held_ids("admin") == flood.held_ids()
    desk, mail_id = flood.desk, flood.id_of("flood-2@x")
    got = held_mail.release(
        desk.env, mail_id=mail_id, actor_id=desk.user["agent_l2"], reread=flood.reread
    )
    assert got.outcome == "ticket" and got.ticket_id
    with desk.env.uow() as uow:
        ticket = uow.tickets.get(got.ticket_id)
        ledger = uow.mail.find("flood-2@x")
        kinds = [m.kind for m in uow.outbox.for_ticket(got.ticket_id)]
        opened = uow.events.for_ticket(got.ticket_id)[0]
    assert ticket is not None and ticket.channel_message_id == "flood-2@x"
    assert (ticket.tier, opened.get("brand")) == ("L2", "acme-pay")  # the SMTP receiver's
    assert kinds[0] == "receipt"  # R-PROC-1, as for any new mail (then L2's notice)
    assert ledger is not None and (ledger.outcome, ledger.ticket_id) == ("ticket", ticket.id)
    assert "released by agent-l2" in ledger.reason
    assert flood.held_ids() == ["flood-3@x"]
    with pytest.raises(Conflict, match="not held"):  # once
        held_mail.release(
            desk.env, mail_id=mail_id, actor_id=desk.user["agent_l1"], reread=flood.reread
        )
    with desk.env.uow() as uow:
        assert uow.mail.count_from("flood@example.com", desk.clock.now()) == 4


def test_a_released_reply_joins_its_ticket(uow_factory: Factory, tmp_path: Path) -> None:
    flood = Flood(uow_factory, tmp_path)
    assert flood.send(0) == "ticket"
    with flood.desk.env.uow() as uow:
        first = uow.mail.find("flood-0@x")
    assert first is not None and first.ticket_id is not None
    token = f"[#T-{first.ticket_id[2:12]}]"
    assert flood.send(1) == "ticket"
    assert flood.send(2, subject=f"Re: order 0 {token}") == "held"
    got = held_mail.release(
        flood.desk.env,
        mail_id=flood.id_of("flood-2@x"),
        actor_id=flood.desk.user["team_lead"],
        reread=flood.reread,
    )
    assert (got.outcome, got.ticket_id) == ("reply", first.ticket_id)


def test_held_mail_is_discarded_once_and_qa_may_not_touch_it(
    uow_factory: Factory, tmp_path: Path
) -> None:
    flood = Flood(uow_factory, tmp_path)
    assert [flood.send(n) for n in range(3)] == ["ticket", "ticket", "held"]
    desk, mail_id = flood.desk, flood.id_of("flood-2@x")
    with pytest.raises(Forbidden):
        flood.held_ids("qa")
    with pytest.raises(Forbidden):
        held_mail.discard(desk.env, mail_id=mail_id, actor_id=desk.user["qa"])
    with pytest.raises(Forbidden):
        held_mail.release(desk.env, mail_id=mail_id, actor_id=desk.user["qa"], reread=flood.reread)
    with pytest.raises(NotFound):
        held_mail.discard(desk.env, mail_id="e_nope", actor_id=desk.user["agent_l1"])
    held_mail.discard(desk.env, mail_id=mail_id, actor_id=desk.user["supervisor"])
    with desk.env.uow() as uow:
        ledger = uow.mail.find("flood-2@x")
        assert len(uow.tickets.search(TicketFilter(), limit=10).items) == 2
    assert ledger is not None and (ledger.outcome, ledger.ticket_id) == ("discarded", None)
    assert flood.held_ids() == []
    with pytest.raises(Conflict):
        held_mail.discard(desk.env, mail_id=mail_id, actor_id=desk.user["agent_l1"])
    with pytest.raises(Conflict):
        held_mail.release(
            desk.env, mail_id=mail_id, actor_id=desk.user["agent_l1"], reread=flood.reread
        )


def test_a_held_mail_whose_original_is_gone_stays_held(
    uow_factory: Factory, tmp_path: Path
) -> None:
    flood = Flood(uow_factory, tmp_path)
    assert [flood.send(n) for n in range(3)] == ["ticket", "ticket", "held"]
    with flood.desk.env.uow() as uow:
        found = uow.mail.find("flood-2@x")
    assert found is not None
    bootstrap.blob_store(flood.settings).path(found.raw_sha256).unlink()
    with pytest.raises(Conflict, match="no longer stored"):
        held_mail.release(
            flood.desk.env,
            mail_id=found.id,
            actor_id=flood.desk.user["agent_l1"],
            reread=flood.reread,
        )
    assert flood.held_ids() == ["flood-2@x"]


def test_the_smtp_receiver_routes_by_its_own_team_and_brand(
    uow_factory: Factory, tmp_path: Path
) -> None:
    flood = Flood(uow_factory, tmp_path)
    take = bootstrap.email_take(flood.settings, flood.desk.env)
    got = take(bootstrap.SMTP_MAILBOX, _raw(0, sender="mei@example.com"))
    with flood.desk.env.uow() as uow:
        ticket = uow.tickets.get(got.ticket_id or "")
        opened = uow.events.for_ticket(got.ticket_id or "")[0]
    assert ticket is not None and (ticket.tier, opened.get("brand")) == ("L2", "acme-pay")
    plain = Settings(var_dir=tmp_path)
    assert bootstrap.mailbox_teams(plain)[bootstrap.SMTP_MAILBOX] == (None, None)
