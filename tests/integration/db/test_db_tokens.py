"""API tokens on real databases: the repository contract (the in-memory fakes, SQLite and
PostgreSQL alike), the token service through the SQL repository, and migration 0002 going up
and down."""

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
from tierdesk.services import tokens
from tierdesk.services.errors import NotFound
from tierdesk.services.ports import ApiTokenRecord, DuplicateKey, UnitOfWork

Factory = Callable[[], UnitOfWork]


def _token(token_id: str, user_id: str = "u_1", **kw: object) -> ApiTokenRecord:
    values: dict[str, object] = {
        "id": token_id,
        "user_id": user_id,
        "name": f"token {token_id}",
        "token_hash": f"{token_id:0>64}"[-64:],
        "created_at": T0,
        "expires_at": T0 + timedelta(days=90),
    }
    values.update(kw)
    return ApiTokenRecord(**values)  # type: ignore[arg-type]


def _seed_users(uow_factory: Factory) -> None:
    with uow_factory() as uow:
        uow.users.add(user("u_1", "mei"))
        uow.users.add(user("u_2", "kai"))
        uow.commit()


def test_tokens_round_trip_and_are_found_by_hash_and_user(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    full = _token("tok_b", last_used_at=at(3), revoked_at=at(4), revoked_by="u_2", name="名稱 CRM")
    with uow_factory() as uow:
        uow.tokens.add(_token("tok_c", created_at=at(1)))
        uow.tokens.add(full)
        uow.tokens.add(_token("tok_a"))
        uow.tokens.add(_token("tok_other", user_id="u_2"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.tokens.get("tok_b") == full
        assert uow.tokens.get("tok_missing") is None
        assert uow.tokens.by_hash(full.token_hash) == full
        assert uow.tokens.by_hash("f" * 64) is None
        # oldest first, then by id
        assert [t.id for t in uow.tokens.for_user("u_1")] == ["tok_a", "tok_b", "tok_c"]
        assert [t.id for t in uow.tokens.for_user("u_2")] == ["tok_other"]
        assert uow.tokens.for_user("u_nobody") == []


def test_a_token_hash_and_id_are_unique(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.tokens.add(_token("tok_a", token_hash="a" * 64))
        with pytest.raises(DuplicateKey) as same_hash:
            uow.tokens.add(_token("tok_b", token_hash="a" * 64))
        with pytest.raises(DuplicateKey) as same_id:
            uow.tokens.add(_token("tok_a", token_hash="b" * 64))
        uow.commit()  # the unit of work stays usable after a clash
    assert (same_hash.value.key, same_id.value.key) == ("api_tokens.token_hash", "api_tokens.id")
    with uow_factory() as uow:
        assert [t.id for t in uow.tokens.for_user("u_1")] == ["tok_a"]


def test_save_revokes_and_touch_sets_only_last_used(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.tokens.add(_token("tok_a"))
        uow.tokens.add(_token("tok_b"))
        uow.commit()
    with uow_factory() as uow:
        uow.tokens.touch("tok_a", at(5))
        revoked = replace(_token("tok_b"), revoked_at=at(6), revoked_by="u_2")
        uow.tokens.save(revoked)
        uow.tokens.touch("tok_missing", at(5))  # nothing to touch: no error, no row
        uow.commit()
    with uow_factory() as uow:
        assert uow.tokens.get("tok_a") == _token("tok_a", last_used_at=at(5))
        assert uow.tokens.get("tok_b") == revoked
        assert uow.tokens.get("tok_missing") is None


def test_work_not_committed_is_not_stored(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    with uow_factory() as uow:
        uow.tokens.add(_token("tok_a"))
    with uow_factory() as uow:
        assert uow.tokens.get("tok_a") is None


def test_a_token_of_an_unknown_user_is_refused_at_commit(sql_db: Database) -> None:
    with sql_db.uow() as uow:
        uow.tokens.add(_token("tok_a", user_id="u_missing"))
        with pytest.raises(sa.exc.IntegrityError):
            uow.commit()


def test_the_token_service_on_each_store(uow_factory: Factory) -> None:
    desk = make_store_desk(uow_factory, rulebook(preset="cs-sop"))
    env, l1, admin = desk.env, desk.user["agent_l1"], desk.user["admin"]
    record, shown = tokens.create(env, l1, "CRM sync", 7)
    now = desk.clock.now()
    assert tokens.verify(env, shown, now) == l1
    [listed] = tokens.list_for(env, l1)
    assert listed == replace(record, last_used_at=now)
    with pytest.raises(NotFound):
        tokens.revoke(env, desk.user["agent_l2"], record.id)
    assert tokens.verify(env, shown, now) == l1
    revoked = tokens.revoke(env, admin, record.id)
    assert tokens.revoke(env, l1, record.id) == revoked  # idempotent
    assert tokens.verify(env, shown, now) is None
    assert tokens.list_for(env, admin, l1) == [revoked]
    _, other = tokens.create(env, l1, "short", 1)
    assert tokens.verify(env, other, desk.clock.advance(timedelta(days=1))) is None


def test_purge_deletes_the_tokens_that_ended_before_a_time(uow_factory: Factory) -> None:
    _seed_users(uow_factory)
    before = at(60)
    kept = [
        _token("tok_live"),  # expires at T0 + 90 days
        _token("tok_expires_then", expires_at=before),  # not strictly before: kept
        _token("tok_revoked_then", revoked_at=before, revoked_by="u_1"),
        _token("tok_revoked_later", revoked_at=at(61), revoked_by="u_2"),
    ]
    with uow_factory() as uow:
        for token in kept:
            uow.tokens.add(token)
        uow.tokens.add(_token("tok_expired", expires_at=at(59)))
        uow.tokens.add(_token("tok_revoked", revoked_at=at(1), revoked_by="u_1"))
        uow.tokens.add(_token("tok_both", expires_at=at(2), revoked_at=at(1)))
        uow.tokens.add(_token("tok_other", user_id="u_2", expires_at=at(30)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.tokens.purge(before) == 4
        uow.commit()
    with uow_factory() as uow:
        assert [uow.tokens.get(t.id) for t in kept] == kept
        gone = ("tok_expired", "tok_revoked", "tok_both", "tok_other")
        assert [uow.tokens.get(i) for i in gone] == [None] * 4
        assert uow.tokens.by_hash(_token("tok_revoked").token_hash) is None
        assert uow.tokens.for_user("u_2") == []
        assert uow.tokens.purge(before) == 0  # nothing left to delete
