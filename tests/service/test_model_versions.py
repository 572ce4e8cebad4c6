"""Triage model versions (issue 12): a retrained model is a draft until a manager approves it;
then every Env that follows the versions in force triages with it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from service_desk import Desk
from test_training import ContraryModel, WordModel, _teach

from tierdesk.domain.errors import TierdeskError
from tierdesk.services import model_versions, policies, training
from tierdesk.services.customers import Contact
from tierdesk.services.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from tierdesk.services.records import ModelVersionRecord
from tierdesk.services.tickets import open_ticket

NOISY = "my toaster number 99 makes a weird noise"


class BadModelFileError(TierdeskError):
    """What the real loader raises for a model it can no longer read."""


def _proposed(desk: Desk, payload: bytes = b"m1") -> ModelVersionRecord:
    result = training.retrain(desk.env, WordModel)
    return training.propose(desk.env, result, payload)


def _loading(desk: Desk, models: dict[bytes, object]) -> Desk:
    def load(payload: bytes) -> object:
        if payload not in models:
            raise BadModelFileError("stored triage model: not a model")
        return models[payload]

    return replace(desk, env=replace(desk.env, load_model=load))  # type: ignore[arg-type]


def test_a_proposal_is_a_draft_with_both_evaluations(desk: Desk) -> None:
    _teach(desk)
    version = _proposed(desk)
    assert (version.number, version.status, version.created_by) == (1, "draft", "operator")
    assert version.baseline == "the phrases alone" and version.accuracy == 1.0
    assert version.baseline_accuracy == version.baseline_evaluation["accuracy"]
    assert version.held_out == version.evaluation["total"] > 0
    assert version.payload_bytes == 2 and len(version.payload_sha256) == 64
    with desk.env.reader() as uow:
        assert uow.models.payload(version.id) == b"m1"
    assert model_versions.get(desk.env, version.id) == version


def test_only_a_manager_or_admin_other_than_the_author_approves(desk: Desk) -> None:
    _teach(desk)
    version = _proposed(desk)
    for role in ("agent_l1", "team_lead", "supervisor", "qa"):
        with pytest.raises(Forbidden):
            model_versions.approve(desk.env, version_id=version.id, actor_id=desk.user[role])
    lead_draft = training.propose(
        desk.env, training.retrain(desk.env, WordModel), b"m2", actor_id=desk.user["manager"]
    )
    with pytest.raises(Forbidden, match="author"):
        model_versions.approve(desk.env, version_id=lead_draft.id, actor_id=desk.user["manager"])
    approved = model_versions.approve(
        desk.env, version_id=version.id, actor_id=desk.user["manager"], note="ok"
    )
    assert (approved.status, approved.approved_by) == ("effective", desk.user["manager"])
    with pytest.raises(InvalidTransition, match="it is effective"):
        model_versions.approve(desk.env, version_id=version.id, actor_id=desk.user["admin"])
    second = model_versions.approve(desk.env, version_id=lead_draft.id, actor_id=desk.user["admin"])
    statuses = [v.status for v in model_versions.history(desk.env)]
    assert statuses == ["superseded", "effective"] and second.number == 2
    with pytest.raises(NotFound):
        model_versions.approve(desk.env, version_id="mv-nope", actor_id=desk.user["admin"])


def test_a_rejection_says_why_and_changes_nothing_in_force(desk: Desk) -> None:
    _teach(desk)
    version = _proposed(desk)
    with pytest.raises(InvalidInput, match="say why"):
        model_versions.reject(
            desk.env, version_id=version.id, actor_id=desk.user["manager"], note=" "
        )
    rejected = model_versions.reject(
        desk.env, version_id=version.id, actor_id=desk.user["manager"], note="too few tickets"
    )
    assert rejected.status == "rejected" and rejected.decision_note == "too few tickets"
    with desk.env.reader() as uow:
        assert uow.models.effective() is None


def test_agents_cannot_read_the_versions(desk: Desk) -> None:
    _teach(desk)
    _proposed(desk)
    with pytest.raises(Forbidden):
        model_versions.history(desk.env, actor_id=desk.user["agent_l2"])
    assert len(model_versions.history(desk.env, actor_id=desk.user["qa"])) == 1


def test_the_approved_model_triages_intake_and_the_next_training_is_weighed_against_it(
    desk: Desk,
) -> None:
    _teach(desk)
    trained = training.retrain(desk.env, WordModel)
    desk = _loading(desk, {b"m1": trained.model})
    version = training.propose(desk.env, trained, b"m1")
    clock = [0.0]
    live = policies.PolicyInForce(desk.env, recheck=5.0, monotonic=lambda: clock[0])
    contact = Contact("email", "n@x.tw")
    before = open_ticket(live.env(), channel="email", text=NOISY, contact=contact)
    assert before.ticket.category == "general_inquiry" and live.model_id is None

    model_versions.approve(desk.env, version_id=version.id, actor_id=desk.user["manager"])
    clock[0] = 4.0
    assert live.env().classifier is None  # not re-read before `recheck` seconds
    clock[0] = 5.0
    assert live.env().classifier is trained.model and live.model_id == version.id
    after = open_ticket(live.env(), channel="email", text=NOISY, contact=contact)
    assert after.ticket.category == "product_defect"

    with pytest.raises(training.WorseModel) as err:
        training.retrain(desk.env, ContraryModel)
    assert "model version 1 1.000" in str(err.value)


def test_a_stored_model_that_no_longer_loads_leaves_triage_to_the_phrases(desk: Desk) -> None:
    _teach(desk)
    version = _proposed(desk, payload=b"from an older scikit-learn")
    model_versions.approve(desk.env, version_id=version.id, actor_id=desk.user["manager"])
    desk = _loading(desk, {})
    live = policies.PolicyInForce(desk.env)
    assert live.env().classifier is None and live.model_id == version.id
    result = training.retrain(desk.env, WordModel)
    assert result.in_force_name == "the phrases alone"
