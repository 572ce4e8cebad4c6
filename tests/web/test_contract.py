"""The API contract (issue 9): the OpenAPI document lists every answer, OPTIONS and 405 name
every method of a path, valid-by-schema intake is accepted or the schema says why not."""

from __future__ import annotations

from web_desk import WebDesk


def test_every_operation_documents_its_problem_answers(desk: WebDesk) -> None:
    document = desk.client.get("/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            if path == "/healthz":
                continue
            for status in ("401", "403", "422"):
                assert status in answers, (method, path, status)
                assert "application/problem+json" in answers[status]["content"]
            if "requestBody" in operation:
                assert {"400", "413"} <= answers.keys(), (method, path)
    intake = document["paths"]["/api/intake"]["post"]["responses"]
    assert "Retry-After" in intake["429"]["headers"]
    assert "rate_limited" in intake["429"]["description"]
    assert "policy_too_complex" in intake["422"]["description"]


def test_options_and_405_name_every_method_of_a_path(desk: WebDesk) -> None:
    r = desk.client.options("/api/tickets", headers=desk.auth("admin"))
    assert r.status_code == 204 and r.headers["allow"] == "GET, OPTIONS, POST"
    r = desk.client.options("/api/users/u_1", headers=desk.auth("admin"))
    assert r.status_code == 204 and r.headers["allow"] == "OPTIONS, PATCH"
    r = desk.client.put("/api/tickets", headers=desk.auth("admin"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, OPTIONS, POST"
    assert r.json()["code"] == "method_not_allowed"


def test_the_intake_schema_says_an_email_or_a_phone_is_needed(desk: WebDesk) -> None:
    schema = desk.client.get("/openapi.json").json()["components"]["schemas"]["IntakeIn"]
    assert [a["required"] for a in schema["anyOf"]] == [["email"], ["phone"]]
    r = desk.client.post("/api/intake", json={"body": "0", "phone": "0912 345 678"})
    assert r.status_code == 201, r.text
