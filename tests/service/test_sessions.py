"""Stored browser sessions: started, checked, listed and ended on the server (on the in-memory
fakes), and ended with a user's password change or deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import Desk

from tierdesk.services import sessions, users
from tierdesk.services.errors import Forbidden, InvalidInput, NotFound
from tierdesk.services.records import SessionRecord

HOUR = 3600


def _start(desk: Desk, role: str = "agent_l1", max_age: int = HOUR) -> SessionRecord:
    return sessions.start(desk.env, desk.user[role], max_age, "Firefox/140", "203.0.113.9")


def test_a_session_is_stored_with_a_long_random_id(desk: Desk) -> None:
    started = sessions.start(desk.env, desk.user["agent_l1"], HOUR, " Firefox/140 ", "203.0.113.9")
    stored = desk.store.tables.sessions[started.id]
    assert stored == started
    assert started.id.startswith("ses_") and len(started.id.removeprefix("ses_")) >= 32
    assert stored.user_id == desk.user["agent_l1"]
    assert (stored.user_agent, stored.address) == ("Firefox/140", "203.0.113.9")
    assert stored.expires_at - stored.created_at == timedelta(hours=1)
    assert (stored.last_seen_at, stored.revoked_at) == (None, None)


def test_two_sessions_never_share_an_id(desk: Desk) -> None:
    ids = {_start(desk).id for _ in range(20)}
    assert len(ids) == 20 == len(desk.store.tables.sessions)


def test_a_long_user_agent_is_cut_to_200_characters_and_blanks_are_none(desk: Desk) -> None:
    long = sessions.start(desk.env, desk.user["qa"], HOUR, "M" * 5000, "a" * 100)
    assert long.user_agent == "M" * 200 and long.address == "a" * 64
    blank = sessions.start(desk.env, desk.user["qa"], HOUR, "   ", None)
    assert (blank.user_agent, blank.address) == (None, None)


def test_a_deactivated_or_unknown_user_gets_no_session(desk: Desk) -> None:
    l1 = desk.user["agent_l1"]
    users.update_user(desk.env, user_id=l1, actor_id=None, active=False)
    with pytest.raises(Forbidden):
        sessions.start(desk.env, l1, HOUR, None, None)
    with pytest.raises(NotFound):
        sessions.start(desk.env, "u_missing", HOUR, None, None)
    with pytest.raises(InvalidInput):
        sessions.start(desk.env, desk.user["qa"], 0, None, None)
    assert desk.store.tables.sessions == {}


def test_check_gives_the_user_of_a_live_session(desk: Desk) -> None:
    started = _start(desk, "qa")
    assert sessions.check(desk.env, started.id, desk.clock.now()) == desk.user["qa"]


@pytest.mark.parametrize("raw", ["", "ses_", "ses_nope", "x" * 500])
def test_check_refuses_unknown_ids(desk: Desk, raw: str) -> None:
    _start(desk)
    assert sessions.check(desk.env, raw, desk.clock.now()) is None


def test_a_session_stops_working_when_it_expires(desk: Desk) -> None:
    started = _start(desk, max_age=2 * HOUR)
    almost = desk.clock.advance(timedelta(hours=2) - timedelta(seconds=1))
    assert sessions.check(desk.env, started.id, almost) == desk.user["agent_l1"]
    assert sessions.check(desk.env, started.id, desk.clock.advance(timedelta(seconds=1))) is None


def test_last_seen_is_written_at_most_once_a_minute(desk: Desk) -> None:
    started = _start(desk)
    first = desk.clock.now()
    sessions.check(desk.env, started.id, first)
    commits = desk.store.commits
    sessions.check(desk.env, started.id, desk.clock.advance(timedelta(seconds=59)))
    assert desk.store.commits == commits  # no write for a request within the minute
    assert desk.store.tables.sessions[started.id].last_seen_at == first
    later = desk.clock.advance(timedelta(seconds=1))
    sessions.check(desk.env, started.id, later)
    assert desk.store.tables.sessions[started.id].last_seen_at == later


def test_an_ended_session_stops_working_and_ending_again_keeps_the_first_end(desk: Desk) -> None:
    a, b = _start(desk), _start(desk)
    desk.clock.advance(timedelta(minutes=5))
    ended_at = desk.clock.now()
    sessions.end(desk.env, a.id)
    desk.clock.advance(timedelta(minutes=5))
    sessions.end(desk.env, a.id)  # idempotent
    sessions.end(desk.env, "ses_missing")  # unknown: nothing happens
    assert desk.store.tables.sessions[a.id].revoked_at == ended_at
    assert sessions.check(desk.env, a.id, desk.clock.now()) is None
    assert sessions.check(desk.env, b.id, desk.clock.now()) == desk.user["agent_l1"]
    assert "ses_missing" not in desk.store.tables.sessions


def test_end_all_ends_every_session_of_one_user_but_the_kept_one(desk: Desk) -> None:
    a, b, c = _start(desk), _start(desk), _start(desk)
    theirs = _start(desk, "agent_l2")
    assert sessions.end_all(desk.env, desk.user["agent_l1"], except_id=b.id) == 2
    now = desk.clock.now()
    assert [sessions.check(desk.env, s.id, now) for s in (a, b, c)] == [
        None,
        desk.user["agent_l1"],
        None,
    ]
    assert sessions.check(desk.env, theirs.id, now) == desk.user["agent_l2"]
    assert sessions.end_all(desk.env, desk.user["agent_l1"]) == 1
    assert sessions.check(desk.env, b.id, now) is None


def test_a_user_lists_only_their_own_active_sessions_oldest_first(desk: Desk) -> None:
    old = _start(desk, max_age=60)
    desk.clock.advance(timedelta(seconds=1))
    a = _start(desk)
    desk.clock.advance(timedelta(seconds=1))
    b = _start(desk)
    ended = _start(desk)
    _start(desk, "agent_l2")
    sessions.end(desk.env, ended.id)
    desk.clock.advance(timedelta(minutes=1))  # `old` has expired
    listed = sessions.list_for(desk.env, desk.user["agent_l1"])
    assert [s.id for s in listed] == [a.id, b.id]
    assert old.id in desk.store.tables.sessions


def test_a_user_ends_their_own_session_but_not_anothers(desk: Desk) -> None:
    l1, l2 = desk.user["agent_l1"], desk.user["agent_l2"]
    mine, theirs = _start(desk), _start(desk, "agent_l2")
    with pytest.raises(NotFound) as err:
        sessions.end_own(desk.env, l1, theirs.id)
    assert err.value.code == "not_found"
    with pytest.raises(NotFound):
        sessions.end_own(desk.env, desk.user["admin"], theirs.id)  # not even an admin
    with pytest.raises(NotFound):
        sessions.end_own(desk.env, l1, "ses_missing")
    assert sessions.check(desk.env, theirs.id, desk.clock.now()) == l2
    ended = sessions.end_own(desk.env, l1, mine.id)
    assert ended.revoked_at == desk.clock.now()
    desk.clock.advance(timedelta(minutes=1))
    assert sessions.end_own(desk.env, l1, mine.id) == ended  # idempotent
    assert sessions.check(desk.env, mine.id, desk.clock.now()) is None


def test_an_admin_password_reset_ends_every_session_of_the_user(desk: Desk) -> None:
    l1, admin = desk.user["agent_l1"], desk.user["admin"]
    a, b = _start(desk), _start(desk)
    admins = _start(desk, "admin")
    users.update_user(
        desk.env, user_id=l1, actor_id=admin, password_hash="new", keep_session_id=a.id
    )
    now = desk.clock.now()
    assert sessions.check(desk.env, a.id, now) is None  # kept only for one's own change
    assert sessions.check(desk.env, b.id, now) is None
    assert sessions.check(desk.env, admins.id, now) == admin
    assert desk.store.tables.users[l1].password_hash == "new"


def test_a_password_change_from_the_command_line_ends_every_session(desk: Desk) -> None:
    a = _start(desk)
    users.update_user(desk.env, user_id=desk.user["agent_l1"], actor_id=None, password_hash="x")
    assert sessions.check(desk.env, a.id, desk.clock.now()) is None


def test_changing_ones_own_password_keeps_the_current_session_only(desk: Desk) -> None:
    admin = desk.user["admin"]
    current, other = _start(desk, "admin"), _start(desk, "admin")
    users.update_user(
        desk.env, user_id=admin, actor_id=admin, password_hash="new", keep_session_id=current.id
    )
    now = desk.clock.now()
    assert sessions.check(desk.env, current.id, now) == admin
    assert sessions.check(desk.env, other.id, now) is None


def test_deactivation_ends_every_session_even_ones_own(desk: Desk) -> None:
    l1, admin = desk.user["agent_l1"], desk.user["admin"]
    a = _start(desk)
    mine = _start(desk, "admin")
    users.update_user(desk.env, user_id=l1, actor_id=admin, active=False)
    users.update_user(
        desk.env, user_id=admin, actor_id=admin, active=False, keep_session_id=mine.id
    )
    assert desk.store.tables.sessions[a.id].revoked_at == desk.clock.now()
    assert desk.store.tables.sessions[mine.id].revoked_at == desk.clock.now()
    # Reactivating the user does not bring an ended session back.
    users.update_user(desk.env, user_id=l1, actor_id=None, active=True)
    assert sessions.check(desk.env, a.id, desk.clock.now()) is None


def test_a_role_or_name_change_keeps_the_sessions(desk: Desk) -> None:
    l1 = desk.user["agent_l1"]
    a = _start(desk)
    users.update_user(desk.env, user_id=l1, actor_id=None, role="agent_l2", display_name="Mei")
    assert sessions.check(desk.env, a.id, desk.clock.now()) == l1


def test_a_failed_user_change_ends_no_session(desk: Desk) -> None:
    a = _start(desk)
    with pytest.raises(Forbidden):
        users.update_user(
            desk.env,
            user_id=desk.user["agent_l1"],
            actor_id=desk.user["manager"],  # not an admin
            password_hash="x",
        )
    assert sessions.check(desk.env, a.id, desk.clock.now()) == desk.user["agent_l1"]


def test_changing_ones_own_password_keeps_only_the_session_used(desk: Desk) -> None:
    used, other = _start(desk), _start(desk)
    colleague = _start(desk, role="agent_l2")
    now = desk.clock.now()
    changed = users.change_own_password(
        desk.env, user_id=desk.user["agent_l1"], password_hash="$new$", keep_session_id=used.id
    )
    assert changed.password_hash == "$new$"
    assert sessions.check(desk.env, used.id, now) == desk.user["agent_l1"]
    assert sessions.check(desk.env, other.id, now) is None
    assert sessions.check(desk.env, colleague.id, now) == desk.user["agent_l2"]
    users.change_own_password(  # through an API token: no session to keep
        desk.env, user_id=desk.user["agent_l1"], password_hash="$newer$", keep_session_id=None
    )
    assert sessions.check(desk.env, used.id, now) is None


def test_a_deactivated_user_cannot_change_their_password(desk: Desk) -> None:
    users.update_user(desk.env, user_id=desk.user["qa"], actor_id=None, active=False)
    with pytest.raises(Forbidden):
        users.change_own_password(
            desk.env, user_id=desk.user["qa"], password_hash="$x$", keep_session_id=None
        )
    assert users.get_user(desk.env, desk.user["qa"]).password_hash != "$x$"


def test_signed_in_answers_with_the_user_read_alongside_the_session(desk: Desk) -> None:
    started = _start(desk, role="qa")
    now = desk.clock.now()
    user = sessions.signed_in(desk.env, started.id, now)
    assert user is not None and (user.id, user.role) == (desk.user["qa"], "qa")
    users.update_user(desk.env, user_id=desk.user["qa"], actor_id=None, role="agent_l2")
    again = sessions.signed_in(desk.env, started.id, now)
    assert again is not None and again.role == "agent_l2"  # the role is read, never cached
    assert sessions.signed_in(desk.env, "ses_unknown", now) is None
