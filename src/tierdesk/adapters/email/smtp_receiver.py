"""Receiving mail by SMTP (aiosmtpd), for deployments whose MTA routes support mail to
tierdesk instead of a mailbox.

The server answers `250` to a message only after `take(raw)` returned, that is after its
ticket or reply is committed; when taking it in fails (the database is down) it answers
`451 4.3.0` so the sending MTA keeps the message and retries later. A message sent twice (the
MTA did not see our 250) is recognised by its Message-ID. Listens on 127.0.0.1 by default:
put it behind the MTA, not on the internet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

log = logging.getLogger("tierdesk.email")


class _Handler:
    def __init__(self, take: Callable[[bytes], object]) -> None:
        self._take = take

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw or "").encode("utf-8", "replace")
        try:
            await asyncio.to_thread(self._take, data)
        except Exception:  # the store failed: the sender keeps the mail and retries
            log.exception("smtp: could not take a message in; answered 451")
            return "451 4.3.0 Temporary failure, try again later"
        return "250 2.0.0 OK: stored"


class SmtpReceiver:
    """An SMTP server on `host:port` handing each message to `take`; `start()` / `stop()`."""

    def __init__(
        self, take: Callable[[bytes], object], host: str, port: int, max_bytes: int
    ) -> None:
        self.host, self.port = host, port
        self._controller = Controller(
            _Handler(take), hostname=host, port=port, data_size_limit=max_bytes
        )

    def start(self) -> None:
        self._controller.start()
        log.info("smtp: receiving mail on %s:%s", self.host, self.port)

    def stop(self) -> None:
        self._controller.stop()
