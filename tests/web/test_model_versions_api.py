"""Triage model versions over HTTP (issue 12): read by leads, QA and managers; approved by a
manager, after which this server triages new tickets with the model at once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from web_desk import WebDesk, web_desk

from tierdesk.domain.classifier import Prediction
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.triage_eval import score
from tierdesk.services import model_versions

NOISY = "my toaster number 99 makes a weird noise"


class DefectModel:
    """Sure that every text is a product defect."""

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction("product_defect", 0.99) for _ in texts]


@pytest.fixture
def models_desk(rules: Rulebook) -> Iterator[WebDesk]:
    with web_desk(rules, load_model={b"m1": DefectModel()}.__getitem__) as desk:
        yield desk


def _draft(desk: WebDesk) -> str:
    right = [("product_defect", "product_defect")] * 3 + [("order_status", "order_status")]
    phrases = [("product_defect", "general_inquiry")] * 3 + [("order_status", "order_status")]
    return model_versions.propose(
        desk.env,
        payload=b"m1",
        trained_on=20,
        corrected=6,
        candidate=score(right),
        baseline=score(phrases),
        baseline_name=model_versions.PHRASES,
    ).id


def _ticket_category(desk: WebDesk) -> str:
    category: str = desk.open_ticket(NOISY)["category"]
    return category


def test_versions_are_read_by_leads_and_qa_with_their_figures(models_desk: WebDesk) -> None:
    desk = models_desk
    version_id = _draft(desk)
    assert desk.client.get("/api/model-versions").status_code == 401
    assert desk.client.get("/api/model-versions", headers=desk.auth("agent_l2")).status_code == 403
    listed = desk.client.get("/api/model-versions", headers=desk.auth("team_lead"))
    assert listed.status_code == 200, listed.text
    (row,) = listed.json()
    assert (row["number"], row["status"], row["accuracy"], row["baseline_accuracy"]) == (
        1,
        "draft",
        1.0,
        0.25,
    )
    assert "payload" not in row and row["baseline"] == "the phrases alone"
    one = desk.client.get(f"/api/model-versions/{version_id}", headers=desk.auth("qa")).json()
    assert one["baseline_evaluation"]["confusions"] == [
        {"label": "product_defect", "predicted": "general_inquiry", "count": 3}
    ]
    missing = desk.client.get("/api/model-versions/mv-nope", headers=desk.auth("qa"))
    assert missing.status_code == 404


def test_a_manager_approves_and_the_server_triages_with_the_model_at_once(
    models_desk: WebDesk,
) -> None:
    desk = models_desk
    version_id = _draft(desk)
    url = f"/api/model-versions/{version_id}"
    assert _ticket_category(desk) != "product_defect"
    refused = desk.client.post(f"{url}/approve", json={}, headers=desk.auth("supervisor"))
    assert refused.status_code == 403
    assert _ticket_category(desk) != "product_defect"
    approved = desk.client.post(f"{url}/approve", json={"note": "ok"}, headers=desk.auth("manager"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "effective"
    assert _ticket_category(desk) == "product_defect"
    again = desk.client.post(f"{url}/approve", json={}, headers=desk.auth("admin"))
    assert again.status_code == 409


def test_a_rejection_needs_a_reason(models_desk: WebDesk) -> None:
    desk = models_desk
    url = f"/api/model-versions/{_draft(desk)}/reject"
    blank = desk.client.post(url, json={"note": ""}, headers=desk.auth("manager"))
    assert blank.status_code == 422
    done = desk.client.post(url, json={"note": "too small"}, headers=desk.auth("manager"))
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert _ticket_category(desk) != "product_defect"
