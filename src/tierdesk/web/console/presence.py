"""Who else has a ticket open: each open ticket page says every few seconds that its viewer
is there (and whether they are writing a reply); the page shows the others. Held in memory
of this process only, a hint for people and never a lock: a stale write is still refused by
the ticket's version (`stale_version`)."""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tierdesk.web.console.base import Page, show
from tierdesk.web.console.ticket import TicketId

router = APIRouter()
FRESH_SECONDS = 12.0  # a viewer not heard from for this long has left


class Presence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # ticket id -> user id -> (name, replying, last seen)
        self._seen: dict[str, dict[str, tuple[str, bool, float]]] = {}

    def beat(
        self, ticket_id: str, user_id: str, name: str, replying: bool
    ) -> list[tuple[str, bool]]:
        """Record `user_id` on the ticket; the others there now (name, replying)."""
        now = time.monotonic()
        with self._lock:
            here = self._seen.setdefault(ticket_id, {})
            here[user_id] = (name, replying, now)
            for uid in [u for u, (_, _, at) in here.items() if now - at > FRESH_SECONDS]:
                del here[uid]
            if len(self._seen) > 10_000:  # bounded: drop the oldest tickets
                for tid in list(self._seen)[:1000]:
                    self._seen.pop(tid, None)
            return [(n, r) for uid, (n, r, _) in here.items() if uid != user_id]


def presence_of(request: Request) -> Presence:
    state = request.app.state
    if not hasattr(state, "presence"):
        state.presence = Presence()
    return state.presence  # type: ignore[no-any-return]


@router.get("/tickets/{ticket_id}/presence", response_class=HTMLResponse)
def presence(
    request: Request,
    page: Page,
    ticket_id: TicketId,
    replying: Annotated[str | None, Query(max_length=2)] = None,
) -> HTMLResponse:
    others = presence_of(request).beat(ticket_id, page.id, page.user.display_name, replying == "1")
    return show(request, page, "console/_presence.html", others=others)
