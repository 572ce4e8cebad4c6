"""A development sender: every delivered message becomes one JSON line in a mailbox file.

Like Django's file e-mail backend, it lets people and tests read what customers would have
received. Each line is written and fsync'd before `__call__` returns, so a message the outbox
records as sent is on disk. The message's `dedupe_key` acts as the provider's idempotency key:
a message already in the mailbox (a crash between sending and recording, a retried claim) is not
written again, even by another process, because the check and the append happen under an
exclusive lock on the file.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from tierdesk.services.records import OutboxRecord


def message_line(message: OutboxRecord, delivered_at: datetime) -> dict[str, Any]:
    """The JSON object written for one message."""
    return {
        "id": message.id,
        "dedupe_key": message.dedupe_key,
        "kind": message.kind,
        "channel": message.channel,
        "recipient": message.recipient,
        "ticket_id": message.ticket_id,
        "attempt": message.attempts,
        "queued_at": message.created_at.isoformat(),
        "delivered_at": delivered_at.isoformat(),
        "payload": message.payload,
    }


class FileSender:
    """Appends each message as one JSON line to `path` (created with its folder if missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._seen: set[str] = set()
        self._offset = 0  # how far of the file `_seen` covers
        self._lock = threading.Lock()

    def __call__(self, message: OutboxRecord) -> None:
        """Write `message` unless its dedupe_key is in the mailbox already; raises OSError
        when the file cannot be written (the outbox then retries with backoff)."""
        line = json.dumps(message_line(message, datetime.now(UTC)), ensure_ascii=False, default=str)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # released when the file is closed
            torn = self._catch_up(f)
            if message.dedupe_key in self._seen:
                return
            # After a crash mid-line, start on a fresh line so this one stays valid JSON.
            f.write(("\n" if torn else "").encode() + line.encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())
            self._seen.add(message.dedupe_key)
            self._offset = f.tell()

    def _catch_up(self, f: IO[bytes]) -> bool:
        """Learn the dedupe keys other writers appended since we last looked; True when the
        file ends in the middle of a line (a writer crashed mid-write)."""
        f.seek(self._offset)
        raw = b""
        for raw in f.read().splitlines(keepends=True):
            try:
                key = json.loads(raw).get("dedupe_key")
            except (ValueError, AttributeError):
                continue  # a torn or foreign line is not ours to judge
            if isinstance(key, str):
                self._seen.add(key)
        self._offset = f.tell()
        return bool(raw) and not raw.endswith(b"\n")

    def read(self) -> list[dict[str, Any]]:
        """Every message in the mailbox, oldest first (for people and tests)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as f:
            return [json.loads(raw) for raw in f if raw.strip()]
