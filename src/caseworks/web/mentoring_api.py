"""HTTP shape of the mentoring surface: parse, call the service, render. No SQL, and no access
decisions of its own: what the role alone decides, the policy checks as a route dependency.

No `from __future__ import annotations` here: the people routes are built per kind and their
body type is a local variable, which FastAPI can only see as a real annotation.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from caseworks.auth import policy
from caseworks.auth.principal import Principal
from caseworks.core.jsonio import JSONResponse
from caseworks.core.timestamps import to_utc
from caseworks.db import Database
from caseworks.mentoring import mentor_assignments as service
from caseworks.mentoring import people
from caseworks.mentoring.mentoring_models import (
    Assignment,
    AssignmentCreate,
    AssignmentDeleted,
    AssignmentPage,
    AssignmentQuery,
    AssignmentUpdate,
    AuditEventList,
    Contact,
    ContactCreate,
    ContactDeleted,
    ContactPage,
    Mentor,
    MentorCreate,
    MentorDeleted,
    MentorPage,
    OpenCount,
    PageQuery,
    PersonQuery,
    PersonUpdate,
    StatusChange,
)
from caseworks.mentoring.mentoring_queries import AssignmentFilters
from caseworks.mentoring.people import CONTACTS, MENTORS, PersonKind
from caseworks.web import idempotency_header as idempotency
from caseworks.web.bearer import DB, Caller, allowed
from caseworks.web.endpoints import Endpoint
from caseworks.web.fastlane import FastRoute
from caseworks.web.json_bodies import json_body
from caseworks.web.problem_details import problem_responses

ASSIGNMENTS = "/api/v1/assignments"

_READ_ERRORS = problem_responses(400, 401, 403, 404, 422, 429)
_WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429)
Idempotent = Annotated[idempotency.IdempotentRequest | None, Depends(idempotency.of)]

# What the role alone decides, checked before the body is validated: caseworkers have no part in
# the mentoring programme, and only admins and supervisors create its records. Who may change an
# existing record also depends on the record, so that is the service's to decide.
MENTORING = allowed(policy.mentoring_scope)
MANAGERS = allowed(policy.require_mentoring_manager)


def _doc(model: type[Any], status: int = 200, errors: dict[int | str, Any] | None = None) -> Any:
    return {status: {"model": model}, **(errors or _READ_ERRORS)}


# What each read renders, shared by its FastAPI route and the fast lane.


async def _list(db: Database, caller: Principal, query: AssignmentQuery) -> Response:
    def utc(value: datetime | None) -> datetime | None:
        return None if value is None else to_utc(value)

    filters = AssignmentFilters(
        mentor_id=query.mentor_id,
        contact_id=query.contact_id,
        status=query.status,
        assigned_from=utc(query.assigned_from),
        assigned_to=utc(query.assigned_to),
        last_contact_before=utc(query.last_contact_before),
    )
    page = await service.list_assignments(db, caller, filters, query.sort, query.request)
    return JSONResponse(page.rest())


async def _assignment(db: Database, caller: Principal, assignment_id: str) -> Response:
    return JSONResponse(await service.get_assignment(db, caller, assignment_id))


async def _mentor_view(
    db: Database, caller: Principal, mentor_id: str, open_only: bool, paging: PageQuery
) -> Response:
    page = await service.mentor_assignments(
        db, caller, mentor_id, open_only=open_only, page=paging.request
    )
    return JSONResponse(page.rest())


async def _open_count(db: Database, caller: Principal, mentor_id: str) -> Response:
    count = await service.mentor_open_count(db, caller, mentor_id)
    return JSONResponse({"mentor_id": mentor_id, "open_assignment_count": count})


def fast_routes() -> list[FastRoute]:
    """The hottest reads, also served by the fast lane."""
    mentor = rf"{ASSIGNMENTS}/mentor/(?P<mentor_id>[^/]+)"
    return [
        FastRoute.of(ASSIGNMENTS, lambda r: _list(r.db, r.caller, r.query), AssignmentQuery),
        FastRoute.of(
            rf"{ASSIGNMENTS}/(?P<assignment_id>[^/]+)",
            lambda r: _assignment(r.db, r.caller, r.path["assignment_id"]),
        ),
        FastRoute.of(
            rf"{mentor}/open-count", lambda r: _open_count(r.db, r.caller, r.path["mentor_id"])
        ),
        FastRoute.of(
            rf"{mentor}/active",
            lambda r: _mentor_view(r.db, r.caller, r.path["mentor_id"], True, r.query),
            PageQuery,
        ),
        FastRoute.of(
            rf"{mentor}/history",
            lambda r: _mentor_view(r.db, r.caller, r.path["mentor_id"], False, r.query),
            PageQuery,
        ),
    ]


def assignments_router() -> APIRouter:
    """The nine endpoints of seed 000 (its doubled-prefix paths are rewritten by the middleware)."""
    router = APIRouter(prefix=ASSIGNMENTS, tags=["assignments"])

    @router.get(
        "", summary="List assignments with optional filtering", responses=_doc(AssignmentPage)
    )
    async def list_assignments(
        db: DB, caller: Caller, query: Annotated[AssignmentQuery, Query()]
    ) -> Response:
        return await _list(db, caller, query)

    @router.post(
        "",
        status_code=201,
        summary="Create a new mentor-contact assignment",
        responses=_doc(Assignment, 201, _WRITE_ERRORS),
        dependencies=[MANAGERS, json_body(AssignmentCreate)],
        openapi_extra=idempotency.OPENAPI,
    )
    async def create_assignment(
        request: Request, db: DB, caller: Caller, body: AssignmentCreate, idempotent: Idempotent
    ) -> Response:
        row, replayed = await service.create_assignment(db, caller, body, idempotent)
        location = f"{ASSIGNMENTS}/{row['assignment_id']}"
        return JSONResponse(
            row, status_code=201, headers=idempotency.created_headers(request, location, replayed)
        )

    @router.get(
        "/mentor/{mentor_id}/active",
        summary="Get all active (open) assignments for a mentor",
        responses=_doc(AssignmentPage),
    )
    async def mentor_active(
        db: DB, caller: Caller, mentor_id: str, paging: Annotated[PageQuery, Query()]
    ) -> Response:
        return await _mentor_view(db, caller, mentor_id, True, paging)

    @router.get(
        "/mentor/{mentor_id}/history",
        summary="Get full assignment history for a mentor",
        responses=_doc(AssignmentPage),
    )
    async def mentor_history(
        db: DB, caller: Caller, mentor_id: str, paging: Annotated[PageQuery, Query()]
    ) -> Response:
        return await _mentor_view(db, caller, mentor_id, False, paging)

    @router.get(
        "/mentor/{mentor_id}/open-count",
        summary="Count open assignments for a mentor",
        responses=_doc(OpenCount),
    )
    async def mentor_open_count(db: DB, caller: Caller, mentor_id: str) -> Response:
        return await _open_count(db, caller, mentor_id)

    @router.get(
        "/{assignment_id}", summary="Get a single assignment by ID", responses=_doc(Assignment)
    )
    async def get_assignment(db: DB, caller: Caller, assignment_id: str) -> Response:
        return await _assignment(db, caller, assignment_id)

    @router.put(
        "/{assignment_id}",
        summary="Update assignment details",
        responses=_doc(Assignment, errors=_WRITE_ERRORS),
        dependencies=[MENTORING, json_body(AssignmentUpdate)],
    )
    async def update_assignment(
        db: DB, caller: Caller, assignment_id: str, body: AssignmentUpdate
    ) -> Response:
        return JSONResponse(await service.update_assignment(db, caller, assignment_id, body))

    @router.delete(
        "/{assignment_id}",
        summary="Delete an assignment record",
        responses=_doc(AssignmentDeleted, errors=_WRITE_ERRORS),
    )
    async def delete_assignment(db: DB, caller: Caller, assignment_id: str) -> Response:
        await service.delete_assignment(db, caller, assignment_id)
        return JSONResponse({"deleted": True, "assignment_id": assignment_id})

    @router.patch(
        "/{assignment_id}/status",
        summary="Update assignment status",
        responses=_doc(Assignment, errors=_WRITE_ERRORS),
        dependencies=[MENTORING, json_body(StatusChange)],
    )
    async def change_status(
        db: DB, caller: Caller, assignment_id: str, body: StatusChange
    ) -> Response:
        return JSONResponse(await service.change_status(db, caller, assignment_id, body))

    @router.get(
        "/{assignment_id}/events",
        summary="Audit trail of an assignment (admins and supervisors)",
        responses=_doc(AuditEventList),
    )
    async def assignment_events(db: DB, caller: Caller, assignment_id: str) -> Response:
        return JSONResponse({"data": await service.assignment_events(db, caller, assignment_id)})

    return router


def people_router(
    kind: PersonKind,
    create_model: type[MentorCreate] | type[ContactCreate],
    models: tuple[type[Any], type[Any], type[Any]],
) -> APIRouter:
    """CRUD for mentors or contacts; ``models`` documents (one, page, deleted)."""
    one, page_model, deleted = models
    router = APIRouter(prefix=f"/api/v1/{kind.table}", tags=[kind.table])
    create_id_field = kind.id_field

    @router.get(
        "", summary=f"List {kind.table}", responses=_doc(page_model), name=f"list_{kind.table}"
    )
    async def list_people(
        db: DB, caller: Caller, query: Annotated[PersonQuery, Query()]
    ) -> Response:
        page = await people.list_people(db, caller, kind, query.sort, query.request)
        return JSONResponse(page.rest())

    @router.post(
        "",
        status_code=201,
        summary=f"Create a {kind.noun}",
        responses=_doc(one, 201, _WRITE_ERRORS),
        dependencies=[MANAGERS, json_body(create_model)],
        name=f"create_{kind.noun}",
        openapi_extra=idempotency.OPENAPI,
    )
    async def create_person(
        request: Request,
        db: DB,
        caller: Caller,
        body: create_model,  # type: ignore[valid-type]
        idempotent: Idempotent,
    ) -> Response:
        person_id = getattr(body, create_id_field)
        row, replayed = await people.create_person(db, caller, kind, body, person_id, idempotent)
        location = f"/api/v1/{kind.table}/{row[kind.id_field]}"
        return JSONResponse(
            row, status_code=201, headers=idempotency.created_headers(request, location, replayed)
        )

    @router.get(
        "/{person_id}", summary=f"Get a {kind.noun}", responses=_doc(one), name=f"get_{kind.noun}"
    )
    async def get_person(db: DB, caller: Caller, person_id: str) -> Response:
        return JSONResponse(await people.get_person(db, caller, kind, person_id))

    @router.put(
        "/{person_id}",
        summary=f"Update a {kind.noun}",
        responses=_doc(one, errors=_WRITE_ERRORS),
        dependencies=[MENTORING, json_body(PersonUpdate)],
        name=f"update_{kind.noun}",
    )
    async def update_person(db: DB, caller: Caller, person_id: str, body: PersonUpdate) -> Response:
        return JSONResponse(await people.update_person(db, caller, kind, person_id, body))

    @router.delete(
        "/{person_id}",
        summary=f"Delete a {kind.noun} (refused while it has open assignments)",
        responses=_doc(deleted, errors=_WRITE_ERRORS),
        name=f"delete_{kind.noun}",
    )
    async def delete_person(db: DB, caller: Caller, person_id: str) -> Response:
        await people.delete_person(db, caller, kind, person_id)
        return JSONResponse({"deleted": True, kind.id_field: person_id})

    return router


def routers() -> list[APIRouter]:
    return [
        assignments_router(),
        people_router(MENTORS, MentorCreate, (Mentor, MentorPage, MentorDeleted)),
        people_router(CONTACTS, ContactCreate, (Contact, ContactPage, ContactDeleted)),
    ]


def endpoints() -> list[Endpoint]:
    """The mentoring endpoints, each declared once."""
    return []
