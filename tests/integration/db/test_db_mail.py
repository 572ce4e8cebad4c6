"""The email ledger on every store (the in-memory fakes, SQLite and PostgreSQL): the
repository contract, and the corpus's outcomes taken in through the real services."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from db_desk import make_store_desk
from db_records import T0, at

from tierdesk.adapters.email.parse import parse
from tierdesk.adapters.email.store import BlobStore
from tierdesk.policy import rulebook
from tierdesk.services import housekeeping
from tierdesk.services.email_intake import receive
from tierdesk.services.ports import (
    AddressFailureRecord,
    DuplicateKey,
    InboundMailRecord,
    UnitOfWork,
)

Factory = Callable[[], UnitOfWork]
CORPUS = Path(__file__).parents[2] / "data" / "mail"


def _mail(message_id: str, sender: str = "mei@example.com", **kw: object) -> InboundMailRecord:
    values: dict[str, object] = {
        "id": f"e_{message_id}",
        "mailbox": "support",
        "message_id": message_id,
        "sender": sender,
        "subject": "訂單",
        "outcome": "held",
        "received_at": T0,
        "raw_sha256": "0" * 64,
        "size": 10,
        "attachments": ({"filename": "a.pdf", "size": 3, "sha256": None},),
    }
    values.update(kw)
    return InboundMailRecord(**values)  # type: ignore[arg-type]


def test_the_mail_ledger_round_trips_counts_and_refuses_a_second_message_id(
    uow_factory: Factory,
) -> None:
    with uow_factory() as uow:
        uow.mail.add(_mail("a@x"))
        uow.mail.add(_mail("b@x", received_at=at(2)))
        uow.mail.add(_mail("c@x", sender="other@example.com", received_at=at(3)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.mail.find("a@x") == _mail("a@x")
        assert uow.mail.find("nope@x") is None
        assert uow.mail.count_from("mei@example.com", at(1)) == 1
        assert uow.mail.count_from("mei@example.com", T0) == 2
    with pytest.raises(DuplicateKey) as caught, uow_factory() as uow:
        uow.mail.add(_mail("a@x", id="e_other"))
        uow.commit()
    assert caught.value.key == "inbound_mail.message_id"


def test_an_address_failure_is_inserted_then_replaced(uow_factory: Factory) -> None:
    first = AddressFailureRecord("gone@example.com", "5.1.1", T0)
    with uow_factory() as uow:
        assert uow.mail.failing(first.address) is None
        uow.mail.mark_failing(first)
        uow.commit()
    second = AddressFailureRecord("gone@example.com", "5.1.1 again", at(5), bounces=2)
    with uow_factory() as uow:
        uow.mail.mark_failing(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.mail.failing(first.address) == second
    with uow_factory() as uow:
        assert uow.mail.clear_failing(first.address)
        assert not uow.mail.clear_failing("never@example.com")
        uow.commit()
    with uow_factory() as uow:
        assert uow.mail.failing(first.address) is None


def test_blob_hashes_name_every_original_and_stored_attachment(uow_factory: Factory) -> None:
    attached = {"filename": "a.pdf", "size": 3, "sha256": "a" * 64}
    refused = {"filename": "big.bin", "size": 9, "sha256": None, "refused": "too large"}
    with uow_factory() as uow:
        for i in range(2500):  # more than one batch
            uow.mail.add(_mail(f"{i}@x", raw_sha256=f"{i:064x}", attachments=()))
        uow.mail.add(_mail("att@x", raw_sha256="b" * 64, attachments=(attached, refused)))
        uow.commit()
    with uow_factory() as uow:
        found = list(uow.mail.blob_hashes())
    assert set(found) == {f"{i:064x}" for i in range(2500)} | {"a" * 64, "b" * 64}
    assert len(found) == 2502


def test_the_corpus_gets_the_same_outcomes_on_every_store_and_twice_is_once(
    uow_factory: Factory, tmp_path: Path
) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    ticket = desk.open(email="gone@example.com")
    blobs = BlobStore(tmp_path)
    outcomes: dict[str, list[str]] = {}
    for _ in range(2):
        for path in sorted(CORPUS.glob("*.eml")):
            raw = path.read_bytes().replace(b"t_" + b"0" * 32, ticket.id.encode())
            mail = parse(
                raw, mailbox="s", store=blobs.put, max_attachment_bytes=10**6, max_attachments=5
            )
            got = receive(desk.env, mail, own_addresses=("support@desk.example",))
            outcomes.setdefault(path.name, []).append(got.outcome)
    assert {name: o[1] for name, o in outcomes.items()} == dict.fromkeys(outcomes, "duplicate")
    assert outcomes["outlook_reply.eml"][0] == "reply"
    assert outcomes["bounce.eml"][0] == "bounce"
    with uow_factory() as uow:
        failing = uow.mail.failing("gone@example.com")
        assert failing is not None and failing.customer_id == ticket.customer_id
        thread = uow.mail.for_ticket(ticket.id)
    assert {m.outcome for m in thread} >= {"reply", "auto_reply", "bounce"}


def test_housekeeping_deletes_orphan_blobs_past_the_grace_and_nothing_a_mail_refers_to(
    uow_factory: Factory, tmp_path: Path
) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    blobs = BlobStore(tmp_path / "mail")
    kept: set[str] = set()
    for name in ("nested.eml", "plain_utf8.eml"):
        mail = parse(
            (CORPUS / name).read_bytes(),
            mailbox="s",
            store=blobs.put,
            max_attachment_bytes=10**6,
            max_attachments=5,
        )
        assert receive(desk.env, mail).outcome == "ticket"
        kept |= {mail.raw_sha256, *(a.sha256 for a in mail.attachments if a.sha256)}
    assert len(kept) >= 3  # the originals, an attachment and an inline image
    orphan, fresh, reused = (blobs.put(f"never committed {i}".encode()) for i in range(3))
    leftover = blobs.path(orphan).parent / ".tmp-crashed"
    leftover.write_bytes(b"half")
    now = datetime.now(UTC)
    old = (now - timedelta(days=2)).timestamp()
    for sha in (*kept, orphan, reused):
        os.utime(blobs.path(sha), (old, old))
    os.utime(leftover, (old, old))
    blobs.put(b"never committed 2")  # `reused`: stored again by a mail being taken in now

    report = housekeeping.purge(desk.env, now, blobs=blobs)
    assert report.blobs == 2  # the old orphan and the crashed temporary file
    assert not blobs.path(orphan).exists() and not leftover.exists()
    assert all(blobs.path(sha).exists() for sha in (*kept, fresh, reused))
    assert housekeeping.purge(desk.env, now, blobs=blobs).blobs == 0
    later = housekeeping.purge(desk.env, now + timedelta(days=2), blobs=blobs)
    assert later.blobs == 2  # `fresh` and `reused`, once their day is over; never `kept`
    assert all(blobs.path(sha).exists() for sha in kept)


def test_tickets_are_found_by_a_prefix_of_their_id(uow_factory: Factory) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    ids = sorted(desk.open(email=f"c{i}@example.com").id for i in range(3))
    with uow_factory() as uow:
        assert [t.id for t in uow.tickets.with_id_prefix(ids[0][:12])] == [ids[0]]
        assert [t.id for t in uow.tickets.with_id_prefix("t_", limit=2)] == ids[:2]
        assert uow.tickets.with_id_prefix("t_zz") == []


def test_a_sender_over_the_limit_a_minute_is_held_then_taken_again(
    uow_factory: Factory, tmp_path: Path
) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    blobs = BlobStore(tmp_path)

    def send(n: int, sender: str = "flood@example.com") -> str:
        raw = (
            f"From: {sender}\r\nSubject: order {n}\r\nMessage-ID: <flood-{n}@x>\r\n\r\n"
            f"Where is my order #{n}?\r\n"
        ).encode()
        mail = parse(raw, mailbox="s", store=blobs.put, max_attachment_bytes=10, max_attachments=1)
        return receive(desk.env, mail, hold_per_minute=3).outcome

    outcomes = [send(n) for n in range(5)]
    assert outcomes == ["ticket", "ticket", "ticket", "held", "held"]
    assert send(5, "calm@example.com") == "ticket"  # others are not held
    desk.clock.advance(timedelta(seconds=61))
    assert send(6) == "ticket"  # a minute later the sender is taken in again
    with uow_factory() as uow:
        held = uow.mail.find("flood-3@x")
    assert held is not None and held.ticket_id is None and "3 mails a minute" in held.reason
