"""create_app(settings): the ASGI application: the route table, the request context around it,
and the background work of a server process (token cache listener, mail dispatcher).

The path of a request, outermost first: `Caseworks.__call__` → `RequestContext` (request id,
host, security headers, body limit, HEAD, access log) → CORS (when origins are configured) →
`Router` (the route table: 404, 405, OPTIONS) → the endpoint's compiled callable
(authenticate, role, guard, query, body, handler, errors). Nothing else runs per request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from caseworks.auth.cache import TokenCache, keep_listening
from caseworks.auth.limits import FailureLimiter
from caseworks.config import Settings
from caseworks.console.console_pages import console_pages
from caseworks.console.pages import compile_pages
from caseworks.console.rendering import error_page
from caseworks.console.sessions import read_signed_in
from caseworks.console.static_files import static_routes
from caseworks.core import logs
from caseworks.core.errors import (
    Conflict,
    ServiceError,
    SimultaneousChange,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from caseworks.db import ConstraintViolation, Database, DatabaseUnavailable, DatabaseURL
from caseworks.db import open_database as connect_database
from caseworks.db.postgres import PostgresDatabase
from caseworks.db.sqlite import SQLiteDatabase
from caseworks.notify.dispatcher import build_dispatcher
from caseworks.web.childwelfare_api import endpoints as childwelfare_endpoints
from caseworks.web.context import RequestContext
from caseworks.web.docs import documentation_routes
from caseworks.web.endpoints import Endpoint, compile_routes
from caseworks.web.json_response import JSONResponse
from caseworks.web.jsonapi.error_documents import error_response as jsonapi_error_response
from caseworks.web.mentoring_api import endpoints as mentoring_endpoints
from caseworks.web.openapi_document import openapi_document
from caseworks.web.origin import HostPolicy, Origins, parse_networks
from caseworks.web.problem_details import problem_response
from caseworks.web.router import Router, RouteTable

log = logging.getLogger("caseworks")

API_ROOT = "/api/v1/"
# The mentoring API's collections (`/api/v1/mentors`…), from its own declarations: every other
# path under /api/v1/ is the Binti-compatible API's, known or not, so an unknown one is answered
# with a JSON:API error document, as a Binti client expects.
MENTORING_COLLECTIONS = frozenset(endpoint.path.split("/")[3] for endpoint in mentoring_endpoints())
OPENAPI_URL = "/openapi.json"


def is_jsonapi_path(path: str) -> bool:
    """Whether errors on ``path`` are JSON:API error documents (else RFC 9457 problems)."""
    if not path.startswith(API_ROOT):
        return False
    return path.split("/", 4)[3] not in MENTORING_COLLECTIONS


def render_error(
    path: str, error: ServiceError, request_id: str | None, headers: dict[str, str] | None = None
) -> Response:
    if is_jsonapi_path(path):
        return jsonapi_error_response(error, request_id, headers)
    return problem_response(error, request_id, headers)


def as_service_error(error: Exception) -> tuple[ServiceError, dict[str, str]] | None:
    """What a failure means to the client, with extra headers; None for a bug (500)."""
    if isinstance(error, Unauthorized):
        return error, {"WWW-Authenticate": "Bearer"}
    if isinstance(error, SimultaneousChange):
        # Rare and harmless one at a time; many of them say two writes take locks in opposite
        # orders, which is a bug to find: the database's own message names the rows.
        log.warning("transaction aborted by a simultaneous one: %s", error.__cause__)
        return error, {"Retry-After": str(error.retry_after)}
    if isinstance(error, TooManyRequests):
        return error, {"Retry-After": str(error.retry_after)}
    if isinstance(error, ServiceError):
        return error, {}
    if isinstance(error, DatabaseUnavailable):
        log.warning("database unavailable: %s", error)
        return Unavailable("the database is unavailable; try again shortly"), {"Retry-After": "1"}
    if isinstance(error, ConstraintViolation):
        # Services check what they can name; a constraint reaching here lost a race.
        return Conflict("the change conflicts with the current state"), {}
    return None


def exception_response(path: str, error: Exception, request_id: str | None) -> Response | None:
    mapped = as_service_error(error)
    if mapped is None:
        return None
    service_error, headers = mapped
    return render_error(path, service_error, request_id, headers or None)


class Caseworks(Starlette):
    """Starlette for its state and lifespan; every HTTP request goes straight to our request
    context, past Starlette's own middleware stack (its error and exception layers would answer
    what our context and endpoints already answer, at a cost on every request)."""

    request_context: ASGIApp
    route_table: RouteTable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if scope["type"] == "http":
            await self.request_context(scope, receive, send)
        else:
            await self.router(scope, receive, send)  # lifespan


def _plain_routes(declared: list[Endpoint]) -> list[tuple[str, str, ASGIApp]]:
    """The routes that are not API operations: health, the document, the documentation."""
    instance = os.urandom(6).hex()  # which server process answered (`serve --workers N`)
    document: dict[str, Any] = {}

    async def health(scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse({"status": "ok", "instance": instance})(scope, receive, send)

    async def openapi(scope: Scope, receive: Receive, send: Send) -> None:
        if not document:
            document.update(openapi_document(declared))
        await JSONResponse(document)(scope, receive, send)

    return [
        ("GET", "/health", health),
        ("GET", OPENAPI_URL, openapi),
        *documentation_routes(OPENAPI_URL, "caseworks"),
    ]


def declared_endpoints() -> list[Endpoint]:
    return [*mentoring_endpoints(), *childwelfare_endpoints()]


SIGN_IN_FAILURES_PER_ADDRESS = 30  # in ten minutes
SIGN_IN_FAILURES_PER_ACCOUNT = 10


def create_app(settings: Settings | None = None, database: Database | None = None) -> Caseworks:
    """The application. Pass ``database`` to share an open one (tests); else it opens its own."""
    settings = settings or Settings.from_env()
    app = Caseworks(lifespan=_lifespan(settings, database))
    app.state.settings = settings
    app.state.token_cache = TokenCache()
    limit = settings.auth_failures_per_minute
    app.state.auth_limiter = FailureLimiter(limit) if limit else None  # 0 turns the limit off
    # Failed console sign-ins, per client address and per e-mail (the password is argon2id, so
    # guessing is slow already; this stops it going on).
    app.state.sign_in_address_limiter = FailureLimiter(SIGN_IN_FAILURES_PER_ADDRESS, window=600)
    app.state.sign_in_account_limiter = FailureLimiter(SIGN_IN_FAILURES_PER_ACCOUNT, window=600)
    # What token expiry and last use are measured against, in POSIX seconds (tests move it).
    app.state.clock = time.time
    app.state.data_version = None  # SQLite: the cache's validity check, set at start-up

    declared = declared_endpoints()
    compiled = compile_routes(declared, app.state, exception_response)
    table = app.route_table = RouteTable(
        [
            *compiled,
            *_plain_routes(declared),
            *compile_pages(console_pages(), app.state, read_signed_in, error_page),
            *static_routes(),
        ]
    )
    inner: ASGIApp = Router(table, render_error)
    if settings.cors_origins:
        inner = CORSMiddleware(
            inner,
            allow_origins=list(settings.cors_origins),
            allow_methods=list(table.every_method),
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Idempotent-Replayed", "Location", "X-Request-ID"],
        )
    app.request_context = RequestContext(
        inner,
        max_body_bytes=settings.max_body_bytes,
        render_error=render_error,
        origins=Origins(
            HostPolicy.of(settings.allowed_hosts, settings.public_url),
            settings.public_url,
            parse_networks(settings.trusted_proxies),
        ),
        methods=table,
    )
    return app


def _lifespan(settings: Settings, database: Database | None) -> Any:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = database or await connect_database(
            DatabaseURL.parse(settings.database_url),
            settings.db_pool_size,
            settings.db_command_timeout_seconds,
        )
        app.state.db = db
        stop = asyncio.Event()
        background = []
        if isinstance(db, PostgresDatabase):
            background.append(asyncio.create_task(keep_listening(db, app.state.token_cache, stop)))
        elif isinstance(db, SQLiteDatabase):
            app.state.data_version = db.data_version
            app.state.token_cache.enabled = True
        if settings.dispatch:
            dispatcher = build_dispatcher(settings, db)
            background.append(
                asyncio.create_task(dispatcher.run(stop, settings.dispatch_poll_seconds))
            )
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*background, return_exceptions=True)
            if database is None:
                await db.close()
            logs.flush()

    return lifespan


def app_factory() -> Caseworks:
    """Entry point for ``uvicorn --factory``: settings from the environment."""
    return create_app()
