"""A LINE event costs two commits (stored; acted on and marked handled in the act's own
transaction), one when there is nothing to do, and a redelivery none but its lookup; the
mark names the ticket. On the in-memory store, which counts commits."""

from __future__ import annotations

from tierdesk.policy import rulebook
from tierdesk.services import line
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.testing.memory import MemoryStore

U1 = "U" + "0123456789abcdef" * 2


def _profile(user_id: str) -> line.LineProfile:
    return line.LineProfile(name="Mei", language="zh-TW")


def test_an_event_is_marked_handled_in_its_acts_transaction() -> None:
    store = MemoryStore()
    env = Env(uow=store.uow, clock=FakeClock(), rules=rulebook(preset="cs-sop"))
    text = line.LineEvent("ev1", "message", U1, reply_token="r1", text="我的訂單還沒到")
    before = store.commits
    [opened] = line.handle(env, [text], _profile)
    assert opened.outcome == "ticket" and store.commits == before + 2  # was 3
    stored = store.tables.channel_events[("line", "ev1")]
    assert stored.handled_at is not None and stored.ticket_id == opened.ticket_id
    more = line.LineEvent("ev2", "message", U1, reply_token="r2", text="請幫我查一下")
    before = store.commits
    [joined] = line.handle(env, [more], _profile)
    assert (joined.outcome, joined.ticket_id) == ("message", opened.ticket_id)
    assert store.commits == before + 2
    assert store.tables.channel_events[("line", "ev2")].ticket_id == opened.ticket_id
    before = store.commits
    [quiet] = line.handle(env, [line.LineEvent("ev3", "unfollow", U1)], _profile)
    assert quiet.outcome == "unfollow" and store.commits == before + 1  # was 2
    assert store.tables.channel_events[("line", "ev3")].handled_at is not None
    before = store.commits
    [again] = line.handle(env, [text], _profile)
    assert (again.outcome, again.ticket_id) == ("duplicate", opened.ticket_id)
    assert len(store.tables.tickets) == 1
