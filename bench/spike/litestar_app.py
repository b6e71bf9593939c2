"""Candidate (b): Litestar 2.x, written as Litestar wants it: an authentication middleware that
sets the user, guards for the role, typed query parameters and a Pydantic body in the handler
signature, one exception handler that renders our errors.

Litestar is not a project dependency; for the spike: `uv pip install litestar==2.25.0`.

    uvicorn --factory bench.spike.litestar_app:create
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from litestar import Litestar, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.params import Parameter
from starlette.datastructures import State
from starlette.routing import Route

from bench.spike import common
from caseworks.auth import policy
from caseworks.auth.principal import Principal
from caseworks.core.errors import (
    FieldProblem,
    NotFound,
    ProblemList,
    ServiceError,
    UnsupportedMediaType,
)
from caseworks.core.jsonio import dumps
from caseworks.core.validation import invalid
from caseworks.mentoring import mentor_assignments as service
from caseworks.mentoring.mentoring_models import AssignmentCreate
from caseworks.web import idempotency_header as idempotency
from caseworks.web.app import exception_response
from caseworks.web.bearer import authenticate_header
from caseworks.web.json_bodies import _is_json, check_unique_keys
from caseworks.web.jsonapi import MEDIA_TYPE as JSONAPI
from caseworks.web.methods import MethodTable
from caseworks.web.origin import origins_of

STATE = State()
Caller = Request[Principal, None, Any]


class BearerAuth(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        client = connection.scope.get("client")
        principal = await authenticate_header(
            STATE, connection.headers.get("authorization", ""), client[0] if client else None
        )
        return AuthenticationResult(user=principal, auth=None)


async def managers(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    policy.require_mentoring_manager(connection.user)


async def json_only(request: Any, _: BaseRouteHandler) -> None:
    if not _is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType(
            "send the body as application/json",
            [FieldProblem("must be application/json", header="Content-Type")],
        )
    check_unique_keys(await request.body())


@get(common.ASSIGNMENT.replace("}", ":str}"), summary="Get a single assignment by ID")
async def get_assignment(request: Caller, assignment_id: str) -> Response[bytes]:
    row = await service.get_assignment(STATE.db, request.user, assignment_id)
    return Response(dumps(row), media_type="application/json")


@post(
    common.ASSIGNMENTS,
    summary="Create a new mentor-contact assignment",
    guards=[managers, json_only],
    status_code=201,
)
async def create_assignment(request: Caller, data: AssignmentCreate) -> Response[bytes]:
    idempotent = await idempotency.of(request)  # type: ignore[arg-type]
    row, replayed = await service.create_assignment(STATE.db, request.user, data, idempotent)
    location = f"{common.ASSIGNMENTS}/{row['assignment_id']}"
    headers = idempotency.created_headers(request, location, replayed)  # type: ignore[arg-type]
    return Response(dumps(row), status_code=201, media_type="application/json", headers=headers)


Sort = Literal["created_at", "-created_at", "updated_at", "-updated_at"]
Role = Literal["case_carrying", "case-carrying", "approvals", "support"]


@get(
    common.CHILD_ASSIGNMENTS.replace("}", ":str}"),
    summary="List the worker assignments of one of the children",
)
async def child_assignments(
    request: Caller,
    record_id: str,
    page_number: int = Parameter(query="page[number]", default=1, ge=1, le=10_000_000),
    page_size: int = Parameter(query="page[size]", default=20, ge=1, le=200),
    sort: Sort = "created_at",
    include: str | None = Parameter(default=None, max_length=100),
    role: Role | None = None,
    created_start_date: date | None = None,
    created_end_date: date | None = None,
) -> Response[bytes]:
    query = common.SubjectListQuery.model_construct(
        page_number=page_number,
        page_size=page_size,
        sort=sort,
        include=include,
        role=role,
        created_start_date=created_start_date,
        created_end_date=created_end_date,
    )
    url = origins_of(request.scope).url(request.scope)  # type: ignore[arg-type]
    document = await common.subject_list_document(STATE, request.user, record_id, query, url)
    return Response(dumps(document), media_type=JSONAPI)


def _as_service_error(error: Exception) -> Exception:
    """Litestar's own failures in our terms (its validation errors name key and source)."""
    if isinstance(error, ValidationException):
        problems = []
        for item in error.extra or []:
            key, source = str(item.get("key", "")), item.get("source")
            if source == "query":
                problems.append(FieldProblem(str(item.get("message")), parameter=key))
            else:
                problems.append(FieldProblem(str(item.get("message")), pointer=f"/{key}"))
        found = ProblemList()
        for problem in problems:
            found.append(problem)
        return invalid(found)
    if isinstance(error, HTTPException) and error.status_code == 404:
        return NotFound("no such resource")
    if isinstance(error, HTTPException):
        failure = ServiceError(str(error.detail))
        failure.status = error.status_code
        return failure
    return error


def on_error(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    rendered = exception_response(
        request.scope["path"], _as_service_error(error), request.scope["state"]["request_id"]
    )
    if rendered is None:
        raise error
    headers = {k: v for k, v in rendered.headers.items() if k != "content-length"}
    return Response(rendered.body, status_code=rendered.status_code, headers=headers)


async def startup() -> None:
    STATE._state.update((await common.open_state())._state)


async def shutdown() -> None:
    await common.close_state(STATE)


def create() -> Any:
    app = Litestar(
        route_handlers=[get_assignment, create_assignment, child_assignments],
        middleware=[DefineMiddleware(BearerAuth)],
        exception_handlers={Exception: on_error},
        on_startup=[startup],
        on_shutdown=[shutdown],
        logging_config=None,
    )

    async def nothing(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("only for the method table")

    methods = MethodTable(
        [
            Route(common.ASSIGNMENT, nothing, methods=["GET"]),
            Route(common.ASSIGNMENTS, nothing, methods=["POST"]),
            Route(common.CHILD_ASSIGNMENTS, nothing, methods=["GET"]),
        ]
    )
    return common.request_context(app, methods)
