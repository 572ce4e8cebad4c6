"""Browser sessions on real databases: the repository contract (the in-memory fakes, SQLite and
PostgreSQL alike), the session service and the user changes that end sessions through the SQL
repository, and migration 0003 going up and down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from db_desk import make_store_desk
from db_records import T0, at, user

from tierdesk.adapters.db import Database
from tierdesk.policy import rulebook
from tierdesk.services import sessions, users
from tierdesk.services.errors import NotFound
from tierdesk.services.ports import DuplicateKey, SessionRecord, UnitOfWork

Factory = Callable[[], UnitOfWork]


def _session(session_id: str, user_id: str = "u_1", **kw: object) -> SessionRecord:
    values: dict[str, object] = {
        "id": session_id,
        "user_id": user_id,
        "created_at": T0,
        "expires_at": T0 + timedelta(hours=8),
    }
    values.update(kw)
    return SessionRecord(**values)  # type: ignore[arg-type]


def _seed_users(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.users.add(user("u_1", "mei"))
        uow.users.add(user("u_2", "kai"))
        uow.commit()


def test_sessions_round_trip_and_are_listed_by_user(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    full = _session(
        "ses_b",
        last_seen_at=at(3),
        revoked_at=at(4),
        user_agent="Mozilla/5.0 (瀏覽器) " + "x" * 180,
        address="2001:db8::1",
    )
    with uow_factory() as uow:
        uow.sessions.add(_session("ses_c", created_at=at(1)))
        uow.sessions.add(full)
        uow.sessions.add(_session("ses_a"))
        uow.sessions.add(_session("ses_other", user_id="u_2"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.get("ses_b") == full
        assert uow.sessions.get("ses_missing") is None
        # oldest first, then by id
        assert [s.id for s in uow.sessions.for_user("u_1")] == ["ses_a", "ses_b", "ses_c"]
        assert [s.id for s in uow.sessions.for_user("u_2")] == ["ses_other"]
        assert uow.sessions.for_user("u_nobody") == []


def test_a_session_id_is_unique(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.sessions.add(_session("ses_a"))
        with pytest.raises(DuplicateKey) as same_id:
            uow.sessions.add(_session("ses_a", user_id="u_2"))
        uow.commit()  # the unit of work stays usable after a clash
    assert same_id.value.key == "sessions.id"
    with uow_factory() as uow:
        assert uow.sessions.get("ses_a") == _session("ses_a")


def test_save_ends_and_touch_sets_only_last_seen(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.sessions.add(_session("ses_a"))
        uow.sessions.add(_session("ses_b"))
        uow.commit()
    with uow_factory() as uow:
        uow.sessions.touch("ses_a", at(5))
        ended = replace(_session("ses_b"), revoked_at=at(6))
        uow.sessions.save(ended)
        uow.sessions.touch("ses_missing", at(5))  # nothing to touch: no error, no row
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.get("ses_a") == _session("ses_a", last_seen_at=at(5))
        assert uow.sessions.get("ses_b") == ended
        assert uow.sessions.get("ses_missing") is None


def test_end_for_user_ends_the_live_sessions_of_one_user_but_one(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.sessions.add(_session("ses_a"))
        uow.sessions.add(_session("ses_keep"))
        uow.sessions.add(_session("ses_ended", revoked_at=at(1)))
        uow.sessions.add(_session("ses_expired", expires_at=at(2)))
        uow.sessions.add(_session("ses_other", user_id="u_2"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.end_for_user("u_1", at(10), except_id="ses_keep") == 2
        uow.commit()
    with uow_factory() as uow:
        ended = {s.id: s.revoked_at for s in uow.sessions.for_user("u_1")}
        assert ended == {
            "ses_a": at(10),
            "ses_keep": None,
            "ses_ended": at(1),  # keeps its first end
            "ses_expired": at(10),
        }
        assert uow.sessions.get("ses_other") == _session("ses_other", user_id="u_2")
        assert uow.sessions.end_for_user("u_1", at(11)) == 1
        assert uow.sessions.end_for_user("u_nobody", at(11)) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.get("ses_keep") == _session("ses_keep", revoked_at=at(11))


def test_work_not_committed_is_not_stored(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.sessions.add(_session("ses_a"))
    with uow_factory() as uow:
        assert uow.sessions.get("ses_a") is None


def test_a_session_of_an_unknown_user_is_refused_at_commit(sql_db: Database) -> None:
    with sql_db.uow() as uow:
        uow.sessions.add(_session("ses_a", user_id="u_missing"))
        with pytest.raises(sa.exc.IntegrityError):
            uow.commit()


def test_the_session_service_on_each_store(uow_factory: Factory) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    env, l1, l2, admin = desk.env, desk.user["agent_l1"], desk.user["agent_l2"], desk.user["admin"]
    started = sessions.start(env, l1, 3600, "Firefox/140", "203.0.113.9")
    now = desk.clock.now()
    assert sessions.check(env, started.id, now) == l1
    [listed] = sessions.list_for(env, l1)
    assert listed == replace(started, last_seen_at=now)
    theirs = sessions.start(env, l2, 3600, None, None)
    with pytest.raises(NotFound):
        sessions.end_own(env, l1, theirs.id)
    assert sessions.check(env, theirs.id, now) == l2
    ended = sessions.end_own(env, l1, started.id)
    assert sessions.end_own(env, l1, started.id) == ended  # idempotent
    assert sessions.check(env, started.id, now) is None
    assert sessions.list_for(env, l1) == []
    sessions.end(env, theirs.id)
    assert sessions.check(env, theirs.id, now) is None
    short = sessions.start(env, l1, 60, None, None)
    assert sessions.check(env, short.id, desk.clock.advance(timedelta(minutes=1))) is None

    # A password reset by an admin and a deactivation end every session, in the same commit.
    a, b = (sessions.start(env, l2, 3600, None, None) for _ in range(2))
    users.update_user(env, user_id=l2, actor_id=admin, password_hash="new")
    assert [sessions.check(env, s.id, desk.clock.now()) for s in (a, b)] == [None, None]
    own, other = (sessions.start(env, admin, 3600, None, None) for _ in range(2))
    users.update_user(env, user_id=admin, actor_id=admin, password_hash="x", keep_session_id=own.id)
    assert sessions.check(env, own.id, desk.clock.now()) == admin
    assert sessions.check(env, other.id, desk.clock.now()) is None
    c = sessions.start(env, l1, 3600, None, None)
    users.update_user(env, user_id=l1, actor_id=admin, active=False)
    assert sessions.check(env, c.id, desk.clock.now()) is None
    assert sessions.end_all(env, admin) == 1
    assert sessions.list_for(env, l2) == []


def test_purge_deletes_the_sessions_that_ended_before_a_time(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    before = at(60)
    kept = [
        _session("ses_live"),  # expires at T0 + 8 h
        _session("ses_expires_then", expires_at=before),  # not strictly before: kept
        _session("ses_ended_then", revoked_at=before),
        _session("ses_ended_later", revoked_at=at(61)),
    ]
    with uow_factory() as uow:
        for session in kept:
            uow.sessions.add(session)
        uow.sessions.add(_session("ses_expired", expires_at=at(59)))
        uow.sessions.add(_session("ses_ended", revoked_at=at(1)))
        uow.sessions.add(_session("ses_both", expires_at=at(2), revoked_at=at(1)))
        uow.sessions.add(_session("ses_other", user_id="u_2", expires_at=at(30)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.purge(before) == 4
        uow.commit()
    with uow_factory() as uow:
        assert [uow.sessions.get(s.id) for s in kept] == kept
        gone = ("ses_expired", "ses_ended", "ses_both", "ses_other")
        assert [uow.sessions.get(i) for i in gone] == [None] * 4
        assert uow.sessions.for_user("u_2") == []
        assert uow.sessions.purge(before) == 0  # nothing left to delete


def test_a_purge_not_committed_deletes_nothing(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    ended = _session("ses_ended", revoked_at=at(1))
    with uow_factory() as uow:
        uow.sessions.add(ended)
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.purge(at(60)) == 1
    with uow_factory() as uow:
        assert uow.sessions.get("ses_ended") == ended
