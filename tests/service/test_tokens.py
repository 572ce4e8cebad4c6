"""Stored API tokens: made, verified, listed and revoked one by one (on the in-memory fakes)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from service_desk import Desk

from tierdesk.services import tokens, users
from tierdesk.services.errors import Forbidden, InvalidInput, NotFound


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(desk: Desk) -> None:
    record, shown = tokens.create(desk.env, desk.user["agent_l1"], "  CRM sync ", 30)
    assert shown.startswith("tdk_") and len(shown) > 40
    secret = shown.removeprefix("tdk_")
    stored = desk.store.tables.tokens[record.id]
    assert stored == record
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(stored)
    assert (stored.name, stored.user_id) == ("CRM sync", desk.user["agent_l1"])
    assert stored.expires_at - stored.created_at == timedelta(days=30)
    assert (stored.last_used_at, stored.revoked_at, stored.revoked_by) == (None, None, None)


def test_two_tokens_never_share_a_secret(desk: Desk) -> None:
    _, a = tokens.create(desk.env, desk.user["agent_l1"], "a", 1)
    _, b = tokens.create(desk.env, desk.user["agent_l1"], "b", 1)
    assert a != b
    assert len({t.token_hash for t in desk.store.tables.tokens.values()}) == 2


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("", 1, "name"),
        ("   ", 1, "name"),
        ("x" * 81, 1, "name"),
        ("ok", 0, "days"),
        ("ok", 3651, "days"),
    ],
)
def test_a_bad_name_or_lifetime_is_refused_and_nothing_is_stored(
    desk: Desk, name: str, days: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        tokens.create(desk.env, desk.user["agent_l1"], name, days)
    assert err.value.data["field"] == field
    assert desk.store.tables.tokens == {}


def test_a_deactivated_user_cannot_make_a_token(desk: Desk) -> None:
    l1 = desk.user["agent_l1"]
    users.update_user(desk.env, user_id=l1, actor_id=None, active=False)
    with pytest.raises(Forbidden):
        tokens.create(desk.env, l1, "x", 1)
    assert desk.store.tables.tokens == {}


def test_verify_gives_the_user_of_a_live_token(desk: Desk) -> None:
    _, shown = tokens.create(desk.env, desk.user["qa"], "reports", 1)
    assert tokens.verify(desk.env, shown, desk.clock.now()) == desk.user["qa"]


@pytest.mark.parametrize(
    "raw", ["", "tdk_", "tdk_nope", "nope", "tdk_" + "a" * 500, "tdk_eyJ1Ijoi.abc"]
)
def test_verify_refuses_unknown_and_malformed_tokens(desk: Desk, raw: str) -> None:
    tokens.create(desk.env, desk.user["qa"], "reports", 1)
    assert tokens.verify(desk.env, raw, desk.clock.now()) is None


def test_the_secret_without_its_prefix_is_not_a_token(desk: Desk) -> None:
    _, shown = tokens.create(desk.env, desk.user["qa"], "reports", 1)
    assert tokens.verify(desk.env, shown.removeprefix("tdk_"), desk.clock.now()) is None


def test_a_token_stops_working_when_it_expires(desk: Desk) -> None:
    _, shown = tokens.create(desk.env, desk.user["qa"], "reports", 2)
    almost = desk.clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert tokens.verify(desk.env, shown, almost) == desk.user["qa"]
    assert tokens.verify(desk.env, shown, desk.clock.advance(timedelta(seconds=1))) is None


def test_last_used_is_written_at_most_once_a_minute(desk: Desk) -> None:
    record, shown = tokens.create(desk.env, desk.user["qa"], "reports", 1)
    first = desk.clock.now()
    tokens.verify(desk.env, shown, first)
    commits = desk.store.commits
    tokens.verify(desk.env, shown, desk.clock.advance(timedelta(seconds=59)))
    assert desk.store.commits == commits  # no write for a use within the minute
    assert desk.store.tables.tokens[record.id].last_used_at == first
    later = desk.clock.advance(timedelta(seconds=1))
    tokens.verify(desk.env, shown, later)
    assert desk.store.tables.tokens[record.id].last_used_at == later


def test_a_revoked_token_stops_working_and_others_keep_working(desk: Desk) -> None:
    l1 = desk.user["agent_l1"]
    a, shown_a = tokens.create(desk.env, l1, "a", 1)
    _, shown_b = tokens.create(desk.env, l1, "b", 1)
    desk.clock.advance(timedelta(minutes=5))
    revoked = tokens.revoke(desk.env, l1, a.id)
    assert (revoked.revoked_at, revoked.revoked_by) == (desk.clock.now(), l1)
    assert tokens.verify(desk.env, shown_a, desk.clock.now()) is None
    assert tokens.verify(desk.env, shown_b, desk.clock.now()) == l1


def test_revoking_twice_keeps_the_first_revocation(desk: Desk) -> None:
    l1, admin = desk.user["agent_l1"], desk.user["admin"]
    a, _ = tokens.create(desk.env, l1, "a", 1)
    first = tokens.revoke(desk.env, l1, a.id)
    desk.clock.advance(timedelta(hours=1))
    again = tokens.revoke(desk.env, admin, a.id)
    assert again == first == desk.store.tables.tokens[a.id]
    assert again.revoked_by == l1


def test_a_non_admin_cannot_revoke_or_see_another_users_token(desk: Desk) -> None:
    a, shown = tokens.create(desk.env, desk.user["agent_l1"], "a", 1)
    for role in ("agent_l2", "manager", "qa"):
        with pytest.raises(NotFound):
            tokens.revoke(desk.env, desk.user[role], a.id)
        with pytest.raises(Forbidden):
            tokens.list_for(desk.env, desk.user[role], desk.user["agent_l1"])
    assert desk.store.tables.tokens[a.id].revoked_at is None
    assert tokens.verify(desk.env, shown, desk.clock.now()) == desk.user["agent_l1"]


def test_an_admin_may_list_and_revoke_anyones_tokens(desk: Desk) -> None:
    l1, admin = desk.user["agent_l1"], desk.user["admin"]
    a, shown = tokens.create(desk.env, l1, "a", 1)
    assert [t.id for t in tokens.list_for(desk.env, admin, l1)] == [a.id]
    assert tokens.revoke(desk.env, admin, a.id).revoked_by == admin
    assert tokens.verify(desk.env, shown, desk.clock.now()) is None


def test_revoking_an_unknown_token_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound) as err:
        tokens.revoke(desk.env, desk.user["admin"], "tok_missing")
    assert err.value.code == "not_found"


def test_listing_an_unknown_users_tokens_is_not_found_for_an_admin(desk: Desk) -> None:
    with pytest.raises(NotFound):
        tokens.list_for(desk.env, desk.user["admin"], "u_missing")


def test_a_user_lists_only_their_own_tokens_oldest_first_revoked_included(desk: Desk) -> None:
    l1 = desk.user["agent_l1"]
    a, _ = tokens.create(desk.env, l1, "a", 1)
    desk.clock.advance(timedelta(seconds=1))
    b, _ = tokens.create(desk.env, l1, "b", 1)
    tokens.create(desk.env, desk.user["agent_l2"], "theirs", 1)
    tokens.revoke(desk.env, l1, a.id)
    listed = tokens.list_for(desk.env, l1)
    assert [(t.name, t.revoked_at is not None) for t in listed] == [("a", True), ("b", False)]
    assert tokens.list_for(desk.env, l1, l1) == listed
    assert b.id in {t.id for t in listed}


def test_holder_answers_with_the_tokens_user_active_or_not(desk: Desk) -> None:
    _, shown = tokens.create(desk.env, desk.user["qa"], "reports", 1)
    now = desk.clock.now()
    user = tokens.holder(desk.env, shown, now)
    assert user is not None and user.id == desk.user["qa"] and user.active
    users.update_user(desk.env, user_id=desk.user["qa"], actor_id=None, active=False)
    inactive = tokens.holder(desk.env, shown, now)
    assert inactive is not None and not inactive.active  # the web layer refuses it
    assert tokens.holder(desk.env, "tdk_unknown", now) is None
