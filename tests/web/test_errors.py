"""Every error is problem+json with a stable code; bad input is a 4xx naming the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_desk import ORDER, WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

INTAKE = {"name": "Mei", "email": "mei@example.com", "body": ORDER}


def _problem(r: object, status: int, code: str) -> dict[str, object]:
    from httpx import Response

    assert isinstance(r, Response)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code)
    assert body["title"] and body["detail"]
    return dict(body)


def _paths(body: dict[str, object]) -> list[str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return [e["path"] for e in errors]


def test_malformed_json_is_a_400_naming_the_body(desk: WebDesk) -> None:
    r = desk.client.post(
        "/api/intake", content=b'{"body": "hi', headers={"content-type": "application/json"}
    )
    body = _problem(r, 400, "malformed_json")
    assert _paths(body) == ["body"]


def test_an_unknown_field_is_a_422_naming_it(desk: WebDesk) -> None:
    r = desk.client.post("/api/intake", json={**INTAKE, "priority": "P1"})
    body = _problem(r, 422, "invalid_request")
    assert _paths(body) == ["body.priority"]
    assert "priority" in str(body["detail"])


def test_a_wrong_enum_value_is_a_422_naming_the_field_and_the_choices(desk: WebDesk) -> None:
    r = desk.client.post("/api/intake", json={**INTAKE, "channel": "fax"})
    body = _problem(r, 422, "invalid_request")
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    error = errors[0]
    assert error["path"] == "body.channel"
    assert "web" in error["message"]


def test_a_wrong_query_enum_names_the_query_parameter(desk: WebDesk) -> None:
    r = desk.client.get("/api/tickets?status=sleeping", headers=desk.auth("agent_l1"))
    body = _problem(r, 422, "invalid_request")
    assert _paths(body) == ["query.status.0"]


def test_a_validation_error_never_echoes_the_input_back(desk: WebDesk) -> None:
    r = desk.client.post("/api/auth/login", json={"username": "x", "password": "s3cret", "x": 1})
    assert "s3cret" not in r.text


@pytest.fixture
def small(rules: Rulebook) -> Iterator[WebDesk]:
    with web_desk(rules, max_body_bytes=2048) as d:
        yield d


def test_an_oversized_body_is_a_413_naming_the_body(small: WebDesk) -> None:
    r = small.client.post("/api/intake", json={**INTAKE, "body": "x" * 5000})
    body = _problem(r, 413, "body_too_large")
    assert _paths(body) == ["body"]


def test_an_oversized_streamed_body_without_length_is_a_413(small: WebDesk) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "Mei", "email": "mei@example.com", "body": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    r = small.client.post(
        "/api/intake", content=chunks(), headers={"content-type": "application/json"}
    )
    _problem(r, 413, "body_too_large")
    assert small.store.tables.tickets == {}


def test_an_unknown_ticket_is_a_404_with_the_service_code(desk: WebDesk) -> None:
    r = desk.client.get("/api/tickets/t_nope", headers=desk.auth("agent_l1"))
    body = _problem(r, 404, "not_found")
    assert body["data"] == {"what": "ticket", "id": "t_nope"}


def test_an_unknown_route_is_a_404_problem(desk: WebDesk) -> None:
    _problem(desk.client.get("/api/nothing-here"), 404, "not_found")


def test_a_service_input_error_names_its_field(desk: WebDesk) -> None:
    # Valid by the schema (which refuses what is not an email), refused by the service.
    r = desk.client.post(
        "/api/intake", json={**INTAKE, "body": "   "}, headers={"Idempotency-Key": "k"}
    )
    body = _problem(r, 422, "invalid_input")
    assert body["errors"][0]["field"] == "text"  # type: ignore[index]


def test_an_intake_without_email_or_phone_names_the_email_field(desk: WebDesk) -> None:
    r = desk.client.post("/api/intake", json={"name": "Mei", "body": ORDER})
    assert _paths(_problem(r, 422, "invalid_request")) == ["body.email"]


def test_an_unexpected_error_is_a_bare_500_that_leaks_nothing(desk: WebDesk) -> None:
    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    desk.app.add_api_route("/api/boom", boom)
    client = TestClient(desk.app, raise_server_exceptions=False)
    r = client.get("/api/boom")
    body = _problem(r, 500, "internal_error")
    assert "hunter2" not in r.text and "RuntimeError" not in r.text
    assert "errors" not in body


def _raising(exc: Exception) -> TestClient:
    """A bare app with the one translator, whose only route raises `exc`."""
    from fastapi import FastAPI

    from tierdesk.web import errors

    app = FastAPI()
    errors.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


def test_a_domain_error_escaping_a_service_is_a_422_with_its_code() -> None:
    from tierdesk.domain.durations import DurationError
    from tierdesk.domain.errors import InvalidValueError

    body = _problem(
        _raising(DurationError("'soon' is not a duration")).get("/boom"), 422, "invalid_duration"
    )
    assert body["detail"] == "'soon' is not a duration"
    body = _problem(_raising(InvalidValueError("when", "bad")).get("/boom"), 422, "invalid_value")
    assert _paths(body) == ["when"]


def test_an_error_that_is_the_servers_fault_is_a_bare_500() -> None:
    from tierdesk.bootstrap import DatabaseUnavailableError

    r = _raising(DatabaseUnavailableError("db at 10.0.0.9 refused")).get("/boom")
    body = _problem(r, 500, "internal_error")
    assert "10.0.0.9" not in r.text and "data" not in body
