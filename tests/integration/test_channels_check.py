"""`tierdesk channels check` against real servers: the aiosmtpd relay (STARTTLS, AUTH) and a
private Dovecot. One line per channel; exit 1 when any fails; secrets never printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailservers import Dovecot, Relay, self_signed
from typer.testing import CliRunner

from tierdesk.cli.main import app

pytestmark = pytest.mark.slow


@pytest.fixture
def servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Relay, Dovecot]]:
    with Relay(self_signed(tmp_path)) as relay, Dovecot() as dovecot:
        monkeypatch.setenv("SSL_CERT_FILE", str(relay.cert))
        yield relay, dovecot


def _env(relay: Relay, dovecot: Dovecot, smtp_password: str, imap_password: str) -> dict[str, str]:
    mailboxes = [
        {
            "name": "support",
            "host": "127.0.0.1",
            "port": dovecot.port,
            "security": "none",
            "username": dovecot.user,
            "password_env": "TEST_IMAP_PASSWORD",
        },
        {"name": "sales", "host": "127.0.0.1", "port": dovecot.port, "username": "x"},
    ]
    return {
        "TIERDESK_SMTP_HOST": "127.0.0.1",
        "TIERDESK_SMTP_PORT": str(relay.port),
        "TIERDESK_SMTP_USERNAME": relay.user,
        "TIERDESK_SMTP_PASSWORD": smtp_password,
        "TIERDESK_EMAIL_FROM": "Support <support@desk.example>",
        "TIERDESK_EMAIL_MAILBOXES": json.dumps(mailboxes),
        "TEST_IMAP_PASSWORD": imap_password,
    }


def test_each_channel_gets_one_line_saying_what_works_and_what_is_wrong(
    servers: tuple[Relay, Dovecot],
) -> None:
    relay, dovecot = servers
    good = CliRunner().invoke(
        app, ["channels", "check"], env=_env(relay, dovecot, relay.password, dovecot.password)
    )
    lines = good.output.splitlines()
    assert lines[0] == f"email out smtp 127.0.0.1:{relay.port}: ok"
    assert lines[1] == f"email in support imap 127.0.0.1:{dovecot.port}/INBOX: ok"
    assert lines[2].endswith("mailbox sales: no password (password_env/password_file is not set)")
    assert good.exit_code == 1  # sales is not configured properly

    bad = CliRunner().invoke(
        app, ["channels", "check", "--json"], env=_env(relay, dovecot, "wrong-1", "wrong-2")
    )
    rows = [json.loads(line) for line in bad.output.splitlines()]
    assert [r["ok"] for r in rows] == [False, False, False]
    assert rows[0]["problem"] == "login refused (535)"
    assert "AUTHENTICATIONFAILED" in rows[1]["problem"]
    assert "wrong-1" not in bad.output and "wrong-2" not in bad.output
    assert bad.exit_code == 1


def test_without_channels_it_says_where_mail_goes(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["channels", "check"], env={"TIERDESK_SMTP_HOST": ""})
    assert result.exit_code == 0
    assert "no channels configured" in result.output
