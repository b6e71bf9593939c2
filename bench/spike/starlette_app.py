"""Candidate (a): Starlette with our own declaration layer (bench/spike/declare.py).

uvicorn --factory bench.spike.starlette_app:create
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from caseworks.web.methods import AnswerOptions, MethodTable
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.responses import Response

from bench.spike import common
from bench.spike.declare import Call, Endpoint, compile_routes
from caseworks.auth import policy
from caseworks.mentoring import mentor_assignments as service
from caseworks.mentoring.mentoring_models import Assignment, AssignmentCreate
from caseworks.web import idempotency_header as idempotency
from caseworks.web.json_response import JSONResponse
from caseworks.web.jsonapi import documents as jsonapi
from caseworks.web.origin import origins_of


async def get_assignment(call: Call) -> Response:
    row = await service.get_assignment(call.state.db, call.caller, call.path["assignment_id"])
    return JSONResponse(row)


async def create_assignment(call: Call) -> Response:
    idempotent = await idempotency.of(call.request)
    row, replayed = await service.create_assignment(
        call.state.db, call.caller, call.body, idempotent
    )
    location = f"{common.ASSIGNMENTS}/{row['assignment_id']}"
    headers = idempotency.created_headers(call.request, location, replayed)
    return JSONResponse(row, status_code=201, headers=headers)


async def child_assignments(call: Call) -> Response:
    url = origins_of(call.request.scope).url(call.request.scope)
    document = await common.subject_list_document(
        call.state, call.caller, call.path["record_id"], call.query, url
    )
    return jsonapi.response(document)


ENDPOINTS = [
    Endpoint(
        "GET",
        common.ASSIGNMENT,
        get_assignment,
        "Get a single assignment by ID",
        output=Assignment,
        tags=("assignments",),
    ),
    Endpoint(
        "POST",
        common.ASSIGNMENTS,
        create_assignment,
        "Create a new mentor-contact assignment",
        body=AssignmentCreate,
        output=Assignment,
        status=201,
        errors=(400, 401, 403, 404, 409, 413, 415, 422, 429),
        access=policy.require_mentoring_manager,
        tags=("assignments",),
    ),
    Endpoint(
        "GET",
        common.CHILD_ASSIGNMENTS,
        child_assignments,
        "List the worker assignments of one of the children",
        query=common.SubjectListQuery,
        media_type=jsonapi.MEDIA_TYPE,
        tags=("worker assignments",),
    ),
]


def create() -> Any:
    state = State()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = await common.open_state()
        state._state.update(opened._state)
        try:
            yield
        finally:
            await common.close_state(state)

    routes = compile_routes(ENDPOINTS, state)
    methods = MethodTable(routes)
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(AnswerOptions, methods=methods)],
    )
    return common.request_context(app, methods)
