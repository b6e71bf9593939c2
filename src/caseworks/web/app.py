"""create_app(settings): the ASGI application with its routers, error handlers and middleware."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from caseworks import __version__
from caseworks.auth.cache import TokenCache, keep_listening
from caseworks.auth.limits import FailureLimiter
from caseworks.config import Settings
from caseworks.core import logs
from caseworks.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
from caseworks.core.jsonio import JSONResponse
from caseworks.core.validation import from_validation_errors
from caseworks.db import ConstraintViolation, Database, DatabaseUnavailable, DatabaseURL
from caseworks.db import open_database as connect_database
from caseworks.db.postgres import PostgresDatabase
from caseworks.db.sqlite import SQLiteDatabase
from caseworks.notify.dispatcher import build_dispatcher
from caseworks.web.bearer import BEARER_SCHEME
from caseworks.web.childwelfare_api import endpoints as childwelfare_endpoints
from caseworks.web.context import RequestContext
from caseworks.web.docs import install_docs
from caseworks.web.endpoints import DeclaredFirst, Endpoint, compile_routes, operations
from caseworks.web.jsonapi.error_documents import error_response as jsonapi_error_response
from caseworks.web.mentoring_api import endpoints as mentoring_endpoints
from caseworks.web.methods import AnswerOptions, MethodTable
from caseworks.web.origin import HostPolicy, Origins, origins_of, parse_networks
from caseworks.web.problem_details import problem_response

log = logging.getLogger("caseworks")

JSONAPI_PREFIXES = (
    "/api/v1/worker_assignments",
    "/api/v1/children",
    "/api/v1/applications",
    "/api/v1/agency_workers",
)

_HTTP_ERRORS: dict[int, type[ServiceError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


class MethodNotAllowed(ServiceError):
    status = 405
    title = "Method Not Allowed"


def is_jsonapi_path(path: str) -> bool:
    return path.startswith(JSONAPI_PREFIXES)


def render_error(
    path: str, error: ServiceError, request_id: str | None, headers: dict[str, str] | None = None
) -> Response:
    if is_jsonapi_path(path):
        return jsonapi_error_response(error, request_id, headers)
    return problem_response(error, request_id, headers)


def _request_id(request: Request) -> str | None:
    request_id: str | None = request.scope.get("state", {}).get("request_id")
    return request_id


def as_service_error(error: Exception) -> tuple[ServiceError, dict[str, str]] | None:
    """What a failure means to the client, with extra headers; None for a bug (500)."""
    if isinstance(error, Unauthorized):
        return error, {"WWW-Authenticate": "Bearer"}
    if isinstance(error, TooManyRequests):
        return error, {"Retry-After": str(error.retry_after)}
    if isinstance(error, ServiceError):
        return error, {}
    if isinstance(error, HTTPException):  # the request context's limit on a streamed body
        kind = _HTTP_ERRORS.get(error.status_code, BadRequest)
        return kind(str(error.detail)), dict(error.headers or {})
    if isinstance(error, RequestValidationError):
        return from_validation_errors(error.errors()), {}
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


def _slash_redirect(request: Request) -> Response | None:
    """307 to the path with (or without) its trailing slash, if that one has a route.

    Starlette's own redirect copies the Host header into the URL; this one builds it from the
    allowed host or the public URL.
    """
    path: str = request.scope["path"]
    if path == "/":
        return None
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    other_scope = {**request.scope, "path": other}
    for route in request.app.router.routes:
        match, _ = route.matches(other_scope)
        if match is not Match.NONE:
            url = origins_of(request.scope).url(request.scope, other)
            return RedirectResponse(str(url), status_code=307)
    return None


def _install_error_handlers(app: FastAPI, methods: MethodTable) -> None:
    async def on_error(request: Request, error: Exception) -> Response:
        response = exception_response(request.url.path, error, _request_id(request))
        assert response is not None, "handlers are registered only for mapped exceptions"
        return response

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        headers = dict(error.headers or {})
        if error.status_code == 404 and "route" not in request.scope:
            redirect = _slash_redirect(request)
            if redirect is not None:
                return redirect
        if error.status_code == 405:
            # Every method of the path, not only those of the first route the router tried.
            headers["Allow"] = methods.allow_header(request.url.path) or headers.get("Allow", "")
            problem: ServiceError = MethodNotAllowed(
                f"{request.method} is not allowed on {request.url.path}"
            )
        else:
            kind = _HTTP_ERRORS.get(error.status_code, BadRequest)
            problem = kind(str(error.detail) if error.status_code != 404 else "no such resource")
        return render_error(request.url.path, problem, _request_id(request), headers or None)

    async def on_unexpected(request: Request, error: Exception) -> Response:
        # Logged by the request context with its request id; the body says only that it failed.
        failure = ServiceError("an unexpected error occurred; quote the request id")
        return render_error(request.url.path, failure, _request_id(request))

    for mapped in (ServiceError, RequestValidationError, DatabaseUnavailable, ConstraintViolation):
        app.add_exception_handler(mapped, on_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


class Caseworks(FastAPI):
    """FastAPI with our request context outermost.

    Every HTTP request passes our RequestContext first (request id, headers, body limit, access
    log, fast lane), then the declared endpoints' routes (`DeclaredFirst`); only what neither
    answers enters FastAPI's own stack, whose per-request work (telemetry checks, middleware
    layers, routing) would otherwise cost more than the query behind the hottest reads.
    """

    request_context: RequestContext | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.request_context is not None:
            await self.request_context(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def framework_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def _document_operations(app: FastAPI, declared: list[Endpoint]) -> None:
    """The declared endpoints' operations, beside those FastAPI documents itself."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for path, methods in operations(declared, components).items():
                schema.setdefault("paths", {}).setdefault(path, {}).update(methods)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_bearer_auth(app: FastAPI) -> None:
    """Every API operation needs a bearer token: say so once, for the whole document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = (
                BEARER_SCHEME
            )
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The application. Pass ``database`` to share an open one (tests); else it opens its own."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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

    app = Caseworks(
        title="caseworks",
        version=__version__,
        summary="Assign people to cases and keep track of caseloads.",
        description=(
            "Mentor assignments (REST, RFC 9457 errors) and worker assignments for children and "
            "foster-family applications (JSON:API 1.1). Every operation needs a bearer token."
        ),
        lifespan=lifespan,
        default_response_class=JSONResponse,
        redirect_slashes=False,  # our own redirect (_slash_redirect) never copies the Host header
        docs_url=None,  # FastAPI's pages load from a CDN; install_docs serves them offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.token_cache = TokenCache()
    limit = settings.auth_failures_per_minute
    app.state.auth_limiter = FailureLimiter(limit) if limit else None  # 0 turns the limit off
    # What token expiry and last use are measured against, in POSIX seconds (tests move it).
    app.state.clock = time.time
    app.state.data_version = None  # SQLite: the cache's validity check, set at start-up
    # Declared endpoints first: the router tries routes in order.
    declared = [*mentoring_endpoints(), *childwelfare_endpoints()]
    declared_routes = compile_routes(declared, app.state, exception_response)
    app.router.routes.extend(declared_routes)
    _document_operations(app, declared)
    _document_bearer_auth(app)
    install_docs(app)

    # Which server process answered: with `serve --workers N`, operators (and a test) can tell.
    instance = os.urandom(6).hex()

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, Any]:
        return {"status": "ok", "instance": instance}

    # Every route is declared above: the methods of each path are known from here on.
    methods = MethodTable(app.routes)
    _install_error_handlers(app, methods)
    app.add_middleware(AnswerOptions, methods=methods)  # inside CORS, which answers preflights
    cors = _cors_options(settings, methods)
    if cors is not None:
        app.add_middleware(CORSMiddleware, **cors)
    # The declared endpoints are served before the framework's stack, with CORS of their own.
    front = DeclaredFirst(
        declared_routes,
        app.framework_call,
        None if cors is None else partial(CORSMiddleware, **cors),
    )
    app.request_context = RequestContext(
        front,
        max_body_bytes=settings.max_body_bytes,
        render_error=render_error,
        render_exception=exception_response,
        origins=Origins(
            HostPolicy.of(settings.allowed_hosts, settings.public_url),
            settings.public_url,
            parse_networks(settings.trusted_proxies),
        ),
        methods=methods,
    )
    return app


def _cors_options(settings: Settings, methods: MethodTable) -> dict[str, Any] | None:
    """What cross-origin callers may do; None when no origin is allowed."""
    if not settings.cors_origins:
        return None
    return {
        "allow_origins": list(settings.cors_origins),
        "allow_methods": list(methods.every_method),
        "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        "expose_headers": ["Idempotent-Replayed", "Location", "X-Request-ID"],
    }


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings from the environment."""
    return create_app()
