"""LINE end to end on every store: signed webhook requests (signed as LINE signs them, checked
against the SDK's own validator) become tickets and messages once; the outbox's LINE sender
talks to a local stand-in of the Messaging API (`line_standin`), which checks the bearer token,
the JSON shapes and the reply tokens as LINE does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from db_desk import StoreDesk, make_store_desk
from fastapi.testclient import TestClient
from line_standin import LineStandIn
from linebot.v3.webhook import SignatureValidator

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook
from tierdesk.services import conversation
from tierdesk.services.outbox import deliver
from tierdesk.services.ports import UnitOfWork
from tierdesk.web.app import create_app

SECRET = "line-channel-secret-for-tests-0123"
TOKEN = "line-access-token-for-tests"
MEI = "U" + "4" * 32
WEN = "U" + "5" * 32


def sign(body: bytes, secret: str = SECRET) -> str:
    """X-Line-Signature as LINE computes it: base64(HMAC-SHA256(channel secret, body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event(kind: str, user: str, *, event_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """A webhook event as LINE sends it (one-to-one chat)."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1741053600000,
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id or uuid.uuid4().hex.upper()[:26],
        "deliveryContext": {"isRedelivery": False},
        **extra,
    }


def text(user: str, words: str, token: str | None = None, **kw: Any) -> dict[str, Any]:
    message = {"id": uuid.uuid4().hex[:14], "type": "text", "text": words, "quoteToken": "q"}
    return event("message", user, replyToken=token or "x" * 32, message=message, **kw)


def body_of(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()


class Line:
    """A helpdesk on one store with LINE configured against the stand-in."""

    def __init__(self, desk: StoreDesk, standin: LineStandIn) -> None:
        self.desk, self.standin = desk, standin
        settings = Settings(
            secret_key="k" * 40,  # type: ignore[arg-type]
            line_channel_secret=SECRET,  # type: ignore[arg-type]
            line_channel_access_token=TOKEN,  # type: ignore[arg-type]
            line_api_url=standin.url,
        )
        hasher = bootstrap.password_hasher(fast=True)
        self.app = create_app(desk.env, settings, hasher=hasher)
        self.client = TestClient(self.app)
        channel = bootstrap.line_channel(settings, desk.env)
        assert channel is not None
        self.sender = channel.sender

    def post(self, body: bytes, signature: str | None = "sign") -> Any:
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = sign(body)
        if signature is not None:
            headers["X-Line-Signature"] = signature
        return self.client.post("/channels/line/webhook", content=body, headers=headers)

    def deliver(self) -> Any:
        return deliver(self.desk.env, self.sender)

    def outbox(self) -> list[Any]:
        with self.desk.env.uow() as uow:
            found = [m for t in self.desk.tickets() for m in uow.outbox.for_ticket(t.id)]
            return found

    def profile_requests(self) -> int:
        return sum(r["path"].startswith("/v2/bot/profile/") for r in self.standin.requests)


@pytest.fixture
def standin() -> Iterator[LineStandIn]:
    running = LineStandIn.start(
        token=TOKEN,
        profiles={
            MEI: {"displayName": "林美玲", "language": "zh-TW"},
            WEN: {"displayName": "Wen", "language": "en"},
        },
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def line(uow_factory: Callable[[], UnitOfWork], standin: LineStandIn, rules: Rulebook) -> Line:
    return Line(make_store_desk(uow_factory, rules), standin)


def test_the_signature_in_these_tests_is_the_one_the_sdk_accepts() -> None:
    body = body_of(text(MEI, "hi"))
    assert SignatureValidator(SECRET).validate(body.decode(), sign(body))
    assert not SignatureValidator(SECRET).validate(body.decode(), sign(body, "other-secret"))


@pytest.mark.parametrize(
    "signature", [None, "", "bm90IGEgc2lnbmF0dXJl", sign(b"another body"), "forged"]
)
def test_a_missing_or_forged_signature_is_401_and_stores_nothing(
    line: Line, signature: str | None
) -> None:
    answer = line.post(body_of(text(MEI, "我的訂單還沒到")), signature=signature)
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_signature"
    assert line.desk.tickets() == []
    with line.desk.env.uow() as uow:
        assert uow.customers.find_by_identity("line", MEI) is None
    assert line.standin.requests == []  # not even the profile was fetched


def test_a_body_signed_with_another_channels_secret_is_refused(line: Line) -> None:
    body = body_of(text(MEI, "hello"))
    assert line.post(body, signature=sign(body, "someone-elses-secret")).status_code == 401
    assert line.desk.tickets() == []


def test_a_text_message_opens_a_ticket_and_the_receipt_uses_the_reply_token(line: Line) -> None:
    token = line.standin.issue_reply_token(MEI)
    answer = line.post(body_of(text(MEI, "我的訂單 #12345 還沒到，已經一週了", token)))
    assert answer.status_code == 200, answer.text
    [handled] = answer.json()["handled"]
    assert handled["outcome"] == "ticket"
    [ticket] = line.desk.tickets()
    assert ticket.channel == "line" and ticket.language == "zh-TW"
    with line.desk.env.uow() as uow:
        customer = uow.customers.find_by_identity("line", MEI)
    assert customer is not None and customer.name == "林美玲"  # from the LINE profile
    report = line.deliver()
    assert report.sent == 1
    [sent] = line.standin.sent
    assert sent.via == "reply" and sent.to == MEI
    assert f"T-{ticket.id[2:12]}" in sent.texts[0] and "林美玲" in sent.texts[0]


def test_a_redelivered_event_is_handled_once(line: Line) -> None:
    first = text(MEI, "The app crashes when I pay", event_id="01HREDELIVERY0000000000001")
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    assert line.post(body_of(first)).status_code == 200
    answer = line.post(body_of(again))
    assert answer.json()["handled"][0]["outcome"] == "duplicate"
    [ticket] = line.desk.tickets()
    with line.desk.env.uow() as uow:
        customer_messages = [m for m in uow.messages.for_ticket(ticket.id) if m.kind == "customer"]
    assert len(customer_messages) == 1
    assert line.profile_requests() == 1


def test_follow_ups_join_the_active_ticket_and_the_profile_is_fetched_once(line: Line) -> None:
    line.post(body_of(text(WEN, "My order #4411 has not arrived")))
    sticker = event(
        "message",
        WEN,
        replyToken="y" * 32,
        message={
            "id": "5551",
            "type": "sticker",
            "packageId": "446",
            "stickerId": "1988",
            "stickerResourceType": "STATIC",
            "keywords": ["sad"],
            "quoteToken": "q2",
        },
    )
    image = event(
        "message",
        WEN,
        replyToken="z" * 32,
        message={
            "id": "5552",
            "type": "image",
            "contentProvider": {"type": "line"},
            "quoteToken": "q3",
        },
    )
    answer = line.post(body_of(text(WEN, "any news?"), sticker, image))
    assert [h["outcome"] for h in answer.json()["handled"]] == ["message"] * 3
    [ticket] = line.desk.tickets()
    with line.desk.env.uow() as uow:
        bodies = [m.body for m in uow.messages.for_ticket(ticket.id) if m.kind == "customer"]
    assert bodies[1] == "any news?"
    assert bodies[2] == "[sticker 446/1988 (sad)]"
    assert bodies[3] == "[image: LINE message 5552]"
    assert line.profile_requests() == 1


def test_a_follow_sends_the_policys_greeting_and_an_unfollow_stops_pushes(line: Line) -> None:
    follow = event("follow", MEI, replyToken=line.standin.issue_reply_token(MEI))
    follow["follow"] = {"isUnblocked": False}
    assert line.post(body_of(follow)).json()["handled"][0]["outcome"] == "greeting"
    assert line.post(body_of(follow)).json()["handled"][0]["outcome"] == "duplicate"
    assert line.deliver().sent == 1
    [greeting] = line.standin.sent
    assert greeting.via == "reply" and "LINE" in greeting.texts[0] and "林美玲" in greeting.texts[0]
    line.post(body_of(text(MEI, "退款什麼時候會到？")))
    line.standin.sent.clear()
    line.desk.clock.advance(timedelta(seconds=1))
    assert line.post(body_of(event("unfollow", MEI))).json()["handled"][0]["outcome"] == (
        "unfollow"
    )
    line.desk.clock.advance(timedelta(minutes=5))  # the reply token has expired by now
    report = line.deliver()
    assert report.dead == 1 and report.retried == 0  # not retried forever
    assert line.standin.sent == []  # nothing was pushed to a user who blocked us
    [receipt] = [m for m in line.outbox() if m.kind == "receipt"]
    assert receipt.status == "dead" and "blocked" in (receipt.last_error or "")


def test_without_a_valid_reply_token_the_reply_is_pushed_once(line: Line) -> None:
    token = line.standin.issue_reply_token(WEN)
    line.post(body_of(text(WEN, "Where is my refund?", token)))
    line.desk.clock.advance(timedelta(minutes=2))  # past the reply token's life
    assert line.deliver().sent == 1
    [push] = line.standin.sent
    assert push.via == "push" and push.retry_key is not None
    # LINE already accepted this retry key: a repeated attempt is 409, which counts as sent.
    [receipt] = line.outbox()
    assert line.sender(receipt) is None
    assert len(line.standin.sent) == 1


def test_a_token_line_no_longer_takes_falls_back_to_a_push(line: Line) -> None:
    token = line.standin.issue_reply_token(WEN)
    line.post(body_of(text(WEN, "Where is my refund?", token)))
    line.standin.expire(token)  # LINE says no, though our clock thinks it is still valid
    assert line.deliver().sent == 1
    assert [s.via for s in line.standin.sent] == ["push"]


def test_an_agent_reply_within_the_token_life_uses_a_new_message_token(line: Line) -> None:
    line.post(body_of(text(WEN, "My order #4411 has not arrived")))
    line.deliver()  # the receipt used the first message's token (refused: not issued) -> push
    [ticket] = line.desk.tickets()
    token = line.standin.issue_reply_token(WEN)
    line.post(body_of(text(WEN, "hello?", token)))
    conversation.reply(
        line.desk.env,
        ticket_id=ticket.id,
        actor_id=line.desk.user["agent_l1"],
        body="Hi Wen, your parcel left our warehouse today; tracking number TW123.",
    )
    assert line.deliver().sent == 1
    assert line.standin.sent[-1].via == "reply"
    assert "TW123" in line.standin.sent[-1].texts[0]


def test_a_used_up_quota_and_a_user_line_refuses_are_recorded_not_retried(line: Line) -> None:
    line.post(body_of(text(MEI, "訂單沒到")))
    line.post(body_of(text(WEN, "Order missing")))
    line.standin.quota_left = 0
    line.standin.blocked.add(WEN)
    line.desk.clock.advance(timedelta(minutes=2))
    report = line.deliver()
    assert report.dead == 2 and report.retried == 0
    errors = sorted(m.last_error or "" for m in line.outbox())
    assert "monthly message quota" in errors[0] or "monthly message quota" in errors[1]
    assert any("will not deliver" in e for e in errors)


def test_a_wrong_access_token_is_retried_and_never_logged(
    line: Line, caplog: pytest.LogCaptureFixture
) -> None:
    line.post(body_of(text(WEN, "Order missing")))
    line.standin.token = "rotated-token"
    line.desk.clock.advance(timedelta(minutes=2))
    report = line.deliver()
    assert report.retried == 1 and report.dead == 0
    [receipt] = line.outbox()
    assert "HTTP 401" in (receipt.last_error or "")
    assert TOKEN not in (receipt.last_error or "")
    assert TOKEN not in caplog.text and SECRET not in caplog.text


def test_requests_carry_the_bearer_token_and_line_shaped_json(line: Line) -> None:
    line.post(body_of(text(WEN, "Order missing")))
    [ticket] = line.desk.tickets()
    long = "Here is everything about your order. " * 200  # 7,400 characters
    agent = line.desk.user["agent_l1"]
    conversation.reply(line.desk.env, ticket_id=ticket.id, actor_id=agent, body=long)
    line.desk.clock.advance(timedelta(minutes=2))
    assert line.deliver().sent == 2
    long_push = line.standin.sent[-1]
    assert [len(t) for t in long_push.texts] == [5000, len(long.strip()) - 5000]
    assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in line.standin.requests)


def test_the_channel_check_names_the_bot(line: Line) -> None:
    assert line.sender.check() == "ok: bot tierdesk stand-in (@000standin)"
    line.standin.token = "rotated"
    assert line.sender.check().startswith("failed: HTTP 401")


def test_line_is_routed_to_its_sender_only_when_configured(tmp_path: Path) -> None:
    from tierdesk.services.env import Env
    from tierdesk.services.fake_clock import FakeClock
    from tierdesk.testing.memory import MemoryStore

    env = Env(uow=MemoryStore().uow, clock=FakeClock(), rules=rulebook(preset="simple"))
    assert bootstrap.channel_senders(Settings(), env) == {}
    secret_file, token_file = tmp_path / "secret", tmp_path / "token"
    secret_file.write_text(SECRET + "\n")
    token_file.write_text(TOKEN)
    settings = Settings(
        line_channel_secret_file=secret_file, line_channel_access_token_file=token_file
    )
    assert settings.line_credentials() == (SECRET, TOKEN)
    assert set(bootstrap.channel_senders(settings, env)) == {"line"}
    assert SECRET not in repr(settings) and TOKEN not in repr(
        Settings(line_channel_access_token=TOKEN)
    )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="TIERDESK_LINE_CHANNEL_ACCESS_TOKEN"):
        Settings(line_channel_secret_file=secret_file).line_credentials()
    with pytest.raises(ValueError, match="cannot read"):
        Settings(
            line_channel_secret_file=tmp_path / "missing",
            line_channel_access_token=TOKEN,  # type: ignore[arg-type]
        ).line_credentials()


def test_channels_check_says_in_one_line_what_is_wrong(
    standin: LineStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tierdesk.cli.main import app

    monkeypatch.setenv("TIERDESK_LINE_API_URL", standin.url)
    monkeypatch.setenv("TIERDESK_LINE_CHANNEL_SECRET", SECRET)
    monkeypatch.setenv("TIERDESK_LINE_CHANNEL_ACCESS_TOKEN", TOKEN)
    ok = CliRunner().invoke(app, ["channels", "check"])
    assert ok.exit_code == 0, ok.output
    assert f"line messaging api {standin.url}: ok" in ok.output
    monkeypatch.setenv("TIERDESK_LINE_CHANNEL_ACCESS_TOKEN", "wrong-token")
    bad = CliRunner().invoke(app, ["channels", "check"])
    assert bad.exit_code == 1 and ": HTTP 401: Authentication failed" in bad.output
    assert "wrong-token" not in bad.output and SECRET not in bad.output
    monkeypatch.delenv("TIERDESK_LINE_CHANNEL_ACCESS_TOKEN")
    half = CliRunner().invoke(app, ["channels", "check"])
    assert half.exit_code == 1 and "half configured" in half.output
