"""Property-based API testing: schemathesis generates requests from /openapi.json; no input,
however odd, may get a 5xx. Bounded (10 examples per operation) to stay fast."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from web_desk import HASHER, PASSWORD, START
from web_desk import settings as web_settings

from tierdesk.policy import rulebook
from tierdesk.services import tokens, users
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.memory import FakeClock, MemoryStore
from tierdesk.services.tickets import open_ticket
from tierdesk.web.app import create_app


def _app_and_token() -> tuple[object, str]:
    store = MemoryStore()
    env = Env(uow=store.uow, clock=FakeClock(START), rules=rulebook(preset="cs-sop"))
    admin = users.add_user(
        env,
        username="admin",
        display_name="Admin",
        role="admin",
        actor_id=None,
        password_hash=HASHER.hash(PASSWORD),
    )
    # Something to find, so generated ids sometimes meet real rows.
    open_ticket(env, channel="email", text="Where is my order?", contact=Contact("email", "a@b.co"))
    app = create_app(env, web_settings(), hasher=HASHER)
    _, token = tokens.create(env, admin.id, "schemathesis", days=1)
    return app, token


APP, TOKEN = _app_and_token()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error]
    )
