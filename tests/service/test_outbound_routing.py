"""The one place that picks the sender of an outbox message (`bootstrap.outbound_sender`):
by kind (webhooks), then by the channel it travels on, else the development mailbox file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from service_desk import Desk

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.services.notify import delivery_channel
from tierdesk.services.outbox import Sender


def test_each_delivery_channel_goes_to_its_own_sender_and_the_rest_to_the_mailbox(
    desk: Desk, tmp_path: Path
) -> None:
    [receipt] = desk.outbox(desk.open().id)
    got: dict[str, list[str]] = {"email": [], "line": []}

    def sender_for(name: str) -> Sender:
        return lambda message: got[name].append(message.id)

    mailbox = tmp_path / "mailbox.jsonl"
    send = bootstrap.outbound_sender(
        mailbox, desk.env, channels={"email": sender_for("email"), "line": sender_for("line")}
    )
    web = dataclasses.replace(receipt, id="o-web", channel="web")  # a web form is answered by email
    line = dataclasses.replace(receipt, id="o-line", channel="line", recipient="U123")
    sms = dataclasses.replace(receipt, id="o-sms", channel="phone", recipient="+886912345678")
    for message in (receipt, web, line, sms):
        send(message)
    assert got == {"email": [receipt.id, "o-web"], "line": ["o-line"]}
    assert [m["id"] for m in _mailbox(mailbox)] == ["o-sms"]


def test_delivery_channels_of_every_ticket_channel() -> None:
    assert {c: delivery_channel(c) for c in ("email", "web", "chat", "api", "line", "phone")} == {
        "email": "email",
        "web": "email",
        "chat": "email",
        "api": "email",
        "line": "line",
        "phone": "sms",
    }
    assert delivery_channel("webhook") == "webhook"


def test_without_configured_channels_everything_but_webhooks_lands_in_the_mailbox(
    desk: Desk, tmp_path: Path
) -> None:
    [receipt] = desk.outbox(desk.open().id)
    mailbox = tmp_path / "mailbox.jsonl"
    channels = bootstrap.channel_senders(Settings(), desk.env)
    bootstrap.outbound_sender(mailbox, desk.env, channels=channels)(receipt)
    assert [m["id"] for m in _mailbox(mailbox)] == [receipt.id]


def _mailbox(path: Path) -> list[dict[str, Any]]:
    """The messages the development sender wrote to `path`, one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
