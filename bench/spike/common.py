"""What every prototype carries, whatever the framework: the application state that
authentication reads (database, token cache and its revocation listener, failure limiter, clock),
our request context outermost, the typed query of the JSON:API subject list, and the service
calls behind the three routes. Only the framework between them differs.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import URL, State
from starlette.types import ASGIApp

from caseworks.auth.cache import TokenCache, keep_listening
from caseworks.auth.limits import FailureLimiter
from caseworks.auth.principal import Principal
from caseworks.childwelfare import worker_assignments as service
from caseworks.childwelfare.childwelfare_models import Role
from caseworks.childwelfare.worker_assignments import Subject
from caseworks.config import Settings
from caseworks.core import logs
from caseworks.core.errors import BadRequest, FieldProblem
from caseworks.core.pagination import PageRequest
from caseworks.db import DatabaseURL, open_database
from caseworks.db.postgres import PostgresDatabase
from caseworks.web.app import exception_response, render_error
from caseworks.web.context import RequestContext
from caseworks.web.jsonapi import childwelfare_resources as render
from caseworks.web.jsonapi import documents as jsonapi
from caseworks.web.methods import MethodTable
from caseworks.web.origin import HostPolicy, Origins, parse_networks

SETTINGS = Settings.from_env()
ASSIGNMENT = "/api/v1/assignments/{assignment_id}"
ASSIGNMENTS = "/api/v1/assignments"
CHILD_ASSIGNMENTS = "/api/v1/children/{record_id}/relationships/worker_assignments"
INCLUDES = ("worker", "child", "application")

Digits = Annotated[str, Field(pattern=r"^[0-9]{1,8}$")]


class SubjectListQuery(BaseModel):
    """The query of a subject's worker assignments, as one typed model: what the one path
    validates before any transaction."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    page_number: int = Field(1, alias="page[number]", ge=1, le=10_000_000, strict=False)
    page_size: int = Field(20, alias="page[size]", ge=1, le=200, strict=False)
    sort: Literal["created_at", "-created_at", "updated_at", "-updated_at"] = "created_at"
    include: str | None = Field(None, max_length=100)
    role: Role | None = None
    created_start_date: date | None = None
    created_end_date: date | None = None


async def open_state(settings: Settings = SETTINGS) -> State:
    """The state `authenticate_header` and the services read, as `create_app` builds it."""
    state = State()
    state.settings = settings
    state.token_cache = TokenCache()
    limit = settings.auth_failures_per_minute
    state.auth_limiter = FailureLimiter(limit) if limit else None
    state.clock = time.time
    state.data_version = None
    state.db = await open_database(
        DatabaseURL.parse(settings.database_url),
        settings.db_pool_size,
        settings.db_command_timeout_seconds,
    )
    state.stop = asyncio.Event()
    state.background = []
    if isinstance(state.db, PostgresDatabase):
        listener = keep_listening(state.db, state.token_cache, state.stop)
        state.background.append(asyncio.create_task(listener))
    else:
        state.token_cache.enabled = True
        state.data_version = state.db.data_version  # type: ignore[attr-defined]
    return state


async def close_state(state: State) -> None:
    state.stop.set()
    await asyncio.gather(*state.background, return_exceptions=True)
    await state.db.close()
    logs.flush()


def request_context(app: ASGIApp, methods: MethodTable | None) -> RequestContext:
    """Our request context outermost (request id, hosts, security headers, body limit, HEAD,
    access log), with no fast lane: every request goes through `app`."""
    return RequestContext(
        app,
        max_body_bytes=SETTINGS.max_body_bytes,
        render_error=render_error,
        render_exception=exception_response,
        fast_lane=None,
        origins=Origins(
            HostPolicy.of(SETTINGS.allowed_hosts, SETTINGS.public_url),
            SETTINGS.public_url,
            parse_networks(SETTINGS.trusted_proxies),
        ),
        methods=methods,
    )


def includes_of(raw: str | None) -> set[str]:
    if not raw:
        return set()
    wanted = {item.strip() for item in raw.split(",") if item.strip()}
    if not wanted <= set(INCLUDES):
        detail = f"include supports {', '.join(INCLUDES)}"
        raise BadRequest(detail, [FieldProblem(detail, parameter="include")])
    return wanted


async def subject_list_document(
    state: State, caller: Principal, record_id: str, query: SubjectListQuery, url: URL
) -> dict[str, Any]:
    """The child's worker assignments as a JSON:API collection, from typed query values."""
    filters: dict[str, Any] = {}
    if query.role is not None:
        filters["role"] = query.role
    subject = Subject("child_id", record_id, from_path=True)
    page_request = PageRequest(query.page_number, query.page_size)
    async with state.db.connection() as connection:  # the record, the page, its total
        page = await service.subject_assignments(
            connection, caller, subject, filters, query.sort, page_request
        )
        resources = [render.assignment(row) for row in page.items]
        document = jsonapi.collection(page, url, query.sort, resources)
        wanted = includes_of(query.include)
        if wanted:
            related = await service.included(connection, caller, page.items, wanted)
            document["included"] = render.included(related)
    return document
