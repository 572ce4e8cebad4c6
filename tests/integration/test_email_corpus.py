"""The corpus of awkward mail (tests/data/mail/): each file parsed with the email adapter and
taken in by `email_intake.receive` on the in-memory store. Each gets one clear outcome, nothing
is lost (every mail has its ledger row, the original stored by hash) and nothing is stored twice
(a second delivery of each is a duplicate that changes nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from tierdesk.adapters.email.parse import decode, parse
from tierdesk.adapters.email.quotes import new_text
from tierdesk.adapters.email.store import BlobStore
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.services import email_intake
from tierdesk.services.customers import Contact
from tierdesk.services.email_intake import InboundMail, Received, receive
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.tickets import open_ticket
from tierdesk.testing.memory import MemoryStore

CORPUS = Path(__file__).parents[1] / "data" / "mail"
PLACEHOLDER = b"t_00000000000000000000000000000000"
OWN = ("support@desk.example",)


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


class Mailroom:
    def __init__(self, rules: Rulebook, root: Path) -> None:
        self.store = MemoryStore()
        self.clock = FakeClock()
        self.env = Env(uow=self.store.uow, clock=self.clock, rules=rules)
        self.blobs = BlobStore(root)

    def parse(self, raw: bytes, limit: int = 5_000_000, count: int = 10) -> InboundMail:
        return parse(
            raw,
            mailbox="support",
            store=self.blobs.put,
            max_attachment_bytes=limit,
            max_attachments=count,
        )

    def take(self, name: str, ticket_id: str | None = None) -> tuple[InboundMail, Received]:
        raw = (CORPUS / name).read_bytes()
        if ticket_id is not None:
            raw = raw.replace(PLACEHOLDER, ticket_id.encode())
        mail = self.parse(raw)
        return mail, receive(self.env, mail, own_addresses=OWN)

    def open(self, email: str = "mei@example.com") -> str:
        contact = Contact("email", email, name="Mei")
        text = "Where is my order #12345?"
        return open_ticket(self.env, channel="email", text=text, contact=contact).ticket.id


@pytest.fixture
def room(rules: Rulebook, tmp_path: Path) -> Mailroom:
    return Mailroom(rules, tmp_path / "blobs")


def _outbox_kinds(room: Mailroom, ticket_id: str) -> list[str]:
    return sorted(m.kind for m in room.store.tables.outbox.values() if m.ticket_id == ticket_id)


def test_a_plain_mail_opens_a_ticket_with_a_receipt_and_without_the_signature(
    room: Mailroom,
) -> None:
    mail, got = room.take("plain_utf8.eml")
    assert got.outcome == "ticket" and got.ticket_id
    ticket = room.store.tables.tickets[got.ticket_id]
    assert ticket.subject == "Where is my order #12345?" and ticket.channel == "email"
    assert ticket.channel_message_id == "plain-1@mail.example.com"
    [message] = [m for m in room.store.tables.messages.values() if m.ticket_id == ticket.id]
    assert "has not arrived" in message.body and "Taipei" not in message.body
    assert "Mei Lin | Taipei" in mail.full_text  # the whole original is kept beside it
    assert _outbox_kinds(room, ticket.id) == ["receipt"]
    assert room.blobs.get(mail.raw_sha256) == (CORPUS / "plain_utf8.eml").read_bytes()


def test_big5_text_and_encoded_headers_are_decoded(room: Mailroom) -> None:
    mail, got = room.take("big5.eml")
    assert mail.subject == "訂單還沒收到" and mail.sender_name == "王小明"
    assert "請幫忙查一下" in mail.text and got.outcome == "ticket"
    assert room.store.tables.tickets[got.ticket_id or ""].language == "zh-TW"


def test_gb2312_mislabelled_as_big5_is_read_as_gb2312() -> None:
    raw = (CORPUS / "gb2312_as_big5.eml").read_bytes()
    mail = parse(
        raw,
        mailbox="m",
        store=lambda b: hashlib.sha256(b).hexdigest(),
        max_attachment_bytes=1,
        max_attachments=1,
    )
    assert "我的订单还没收到" in mail.text and "MislabelledCharset" in mail.defects
    assert decode("您好".encode("big5"), "big5") == "您好"  # correct labels are believed


def test_broken_mime_is_read_as_far_as_it_goes_without_crashing(room: Mailroom) -> None:
    mail, got = room.take("broken_mime.eml")
    assert "charged twice" in mail.text and got.outcome == "ticket"
    assert "broken" in mail.subject
    assert [a.filename for a in mail.attachments] == ["bad.bin"]


def test_nested_multiparts_keep_text_sanitized_html_inline_image_and_attachment(
    room: Mailroom,
) -> None:
    mail, got = room.take("nested.eml")
    assert got.outcome == "ticket" and mail.text.startswith("The mug arrived broken")
    assert mail.html is not None and "<script" not in mail.html and "onerror" not in mail.html
    assert 'src="cid:photo1@example.com"' in mail.html
    image, pdf = mail.attachments
    assert (image.filename, image.inline, image.content_id) == (
        "photo.png",
        True,
        "photo1@example.com",
    )
    assert (pdf.filename, pdf.inline, pdf.content_type) == ("receipt.pdf", False, "application/pdf")
    assert room.blobs.get(pdf.sha256 or "").startswith(b"%PDF-1.4")
    [row] = room.store.tables.mail.values()
    assert [a["filename"] for a in row.attachments] == ["photo.png", "receipt.pdf"]


def test_html_only_mail_is_rendered_to_text_and_sanitized(room: Mailroom) -> None:
    mail, got = room.take("html_only.eml")
    assert mail.text.startswith("I cannot log in to my account since yesterday.")
    assert "color:red" not in mail.text
    assert mail.html is not None
    assert (
        "onclick" not in mail.html
        and "javascript:" not in mail.html
        and "https://example.com/help" in mail.html
    )
    assert got.outcome == "ticket"


def test_an_attachment_over_the_limit_is_listed_but_not_stored(
    room: Mailroom, tmp_path: Path
) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = (
        "big@example.com",
        "support@desk.example",
        "Video of the fault",
    )
    msg["Message-ID"] = "<big-1@example.com>"
    msg.set_content("The video of the fault is attached.")
    big = b"\0" * (20 * 1024 * 1024)  # 20 MB, made here, never committed
    msg.add_attachment(big, maintype="video", subtype="mp4", filename="fault.mp4")
    msg.add_attachment(b"small", maintype="text", subtype="plain", filename="note.txt")
    mail = room.parse(msg.as_bytes(), limit=10 * 1024 * 1024)
    video, note = mail.attachments
    assert video.sha256 is None and video.refused == f"larger than {10 * 1024 * 1024} bytes"
    assert video.size == len(big) and note.sha256 is not None
    assert not room.blobs.path(hashlib.sha256(big).hexdigest()).exists()
    got = receive(room.env, mail, own_addresses=OWN)
    assert got.outcome == "ticket"


def test_too_many_attachments_are_refused_past_the_count_limit(room: Mailroom) -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "many@example.com", "files", "<many@x>"
    msg.set_content("see files")
    for i in range(3):
        msg.add_attachment(
            f"file {i}".encode(), maintype="text", subtype="plain", filename=f"{i}.txt"
        )
    mail = room.parse(msg.as_bytes(), count=2)
    assert [a.refused for a in mail.attachments] == [None, None, "more than 2 attachments"]


@pytest.mark.rule("R-PROC-1")
def test_an_out_of_office_joins_nothing_and_gets_no_receipt(room: Mailroom) -> None:
    ticket_id = room.open()
    before = _outbox_kinds(room, ticket_id)
    _, got = room.take("out_of_office.eml", ticket_id)
    assert got.outcome == "auto_reply" and got.ticket_id == ticket_id
    assert "auto-replied" in got.reason
    assert _outbox_kinds(room, ticket_id) == before
    assert len(room.store.tables.tickets) == 1
    assert room.store.tables.mail["ooo-1@mail.example.com"].ticket_id == ticket_id


def test_bulk_mail_opens_no_ticket(room: Mailroom) -> None:
    _, got = room.take("bulk.eml")
    assert got.outcome == "auto_reply" and not room.store.tables.tickets


def test_a_bounce_marks_the_address_failing_on_its_customer(room: Mailroom) -> None:
    ticket_id = room.open("gone@example.com")
    _, got = room.take("bounce.eml", ticket_id)
    assert got.outcome == "bounce" and got.ticket_id == ticket_id
    failure = room.store.tables.address_failures["gone@example.com"]
    assert failure.customer_id == room.store.tables.tickets[ticket_id].customer_id
    assert "5.1.1" in failure.reason and failure.bounces == 1
    assert _outbox_kinds(room, ticket_id) == ["receipt"]  # no receipt to the bounce


def test_a_mail_loop_is_dropped(room: Mailroom) -> None:
    ticket_id = room.open()
    _, got = room.take("loop.eml", ticket_id)
    assert got.outcome == "loop" and len(room.store.tables.tickets) == 1


def test_an_outlook_reply_joins_its_ticket_by_in_reply_to_without_the_quote(room: Mailroom) -> None:
    ticket_id = room.open()
    mail, got = room.take("outlook_reply.eml", ticket_id)
    assert got == Received("reply", ticket_id)
    assert mail.text == "It still has not arrived, the tracking page shows nothing."
    assert "courier" in mail.full_text
    bodies = [m.body for m in room.store.tables.messages.values() if m.ticket_id == ticket_id]
    assert bodies[-1] == mail.text and len(bodies) == 2


def test_a_gmail_reply_joins_its_ticket_by_references_without_the_quote(room: Mailroom) -> None:
    ticket_id = room.open()
    mail, got = room.take("gmail_reply.eml", ticket_id)
    assert got == Received("reply", ticket_id)
    assert mail.text == "Here is the tracking number: TW123456789."


def test_the_subject_token_threads_when_the_headers_do_not(room: Mailroom) -> None:
    ticket_id = room.open()
    raw = (
        f"From: mei@example.com\r\nSubject: Re: [#{ticket_id}] order\r\nMessage-ID: <tok@x>\r\n\r\n"
        "Any news?\r\n"
    ).encode()
    got = receive(room.env, room.parse(raw), own_addresses=OWN)
    assert got == Received("reply", ticket_id)


def test_a_reply_to_the_customers_own_earlier_mail_joins_that_ticket(room: Mailroom) -> None:
    _, first = room.take("plain_utf8.eml")
    raw = (
        b"From: mei@example.com\r\nSubject: also\r\nMessage-ID: <second@x>\r\n"
        b"In-Reply-To: <plain-1@mail.example.com>\r\n\r\nOne more thing.\r\n"
    )
    got = receive(room.env, room.parse(raw), own_addresses=OWN)
    assert got == Received("reply", first.ticket_id)


def test_a_mail_without_message_id_gets_one_from_its_content(room: Mailroom) -> None:
    mail, got = room.take("no_message_id.eml")
    digest = hashlib.sha256((CORPUS / "no_message_id.eml").read_bytes()).hexdigest()
    assert mail.message_id == f"{digest}@tierdesk.invalid" and got.outcome == "ticket"
    assert room.take("no_message_id.eml")[1].outcome == "duplicate"


def test_a_sender_over_the_limit_a_minute_is_held(room: Mailroom) -> None:
    outcomes = []
    for i in range(4):
        raw = f"From: flood@example.com\r\nSubject: s{i}\r\nMessage-ID: <f{i}@x>\r\n\r\nhi {i}\r\n"
        outcomes.append(receive(room.env, room.parse(raw.encode()), hold_per_minute=2).outcome)
    assert outcomes == ["ticket", "ticket", "held", "held"]
    assert len(room.store.tables.mail) == 4  # held mail is kept, not lost


def test_every_mail_of_the_corpus_has_one_outcome_and_a_second_delivery_changes_nothing(
    room: Mailroom,
) -> None:
    ticket_id = room.open()
    expected = {
        "plain_utf8.eml": "ticket",
        "big5.eml": "ticket",
        "gb2312_as_big5.eml": "ticket",
        "broken_mime.eml": "ticket",
        "nested.eml": "ticket",
        "html_only.eml": "ticket",
        "no_message_id.eml": "ticket",
        "out_of_office.eml": "auto_reply",
        "bulk.eml": "auto_reply",
        "bounce.eml": "bounce",
        "loop.eml": "loop",
        "outlook_reply.eml": "reply",
        "gmail_reply.eml": "reply",
    }
    assert sorted(expected) == sorted(p.name for p in CORPUS.glob("*.eml"))
    got = {name: room.take(name, ticket_id)[1].outcome for name in expected}
    assert got == expected
    tables = room.store.tables
    counts = (len(tables.tickets), len(tables.messages), len(tables.outbox), len(tables.mail))
    again = {name: room.take(name, ticket_id)[1].outcome for name in expected}
    assert set(again.values()) == {"duplicate"}
    assert (
        len(tables.tickets),
        len(tables.messages),
        len(tables.outbox),
        len(tables.mail),
    ) == counts
    assert len(tables.mail) == len(expected)


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("Thanks!\n\n-----Original Message-----\nFrom: a\nold", "Thanks!"),
        ("好的，謝謝\n\n於 2025年3月4日 週二 上午10:02 客服 <s@d> 寫道：\n> 舊的", "好的，謝謝"),
        ("ok\n\nFrom: Support\nSent: Monday\nTo: me\n\nold text", "ok"),
        ("> only a quote\n> nothing new", "> only a quote\n> nothing new"),
        ("new\n\n> quoted at the end\n> more", "new"),
        ("a\n--\nsig", "a"),
    ],
)
def test_quoted_history_and_signatures_are_cut(text: str, new: str) -> None:
    assert new_text(text) == new


def test_message_ids_tierdesk_sends_name_their_ticket(room: Mailroom) -> None:
    ticket_id = room.open()
    [receipt] = [m for m in room.store.tables.outbox.values() if m.ticket_id == ticket_id]
    mid = email_intake.message_id_for(receipt, "desk.example")
    assert mid == f"tierdesk.{ticket_id}.{receipt.payload['event_seq']}.receipt@desk.example"
    raw = f"From: mei@example.com\r\nMessage-ID: <r@x>\r\nIn-Reply-To: <{mid}>\r\n\r\nhi\r\n"
    assert receive(room.env, room.parse(raw.encode())) == Received("reply", ticket_id)


def test_the_short_subject_token_threads_and_a_shared_one_goes_to_the_senders_ticket(
    room: Mailroom,
) -> None:
    mei, wen = room.open(), room.open("wen@example.com")
    assert email_intake.ticket_token(mei) == f"[#T-{mei[2:12]}]"

    def mail(sender: str, token: str, n: int) -> Received:
        raw = (
            f"From: {sender}\r\nSubject: Re: {token} order\r\nMessage-ID: <short-{n}@x>\r\n\r\n"
            "Any news?\r\n"
        ).encode()
        return receive(room.env, room.parse(raw), own_addresses=OWN)

    assert mail("mei@example.com", email_intake.ticket_token(mei), 1) == Received("reply", mei)
    assert mail("mei@example.com", f"[#T-{mei[2:12].upper()}]", 2) == Received("reply", mei)
    # two tickets sharing the short reference's 40 bits (forced here): the sender's one
    twin = "t_" + mei[2:12] + "f" * 22
    tickets = room.store.tables.tickets
    tickets[twin] = replace(tickets[wen], id=twin)
    assert mail("wen@example.com", f"[#T-{mei[2:12]}]", 3) == Received("reply", twin)
    assert mail("mei@example.com", f"[#T-{mei[2:12]}]", 4) == Received("reply", mei)
    got = mail("stranger@example.com", f"[#T-{mei[2:12]}]", 5)  # neither is theirs
    assert got.outcome == "ticket" and got.ticket_id not in (mei, twin)
    assert room.store.tables.tickets[got.ticket_id or ""].subject == "Re: order"
