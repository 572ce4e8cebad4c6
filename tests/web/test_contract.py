"""The API contract (issue 9): the OpenAPI document lists every answer, OPTIONS and 405 name
every method of a path, valid-by-schema intake is accepted or the schema says why not."""

from __future__ import annotations

import pytest
from web_desk import WebDesk

from tierdesk.domain.model import LANGS
from tierdesk.web.openapi import BEYOND_SCHEMA, NO_CONTROL


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
    assert r.status_code == 204 and r.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    r = desk.client.options("/api/users/u_1", headers=desk.auth("admin"))
    assert r.status_code == 204 and r.headers["allow"] == "OPTIONS, PATCH"
    r = desk.client.put("/api/tickets", headers=desk.auth("admin"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert r.json()["code"] == "method_not_allowed"


def test_the_intake_schema_says_an_email_or_a_phone_is_needed(desk: WebDesk) -> None:
    schema = desk.client.get("/openapi.json").json()["components"]["schemas"]["IntakeIn"]
    assert [a["required"] for a in schema["anyOf"]] == [["email"], ["phone"]]
    r = desk.client.post("/api/intake", json={"body": "0", "phone": "0912 345 678"})
    assert r.status_code == 201, r.text


def test_a_language_is_one_the_product_speaks(desk: WebDesk) -> None:
    schema = desk.client.get("/openapi.json").json()["components"]["schemas"]["IntakeIn"]
    language = schema["properties"]["language"]["anyOf"][0]
    assert language["enum"] == list(LANGS)
    for lang in LANGS:
        r = desk.client.post(
            "/api/intake", json={"body": "hi", "email": "a@b.co", "language": lang}
        )
        assert r.status_code == 201, r.text
    r = desk.client.post("/api/intake", json={"body": "hi", "email": "a@b.co", "language": "xx"})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "body.language"


@pytest.mark.parametrize(
    "path", ["/docs", "/login", "/openapi.json", "/healthz", "/static/console.css"]
)
def test_head_is_answered_wherever_get_is(desk: WebDesk, path: str) -> None:
    got = desk.client.get(path)
    head = desk.client.head(path)
    assert head.status_code == got.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy")


def test_head_where_get_is_not_answered_names_the_methods(desk: WebDesk) -> None:
    r = desk.client.head("/api/intake")
    assert r.status_code == 405 and r.headers["allow"] == "OPTIONS, POST"


def test_the_cursor_format_is_in_the_schema(desk: WebDesk) -> None:
    document = desk.client.get("/openapi.json").json()
    for path in ("/api/tickets", "/api/customers"):
        params = document["paths"][path]["get"]["parameters"]
        cursor = next(p for p in params if p["name"] == "cursor")["schema"]
        assert "pattern" in cursor, path
        r = desk.client.get(path, params={"cursor": "0"}, headers=desk.auth("admin"))
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text
        r = desk.client.get(path, params={"cursor": "0.x"}, headers=desk.auth("admin"))
        assert r.status_code == 200, r.text


def test_refusals_beyond_the_schema_name_real_operations_and_fields(desk: WebDesk) -> None:
    document = desk.client.get("/openapi.json").json()
    for method, path in BEYOND_SCHEMA:
        operation = document["paths"][path][method]  # KeyError: a stale entry
        refusals = operation["responses"]["422"]["x-refusals"]
        assert refusals and all(r["why"] and r["code"] and r["field"] for r in refusals)
        assert "Beyond the schema" in operation["responses"]["422"]["description"]


def test_parameters_state_the_boundary_rules(desk: WebDesk) -> None:
    document = desk.client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", ()):
                schema = parameter["schema"]
                assert all(o.get("type") != "null" for o in schema.get("anyOf", [schema]))
                if parameter["in"] == "path" and "enum" not in schema:
                    assert schema.get("pattern"), (method, path, parameter)
    ticket = document["paths"]["/api/tickets/{ticket_id}"]["get"]["parameters"][0]
    assert ticket["schema"]["pattern"] == NO_CONTROL
    r = desk.client.get("/api/tickets/a%01b", headers=desk.auth("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "path.ticket_id"
    r = desk.client.post(
        "/api/tickets/x/notes",
        json={"body": "hi"},
        headers={**desk.auth("admin"), "If-Match": "null"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "header.If-Match"
