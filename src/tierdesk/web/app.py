"""The FastAPI app factory: `create_app(env, settings)`.

The caller owns the Env: tests pass one on `MemoryStore` (`tierdesk.testing.memory`) +
`FakeClock`, `tierdesk serve` one on the real database. Routes live in `tierdesk.web.api`;
errors are translated by `tierdesk.web.errors`; background work (SLA sweeper, outbox) is
started by the `lifespan` the caller may pass (see `tierdesk.cli.serve_cmd`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cache

from fastapi import Depends, FastAPI
from starlette.routing import BaseRoute

from tierdesk import bootstrap
from tierdesk.config import Settings, ensure_secret
from tierdesk.services import tickets
from tierdesk.services.env import Env
from tierdesk.services.policies import PolicyInForce
from tierdesk.web import console, docs, errors, openapi, public
from tierdesk.web.api import api_router
from tierdesk.web.auth import Hasher, Signer
from tierdesk.web.boundary import checked_parameters
from tierdesk.web.channels import line as line_channel
from tierdesk.web.help import console_panel as help_console
from tierdesk.web.help import pages as help_pages
from tierdesk.web.intake import IntakeBatcher
from tierdesk.web.middleware import BodyLimit, HeadAsGet, SecurityHeaders
from tierdesk.web.ratelimit import RateLimiter
from tierdesk.web.schemas import Health
from tierdesk.web.state import WebState

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    env: Env | PolicyInForce,
    settings: Settings,
    *,
    hasher: Hasher | None = None,
    lifespan: Lifespan | None = None,
) -> FastAPI:
    """The helpdesk's web app over `env` (followed to each newly approved policy version when
    it is not a `PolicyInForce` already). `hasher` defaults to argon2id
    (`bootstrap.password_hasher()`); `lifespan` runs around the app's life (background work).
    Without `settings.secret_key` the key is read from / created in `settings.var_dir`."""
    settings = ensure_secret(settings)
    if settings.secret_key is None:  # pragma: no cover - ensure_secret always sets it
        raise RuntimeError("no secret key")
    hasher = hasher or bootstrap.password_hasher()
    policy = env if isinstance(env, PolicyInForce) else PolicyInForce(env)
    state = WebState(
        policy=policy,
        settings=settings,
        hasher=hasher,
        signer=Signer(settings.secret_key.get_secret_value()),
        dummy_hash=hasher.hash("not a password: equalizes the cost of unknown usernames"),
        login_limiter=RateLimiter(settings.login_rate_per_minute, settings.login_burst),
        failure_limiter=RateLimiter(
            settings.login_failures_per_minute, settings.login_failures_burst
        ),
        public_limiter=RateLimiter(settings.public_rate_per_minute, settings.public_burst),
        batcher=IntakeBatcher(
            lambda intakes: tickets.open_tickets(policy.env(), intakes), settings.intake_batch_max
        ),
        line=bootstrap.line_channel(settings, policy),
        reread_mail=bootstrap.held_mail_reader(settings),
    )

    @asynccontextmanager
    async def life(app: FastAPI) -> AsyncIterator[None]:
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            await state.batcher.aclose()

    app = FastAPI(
        title="tierdesk",
        summary="The customer-service SOP as a running helpdesk.",
        version="0.1.0",
        lifespan=life,
        docs_url=None,  # served from the package by tierdesk.web.docs (no CDN)
        redoc_url=None,
    )
    app.router.routes.extend(_routes())
    app.state.web = state
    errors.install(app)
    console.install(app)  # a signed-out console page sends to sign in
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # outermost: HEAD is the GET it stands for
    openapi.install(app)  # every answer of every operation in /openapi.json
    return app


@cache
def _routes() -> tuple[BaseRoute, ...]:
    """Every route of the app, built once per process: FastAPI analyses each endpoint's
    signature and models as its router is included (about a second for these 500 routes), and
    the table is the same for every app, which reads its state per request (`web_state`)."""
    routes = FastAPI(
        dependencies=[Depends(checked_parameters)], openapi_url=None, docs_url=None, redoc_url=None
    )
    routes.include_router(api_router())
    console.add_routes(routes)  # the agent console at / (pages, /static)
    public.add_routes(routes)  # the customer pages: survey, contact, magic link, chat
    routes.include_router(help_pages.router)  # the public help centre (/help) and /help/suggest
    routes.include_router(help_console.router)  # the ticket page's suggested articles
    docs.add_routes(routes)  # /docs: the vendored Swagger UI
    routes.include_router(line_channel.router)

    @routes.get("/healthz", response_model=Health, tags=["public"])
    def healthz() -> Health:
        """Liveness: the process answers (no sign-in)."""
        return Health(status="ok")

    return tuple(routes.router.routes)
