"""The email ledger on every store (the in-memory fakes, SQLite and PostgreSQL): the
repository contract, and the corpus's outcomes taken in through the real services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from db_desk import make_store_desk
from db_records import T0, at

from tierdesk.adapters.email.parse import parse
from tierdesk.adapters.email.store import BlobStore
from tierdesk.policy import rulebook
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
