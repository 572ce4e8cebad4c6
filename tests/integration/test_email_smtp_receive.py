"""Receiving mail by SMTP (aiosmtpd on 127.0.0.1, `bootstrap.smtp_receiver`): 250 only after
the ticket is committed, 451 (the sender keeps it and retries) when the store fails, and a
message sent twice is one ticket."""

from __future__ import annotations

import smtplib
import threading
import time
from pathlib import Path

import pytest
from mailservers import free_port

from tierdesk import bootstrap
from tierdesk.config import Settings
from tierdesk.policy import rulebook
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.testing.memory import MemoryStore, MemoryUnitOfWork
from tierdesk.workers.email import run_receiver

MAIL = (
    b"From: Mei Lin <mei@example.com>\r\nTo: support@desk.example\r\n"
    b"Subject: Order missing\r\nMessage-ID: <smtp-in-1@mail.example.com>\r\n\r\n"
    b"My order #12345 has not arrived.\r\n"
)


class BrokenError(Exception):
    pass


def test_mail_received_by_smtp_is_acknowledged_only_once_committed(tmp_path: Path) -> None:
    store = MemoryStore()
    database_up = threading.Event()
    database_up.set()

    def uow() -> MemoryUnitOfWork:
        if not database_up.is_set():
            raise BrokenError("database restarting")
        return store.uow()

    env = Env(uow=uow, clock=FakeClock(), rules=rulebook(preset="cs-sop"))
    port = free_port()
    settings = Settings(var_dir=tmp_path, smtp_receive_port=port)
    receiver = bootstrap.smtp_receiver(settings, env)
    assert receiver is not None
    stop = threading.Event()
    thread = threading.Thread(target=run_receiver, args=(receiver, stop))
    thread.start()
    try:
        time.sleep(0.3)  # the server thread starts listening
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            assert smtp.sendmail("mei@example.com", ["support@desk.example"], MAIL) == {}
            smtp.sendmail("mei@example.com", ["support@desk.example"], MAIL)  # sent again
        assert len(store.tables.tickets) == 1 and len(store.tables.mail) == 1
        [ticket] = store.tables.tickets.values()
        assert ticket.channel_message_id == "smtp-in-1@mail.example.com"

        database_up.clear()
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            smtp.sendmail("x@example.com", ["support@desk.example"], MAIL.replace(b"-1@", b"-2@"))
        assert refused.value.smtp_code == 451
        assert len(store.tables.mail) == 1  # nothing of the refused one was stored
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
