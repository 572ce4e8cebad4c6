"""Email out through a real SMTP relay: aiosmtpd on 127.0.0.1 with STARTTLS required and AUTH,
reached through the configured sender (`bootstrap.channel_senders`). Checks the headers that
make a customer's reply thread, the two alternatives in the customer's language, and that a
reply to what was sent comes back onto the same ticket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mailservers import Relay, self_signed

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.policy import rulebook
from tierdesk.services import conversation, users
from tierdesk.services.email_intake import Received, receive
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.outbox import deliver
from tierdesk.testing.memory import MemoryStore

CORPUS = Path(__file__).parents[1] / "data" / "mail"
FROM = "Support <support@desk.example>"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def relay(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Relay]:
    with Relay(certificate) as server:
        # The relay's self-signed certificate is the one the system trusts in this test.
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
        yield server


def _settings(relay: Relay, tmp_path: Path, **kw: object) -> Settings:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": relay.port,
        "smtp_security": "starttls",
        "smtp_username": relay.user,
        "smtp_password": relay.password,
        "email_from": FROM,
        "var_dir": tmp_path / "var",
    }
    values.update(kw)
    return Settings(**values)  # type: ignore[arg-type]


class Desk:
    def __init__(self, settings: Settings) -> None:
        self.store = MemoryStore()
        self.env = Env(uow=self.store.uow, clock=FakeClock(), rules=rulebook(preset="cs-sop"))
        self.settings = settings
        self.agent = users.add_user(
            self.env, username="ann", display_name="Ann", role="agent_l1", actor_id=None
        ).id
        self.send = bootstrap.outbound_sender(
            settings.var_dir / "mailbox.jsonl",
            self.env,
            channels=bootstrap.channel_senders(settings, self.env),
        )

    def take(self, raw: bytes) -> Received:
        mail = bootstrap.parse_mail(self.settings, "support", raw)
        own = bootstrap.own_addresses(self.settings)
        return receive(self.env, mail, own_addresses=own)


def test_a_receipt_and_a_reply_go_out_threaded_and_the_customers_answer_comes_back(
    relay: Relay, tmp_path: Path
) -> None:
    desk = Desk(_settings(relay, tmp_path))
    opened = desk.take((CORPUS / "plain_utf8.eml").read_bytes())
    ticket_id = opened.ticket_id or ""
    report = deliver(desk.env, desk.send)
    assert (report.sent, report.retried) == (1, 0)
    [(envelope, receipt)] = relay.mails
    assert envelope.rcpt_tos == ["mei@example.com"] and envelope.mail_from == "support@desk.example"
    message_id = str(receipt["Message-ID"]).strip()  # folded: a ticket id is long
    assert message_id.startswith(f"<tierdesk.{ticket_id}.")
    assert message_id.endswith(".receipt@desk.example>")
    assert receipt["In-Reply-To"] == receipt["References"] == "<plain-1@mail.example.com>"
    short = f"T-{ticket_id[2:12]}"  # the short reference: the id's first 40 bits
    assert receipt["Subject"] == f"Re: Where is my order #12345? [#{short}]"
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["X-Tierdesk-Loop"] == "support@desk.example"
    assert receipt["Content-Language"] == "en"
    plain = receipt.get_body(("plain",))
    html = receipt.get_body(("html",))
    assert plain is not None and html is not None
    body = plain.get_content()
    assert short in body and ticket_id not in body and 'lang="en"' in html.get_content()

    conversation.reply(desk.env, ticket_id=ticket_id, actor_id=desk.agent, body="It ships today.")
    assert deliver(desk.env, desk.send).sent == 1
    reply = relay.mails[-1][1]
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert reply.get_body(("plain",)).get_content().startswith("It ships today.")  # type: ignore[union-attr]

    answer = (
        f"From: Mei Lin <mei@example.com>\r\nTo: support@desk.example\r\n"
        f"Subject: {reply['Subject']}\r\nMessage-ID: <answer-1@mail.example.com>\r\n"
        f"In-Reply-To: {str(reply['Message-ID']).strip()}\r\n"
        f"References: {reply['References']} {str(reply['Message-ID']).strip()}\r\n\r\n"
        "Great, thanks!\r\n\r\n> It ships today.\r\n"
    ).encode()
    assert desk.take(answer) == Received("reply", ticket_id)
    # Our own mail forwarded back to us is a loop, not a new ticket.
    assert desk.take(receipt.as_bytes()).outcome == "loop"


def test_zh_tw_customers_get_both_alternatives_in_chinese(relay: Relay, tmp_path: Path) -> None:
    desk = Desk(_settings(relay, tmp_path))
    desk.take((CORPUS / "big5.eml").read_bytes())
    assert deliver(desk.env, desk.send).sent == 1
    mail = relay.mails[0][1]
    assert mail["Content-Language"] == "zh-TW"
    assert "案件編號" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert 'lang="zh-TW"' in mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "訂單還沒收到" in mail["Subject"]


def test_a_wrong_relay_password_fails_the_attempt_without_showing_the_password(
    relay: Relay, tmp_path: Path
) -> None:
    desk = Desk(_settings(relay, tmp_path, smtp_password="not-the-password"))
    desk.take((CORPUS / "plain_utf8.eml").read_bytes())
    report = deliver(desk.env, desk.send)
    assert (report.sent, report.retried) == (0, 1) and not relay.mails
    [message] = desk.store.tables.outbox.values()
    assert message.last_error is not None and "login refused" in message.last_error
    assert "not-the-password" not in message.last_error


def test_a_refused_recipient_is_retried_later(relay: Relay, tmp_path: Path) -> None:
    relay.handler.refuse.add("mei@example.com")
    desk = Desk(_settings(relay, tmp_path))
    desk.take((CORPUS / "plain_utf8.eml").read_bytes())
    assert deliver(desk.env, desk.send).retried == 1
    [message] = desk.store.tables.outbox.values()
    assert message.last_error is not None and "recipient refused (550)" in message.last_error


def test_without_tls_trust_the_relay_is_not_used(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    with Relay(certificate) as relay:  # SSL_CERT_FILE not set: the certificate is not trusted
        desk = Desk(_settings(relay, tmp_path))
        desk.take((CORPUS / "plain_utf8.eml").read_bytes())
        assert deliver(desk.env, desk.send).retried == 1
        assert not relay.mails
        [message] = desk.store.tables.outbox.values()
        assert "CERTIFICATE_VERIFY_FAILED" in (message.last_error or "")


def test_a_bounced_address_gets_no_mail_until_the_customer_writes_from_it_again(
    relay: Relay, tmp_path: Path
) -> None:
    desk = Desk(_settings(relay, tmp_path))
    ticket_id = desk.take((CORPUS / "plain_utf8.eml").read_bytes()).ticket_id or ""
    assert deliver(desk.env, desk.send).sent == 1  # the receipt reached the relay
    bounce = (CORPUS / "bounce.eml").read_bytes().replace(b"gone@example.com", b"mei@example.com")
    bounce = bounce.replace(b"t_00000000000000000000000000000000", ticket_id.encode())
    assert desk.take(bounce).outcome == "bounce"

    conversation.reply(desk.env, ticket_id=ticket_id, actor_id=desk.agent, body="It ships today.")
    report = deliver(desk.env, desk.send)
    assert (report.sent, report.dead, report.suppressed, report.retried) == (0, 1, 1, 0)
    assert len(relay.mails) == 1  # nothing went to the relay
    [dead] = [m for m in desk.store.tables.outbox.values() if m.status == "dead"]
    assert dead.kind == "reply" and dead.last_error is not None
    assert dead.last_error.startswith("AddressFailing: mei@example.com bounced (1x")
    assert "5.1.1" in dead.last_error
    assert deliver(desk.env, desk.send).claimed == 0  # recorded, not retried

    again = (
        "From: Mei Lin <mei@example.com>\r\nTo: support@desk.example\r\n"
        f"Subject: Re: [#{ticket_id}] order\r\nMessage-ID: <again-1@mail.example.com>\r\n\r\n"
        "My mailbox works again, any news?\r\n"
    ).encode()
    assert desk.take(again) == Received("reply", ticket_id)
    assert "mei@example.com" not in desk.store.tables.address_failures
    conversation.reply(desk.env, ticket_id=ticket_id, actor_id=desk.agent, body="Shipped.")
    assert deliver(desk.env, desk.send).sent == 1
    assert relay.mails[-1][0].rcpt_tos == ["mei@example.com"]
