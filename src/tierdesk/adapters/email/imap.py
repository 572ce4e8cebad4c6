"""Polling an IMAP mailbox with imapclient: fetch new mail, hand each to the intake, and
acknowledge it to the server only after the intake returned (its ticket or reply committed).

One pass (`poll`): connect (TLS by default) and log in when not connected, select the folder,
search what is not acknowledged yet, fetch each message with `BODY.PEEK[]` (which does not set
`\\Seen`), call `take(raw)`, and acknowledge the messages taken (committed) as configured,
one command per batch of 50 (also when the batch stops at a failure):

- `seen`: flag it `\\Seen` and the keyword `$Tierdesk` (the search skips `$Tierdesk` mail, so
  a person reading the mailbox in a mail client changes nothing);
- `move`: move it to `move_to` (MOVE, or COPY + delete on servers without MOVE);
- `delete`: flag it `\\Deleted` and expunge it (UID EXPUNGE where the server has UIDPLUS).

When anything fails mid-pass (the server restarts, the connection drops, the store is down)
the connection is dropped and the error raised: the worker retries with backoff, the next
pass fetches again what was not acknowledged, and the intake recognises by Message-ID what it
already committed. Nothing is lost and nothing is taken twice.

Between passes, `wait` uses IDLE when the server has it (woken as soon as mail arrives, at
most `poll_seconds` later otherwise); without IDLE it returns False and the worker sleeps.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from imapclient import IMAPClient

log = logging.getLogger("tierdesk.email")

KEYWORD = "$Tierdesk"
BATCH = 50
_IDLE_SLICE = 5.0  # seconds per IDLE check, so a stop request is seen quickly


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    security: str = "ssl"  # ssl, starttls, none
    folder: str = "INBOX"
    ack: str = "seen"  # seen, move, delete
    move_to: str = "Processed"
    idle: bool = True
    poll_seconds: float = 30.0
    timeout: float = 30.0
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}/{self.folder}"


def connect(config: MailboxConfig) -> IMAPClient:
    """A logged-in client with `config.folder` selected (raises on any failure; the message
    never holds the password)."""
    context = config.context or ssl.create_default_context()
    client = IMAPClient(
        config.host,
        port=config.port,
        ssl=config.security == "ssl",
        ssl_context=context if config.security == "ssl" else None,
        timeout=config.timeout,
    )
    try:
        if config.security == "starttls":
            client.starttls(ssl_context=context)
        client.login(config.username, config.password)
        client.select_folder(config.folder)
        if config.ack == "move" and not client.folder_exists(config.move_to):
            client.create_folder(config.move_to)
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # already broken: nothing to say goodbye to
        with contextlib.suppress(Exception):  # the socket is gone either way
            client.shutdown()


class ImapMailbox:
    """One configured mailbox (see the module doc)."""

    def __init__(self, config: MailboxConfig) -> None:
        self.config = config
        self.name = config.name
        self._client: IMAPClient | None = None
        self._lock = threading.Lock()

    def _connected(self) -> IMAPClient:
        if self._client is None:
            self._client = connect(self.config)
        return self._client

    def _criteria(self) -> list[Any]:
        if self.config.ack == "seen":
            return ["NOT", "DELETED", "UNKEYWORD", KEYWORD]
        return ["NOT", "DELETED"]

    def poll(self, take: Callable[[bytes], object], limit: int = 500) -> int:
        """One pass: take and acknowledge up to `limit` messages; returns how many."""
        with self._lock:
            try:
                return self._poll(take, limit)
            except BaseException:
                self.close_unlocked()
                raise

    def _poll(self, take: Callable[[bytes], object], limit: int) -> int:
        client = self._connected()
        client.noop()  # notices a dead connection before the search
        uids = sorted(client.search(self._criteria()))[:limit]
        done = 0
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            taken: list[int] = []
            try:
                for uid in chunk:
                    data = fetched.get(uid)
                    raw = data.get(b"BODY[]") if data else None
                    if not isinstance(raw, bytes):
                        continue  # expunged by someone else meanwhile
                    take(raw)  # committed when it returns; raises when the store fails
                    taken.append(uid)
            finally:
                # Only what was committed, in one command per batch (a round trip per mail
                # costs more than the rest of its intake on a fast store).
                if taken:
                    self._ack(client, taken)
            done += len(taken)
        if done and self.config.ack in ("delete", "move"):
            self._expunge(client)
        return done

    def _ack(self, client: IMAPClient, uids: list[int]) -> None:
        ack = self.config.ack
        if ack == "seen":
            client.add_flags(uids, [b"\\Seen", KEYWORD.encode()])
        elif ack == "move":
            if client.has_capability("MOVE"):
                client.move(uids, self.config.move_to)
            else:
                client.copy(uids, self.config.move_to)
                client.add_flags(uids, [b"\\Deleted"])
        else:
            client.add_flags(uids, [b"\\Deleted"])

    def _expunge(self, client: IMAPClient) -> None:
        if client.has_capability("UIDPLUS"):
            deleted = client.search(["DELETED"])
            if deleted:
                client.uid_expunge(deleted)
        else:
            client.expunge()

    def wait(self, stop: threading.Event) -> bool:
        """Wait for new mail with IDLE up to `poll_seconds` (False, at once, when the mailbox
        is not to IDLE or the server lacks it: the caller sleeps instead)."""
        with self._lock:
            client = self._client
            if client is None or not self.config.idle or not client.has_capability("IDLE"):
                return False
            try:
                client.idle()
                deadline = time.monotonic() + self.config.poll_seconds
                while not stop.is_set() and time.monotonic() < deadline:
                    started = time.monotonic()
                    if client.idle_check(timeout=_IDLE_SLICE):
                        break
                    if time.monotonic() - started < _IDLE_SLICE / 2:
                        # imapclient swallows EOF: woken early with nothing means the server
                        # closed the connection (a restart). Reconnect on the next pass.
                        raise ConnectionError(f"{self.config.where}: closed during IDLE")
                client.idle_done()
            except BaseException:
                self.close_unlocked()
                raise
            return True

    def check(self) -> str | None:
        """Connect, log in and select the folder once: None when that works, else what is
        wrong (one line, no secrets)."""
        try:
            client = connect(self.config)
        except Exception as exc:
            return describe(exc)
        try:
            count = len(client.search(self._criteria()))
        except Exception as exc:
            return describe(exc)
        finally:
            _close(client)
        log.debug("%s: %d waiting", self.config.where, count)
        return None

    def close(self) -> None:
        with self._lock:
            self.close_unlocked()

    def close_unlocked(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _close(client)


def describe(exc: BaseException) -> str:
    """One line about a connection failure."""
    text = str(exc).replace("\n", " ").strip() or type(exc).__name__
    if isinstance(exc, bytes):  # pragma: no cover - imaplib errors carry bytes reprs
        text = exc.decode(errors="replace")
    return f"{type(exc).__name__}: {text}"[:300]
