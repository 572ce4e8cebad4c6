"""Housekeeping on the in-memory fakes: sessions and API tokens that ended long ago are deleted,
live ones never, and the retention boundaries (30 days for sessions, 90 for tokens) hold."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from service_desk import Desk

from tierdesk.services import housekeeping, sessions, tokens
from tierdesk.services.housekeeping import PurgeReport, purge
from tierdesk.services.records import ApiTokenRecord, SessionRecord
from tierdesk.testing.memory_repos import MemoryTokens

DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)


def _start(desk: Desk, max_age: int = 3600) -> SessionRecord:
    return sessions.start(desk.env, desk.user["agent_l1"], max_age, "Firefox/140", None)


def _token(desk: Desk, days: int = 365) -> ApiTokenRecord:
    record, _ = tokens.create(desk.env, desk.user["agent_l1"], "CRM sync", days)
    return record


def test_a_live_session_is_never_deleted_however_old(desk: Desk) -> None:
    live = _start(desk, max_age=int(400 * DAY.total_seconds()))
    desk.clock.advance(300 * DAY)
    assert purge(desk.env) == PurgeReport(sessions=0, tokens=0)
    assert desk.store.tables.sessions[live.id] == live


def test_a_session_ended_31_days_ago_is_deleted(desk: Desk) -> None:
    ended, live = _start(desk), _start(desk, max_age=int(60 * DAY.total_seconds()))
    sessions.end(desk.env, ended.id)
    desk.clock.advance(31 * DAY)
    assert purge(desk.env) == PurgeReport(sessions=1, tokens=0)
    assert set(desk.store.tables.sessions) == {live.id}


def test_a_session_ended_exactly_30_days_ago_is_kept(desk: Desk) -> None:
    ended = _start(desk)
    sessions.end(desk.env, ended.id)
    desk.clock.advance(30 * DAY)
    assert purge(desk.env) == PurgeReport()
    assert ended.id in desk.store.tables.sessions
    assert purge(desk.env, desk.clock.now() + TICK) == PurgeReport(sessions=1)
    assert ended.id not in desk.store.tables.sessions


def test_an_expired_session_is_deleted_30_days_after_it_expired(desk: Desk) -> None:
    expired = _start(desk, max_age=3600)  # never signed out: it just expires
    desk.clock.advance(30 * DAY + timedelta(hours=1))
    assert purge(desk.env) == PurgeReport()
    desk.clock.advance(timedelta(seconds=1))
    assert purge(desk.env) == PurgeReport(sessions=1)
    assert expired.id not in desk.store.tables.sessions


def test_tokens_are_kept_90_days_after_they_were_revoked(desk: Desk) -> None:
    revoked, live = _token(desk), _token(desk, days=3650)
    tokens.revoke(desk.env, desk.user["agent_l1"], revoked.id)
    desk.clock.advance(31 * DAY)
    assert purge(desk.env) == PurgeReport()  # a session would be gone by now; a token stays
    listed = tokens.list_for(desk.env, desk.user["agent_l1"])
    assert {t.id for t in listed} == {revoked.id, live.id}  # the user still sees it
    desk.clock.advance(59 * DAY)  # exactly 90 days: kept
    assert purge(desk.env) == PurgeReport()
    desk.clock.advance(TICK)
    assert purge(desk.env) == PurgeReport(tokens=1)
    assert set(desk.store.tables.tokens) == {live.id}


def test_an_expired_token_is_deleted_90_days_after_it_expired(desk: Desk) -> None:
    expired = _token(desk, days=1)
    desk.clock.advance(91 * DAY)
    assert purge(desk.env) == PurgeReport()
    desk.clock.advance(TICK)
    assert purge(desk.env) == PurgeReport(tokens=1)
    assert expired.id not in desk.store.tables.tokens


def test_sessions_and_tokens_are_purged_together_with_the_retention_asked_for(
    desk: Desk,
) -> None:
    session, token = _start(desk), _token(desk)
    sessions.end(desk.env, session.id)
    tokens.revoke(desk.env, desk.user["agent_l1"], token.id)
    desk.clock.advance(2 * DAY)
    assert purge(desk.env, keep=3 * DAY, token_keep=3 * DAY) == PurgeReport()
    assert purge(desk.env, keep=DAY, token_keep=DAY) == PurgeReport(sessions=1, tokens=1)
    assert desk.store.tables.sessions == {} and desk.store.tables.tokens == {}


def test_a_failing_purge_deletes_nothing(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    session = _start(desk)
    sessions.end(desk.env, session.id)
    desk.clock.advance(100 * DAY)

    def broken(self: MemoryTokens, before: datetime) -> int:
        raise ConnectionError("database went away")

    monkeypatch.setattr(MemoryTokens, "purge", broken)
    with pytest.raises(ConnectionError):
        purge(desk.env)
    assert session.id in desk.store.tables.sessions  # one unit of work: rolled back


@pytest.mark.parametrize(
    "kw",
    [{"keep": -DAY}, {"token_keep": -TICK}, {"now": datetime(2025, 3, 4)}],  # noqa: DTZ001
    ids=["negative-keep", "negative-token-keep", "naive-now"],
)
def test_a_purge_refuses_a_negative_retention_or_a_naive_time(
    desk: Desk, kw: dict[str, object]
) -> None:
    live = _start(desk)
    with pytest.raises(ValueError):
        housekeeping.purge(desk.env, **kw)  # type: ignore[arg-type]
    assert desk.store.tables.sessions == {live.id: live}
