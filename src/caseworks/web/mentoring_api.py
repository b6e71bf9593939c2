"""HTTP shape of the mentoring surface: each endpoint declared once (`endpoints`), its handler
calling the service and rendering the row. No SQL, and no access decisions of its own: what the
role alone decides, the policy checks (each endpoint's ``access``) before the body is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth import policy
from caseworks.core.timestamps import to_utc
from caseworks.csvio.csv_columns import export_columns
from caseworks.db import Row
from caseworks.db.base import StreamedRow
from caseworks.mentoring import bulk_reassign, people
from caseworks.mentoring import mentor_assignments as service
from caseworks.mentoring.mentoring_models import (
    Assignment,
    AssignmentCreate,
    AssignmentDeleted,
    AssignmentPage,
    AssignmentQuery,
    AssignmentUpdate,
    AuditEventList,
    BulkReassignment,
    BulkResults,
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
    Reassigned,
    Reassignment,
    StatusChange,
)
from caseworks.mentoring.mentoring_queries import AssignmentFilters
from caseworks.mentoring.people import CONTACTS, MENTORS, PersonKind
from caseworks.web import idempotency_header as idempotency
from caseworks.web.csv_export import Export
from caseworks.web.endpoints import Call, Endpoint
from caseworks.web.json_response import JSONResponse

ASSIGNMENTS = "/api/v1/assignments"
ASSIGNMENT = f"{ASSIGNMENTS}/{{assignment_id}}"
MENTOR = f"{ASSIGNMENTS}/mentor/{{mentor_id}}"

# What an export of assignments holds (the columns an import of them reads).
ASSIGNMENT_COLUMNS = export_columns("assignments")
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)
IDEMPOTENCY_KEY = tuple(idempotency.OPENAPI["parameters"])

# What the role alone decides, checked before the body is read: caseworkers have no part in the
# mentoring programme, and only admins and supervisors create its records. Who may change an
# existing record also depends on the record, so that is the service's to decide.
MENTORING = policy.mentoring_scope
MANAGERS = policy.require_mentoring_manager


# --- assignments ---------------------------------------------------------------------------------


def _filters(query: AssignmentQuery) -> AssignmentFilters:
    def utc(value: datetime | None) -> datetime | None:
        return None if value is None else to_utc(value)

    return AssignmentFilters(
        mentor_id=query.mentor_id,
        contact_id=query.contact_id,
        status=query.status,
        assigned_from=utc(query.assigned_from),
        assigned_to=utc(query.assigned_to),
        last_contact_before=utc(query.last_contact_before),
    )


async def list_assignments(call: Call) -> Response:
    query: AssignmentQuery = call.query
    page = await service.list_assignments(
        call.state.db, call.caller, _filters(query), query.sort, query.request
    )
    return JSONResponse(page.rest())


def export_assignments(call: Call) -> AsyncIterator[list[StreamedRow]]:
    query: AssignmentQuery = call.query
    return service.export_assignments(
        call.state.db, call.caller, _filters(query), query.sort, ASSIGNMENT_COLUMNS
    )


async def create_assignment(call: Call) -> Response:
    idempotent = await idempotency.of(call.request)
    row, replayed = await service.create_assignment(
        call.state.db, call.caller, call.body, idempotent
    )
    return _created(call, f"{ASSIGNMENTS}/{row['assignment_id']}", row, replayed)


async def get_assignment(call: Call) -> Response:
    row = await service.get_assignment(call.state.db, call.caller, call.path["assignment_id"])
    return JSONResponse(row)


async def update_assignment(call: Call) -> Response:
    assignment_id = call.path["assignment_id"]
    row = await service.update_assignment(call.state.db, call.caller, assignment_id, call.body)
    return JSONResponse(row)


async def delete_assignment(call: Call) -> Response:
    assignment_id = call.path["assignment_id"]
    await service.delete_assignment(call.state.db, call.caller, assignment_id)
    return JSONResponse({"deleted": True, "assignment_id": assignment_id})


async def change_status(call: Call) -> Response:
    assignment_id = call.path["assignment_id"]
    row = await service.change_status(call.state.db, call.caller, assignment_id, call.body)
    return JSONResponse(row)


async def reassign(call: Call) -> Response:
    idempotent = await idempotency.of(call.request)
    made, replayed = await service.reassign(
        call.state.db, call.caller, call.path["assignment_id"], call.body, idempotent
    )
    body = {"closed": made.closed, "opened": made.opened}
    return _created(call, f"{ASSIGNMENTS}/{made.opened['assignment_id']}", body, replayed)


async def bulk_reassign_assignments(call: Call) -> Response:
    results = await bulk_reassign.bulk_reassign(call.state.db, call.caller, call.body)
    return JSONResponse({"results": results})


async def assignment_events(call: Call) -> Response:
    events = await service.assignment_events(call.state.db, call.caller, call.path["assignment_id"])
    return JSONResponse({"data": events})


async def mentor_active(call: Call) -> Response:
    return await _mentor_view(call, open_only=True)


async def mentor_history(call: Call) -> Response:
    return await _mentor_view(call, open_only=False)


async def _mentor_view(call: Call, open_only: bool) -> Response:
    paging: PageQuery = call.query
    page = await service.mentor_assignments(
        call.state.db, call.caller, call.path["mentor_id"], open_only=open_only, page=paging.request
    )
    return JSONResponse(page.rest())


def _mentor_export(open_only: bool) -> Export:
    def rows(call: Call) -> AsyncIterator[list[StreamedRow]]:
        mentor_id = call.path["mentor_id"]
        return service.export_mentor_assignments(
            call.state.db, call.caller, mentor_id, open_only=open_only, columns=ASSIGNMENT_COLUMNS
        )

    return Export("assignments", rows)


def export_events(call: Call) -> AsyncIterator[list[Row]]:
    return service.export_events(call.state.db, call.caller, call.path["assignment_id"])


async def mentor_open_count(call: Call) -> Response:
    mentor_id = call.path["mentor_id"]
    count = await service.mentor_open_count(call.state.db, call.caller, mentor_id)
    return JSONResponse({"mentor_id": mentor_id, "open_assignment_count": count})


def _created(call: Call, location: str, row: dict[str, Any], replayed: bool) -> Response:
    headers = idempotency.created_headers(call.request, location, replayed)
    return JSONResponse(row, status_code=201, headers=headers)


def assignment_endpoints() -> list[Endpoint]:
    """The assignment endpoints (the contract's doubled-prefix paths are rewritten by the request
    context). The hottest reads come first: the router tries routes in order."""
    tags = ("assignments",)
    return [
        Endpoint(
            "GET",
            ASSIGNMENT,
            get_assignment,
            "Get a single assignment by ID",
            "get_assignment",
            output=Assignment,
            tags=tags,
        ),
        Endpoint(
            "GET",
            ASSIGNMENTS,
            list_assignments,
            "List assignments with optional filtering",
            "list_assignments",
            query=AssignmentQuery,
            output=AssignmentPage,
            tags=tags,
            export=Export("assignments", export_assignments),
        ),
        Endpoint(
            "GET",
            f"{MENTOR}/active",
            mentor_active,
            "Get all active (open) assignments for a mentor",
            "mentor_active_assignments",
            query=PageQuery,
            output=AssignmentPage,
            tags=tags,
            export=_mentor_export(open_only=True),
        ),
        Endpoint(
            "GET",
            f"{MENTOR}/history",
            mentor_history,
            "Get full assignment history for a mentor",
            "mentor_assignment_history",
            query=PageQuery,
            output=AssignmentPage,
            tags=tags,
            export=_mentor_export(open_only=False),
        ),
        Endpoint(
            "GET",
            f"{MENTOR}/open-count",
            mentor_open_count,
            "Count open assignments for a mentor",
            "mentor_open_count",
            output=OpenCount,
            tags=tags,
        ),
        Endpoint(
            "POST",
            ASSIGNMENTS,
            create_assignment,
            "Create a new mentor-contact assignment",
            "create_assignment",
            body=AssignmentCreate,
            output=Assignment,
            status=201,
            errors=WRITE_ERRORS,
            access=MANAGERS,
            tags=tags,
            headers=IDEMPOTENCY_KEY,
        ),
        Endpoint(
            "PUT",
            ASSIGNMENT,
            update_assignment,
            "Update assignment details",
            "update_assignment",
            body=AssignmentUpdate,
            output=Assignment,
            errors=WRITE_ERRORS,
            access=MENTORING,
            tags=tags,
        ),
        Endpoint(
            "DELETE",
            ASSIGNMENT,
            delete_assignment,
            "Delete an assignment record",
            "delete_assignment",
            output=AssignmentDeleted,
            errors=WRITE_ERRORS,
            tags=tags,
        ),
        Endpoint(
            "PATCH",
            f"{ASSIGNMENT}/status",
            change_status,
            "Update assignment status",
            "change_assignment_status",
            body=StatusChange,
            output=Assignment,
            errors=WRITE_ERRORS,
            access=MENTORING,
            tags=tags,
        ),
        Endpoint(
            "POST",
            f"{ASSIGNMENT}/reassign",
            reassign,
            "Move the contact to another mentor: close this assignment, open its successor",
            "reassign_assignment",
            body=Reassignment,
            output=Reassigned,
            status=201,
            errors=WRITE_ERRORS,
            access=MANAGERS,
            tags=tags,
            headers=IDEMPOTENCY_KEY,
        ),
        Endpoint(
            "POST",
            f"{ASSIGNMENTS}/bulk-reassign",
            bulk_reassign_assignments,
            "Reassign up to 500 assignments to one mentor, each reported (admins and supervisors)",
            "bulk_reassign_assignments",
            body=BulkReassignment,
            output=BulkResults,
            errors=WRITE_ERRORS,
            access=MANAGERS,
            tags=tags,
        ),
        Endpoint(
            "GET",
            f"{ASSIGNMENT}/events",
            assignment_events,
            "Audit trail of an assignment (admins and supervisors)",
            "assignment_events",
            output=AuditEventList,
            tags=tags,
            export=Export("audit-events", export_events),
        ),
    ]


# --- mentors and contacts ------------------------------------------------------------------------


def people_endpoints(
    kind: PersonKind,
    create_model: type[MentorCreate] | type[ContactCreate],
    models: tuple[type[BaseModel], type[BaseModel], type[BaseModel]],
) -> list[Endpoint]:
    """CRUD for mentors or contacts; ``models`` documents (one, page, deleted)."""
    one, page_model, deleted = models
    collection = f"/api/v1/{kind.table}"
    person = f"{collection}/{{person_id}}"
    tags = (kind.table,)

    async def list_people(call: Call) -> Response:
        query: PersonQuery = call.query
        page = await people.list_people(call.state.db, call.caller, kind, query.sort, query.request)
        return JSONResponse(page.rest())

    def export_people(call: Call) -> AsyncIterator[list[StreamedRow]]:
        query: PersonQuery = call.query
        return people.export_people(call.state.db, call.caller, kind, query.sort)

    async def create_person(call: Call) -> Response:
        person_id = getattr(call.body, kind.id_field)
        idempotent = await idempotency.of(call.request)
        row, replayed = await people.create_person(
            call.state.db, call.caller, kind, call.body, person_id, idempotent
        )
        return _created(call, f"{collection}/{row[kind.id_field]}", row, replayed)

    async def get_person(call: Call) -> Response:
        row = await people.get_person(call.state.db, call.caller, kind, call.path["person_id"])
        return JSONResponse(row)

    async def update_person(call: Call) -> Response:
        person_id = call.path["person_id"]
        row = await people.update_person(call.state.db, call.caller, kind, person_id, call.body)
        return JSONResponse(row)

    async def delete_person(call: Call) -> Response:
        person_id = call.path["person_id"]
        await people.delete_person(call.state.db, call.caller, kind, person_id)
        return JSONResponse({"deleted": True, kind.id_field: person_id})

    return [
        Endpoint(
            "GET",
            collection,
            list_people,
            f"List {kind.table}",
            f"list_{kind.table}",
            query=PersonQuery,
            output=page_model,
            tags=tags,
            export=Export(kind.table, export_people),
        ),
        Endpoint(
            "POST",
            collection,
            create_person,
            f"Create a {kind.noun}",
            f"create_{kind.noun}",
            body=create_model,
            output=one,
            status=201,
            errors=WRITE_ERRORS,
            access=MANAGERS,
            tags=tags,
            headers=IDEMPOTENCY_KEY,
        ),
        Endpoint(
            "GET",
            person,
            get_person,
            f"Get a {kind.noun}",
            f"get_{kind.noun}",
            output=one,
            tags=tags,
        ),
        Endpoint(
            "PUT",
            person,
            update_person,
            f"Update a {kind.noun}",
            f"update_{kind.noun}",
            body=kind.update,
            output=one,
            errors=WRITE_ERRORS,
            access=MENTORING,
            tags=tags,
        ),
        Endpoint(
            "DELETE",
            person,
            delete_person,
            f"Delete a {kind.noun} (refused while it has open assignments)",
            f"delete_{kind.noun}",
            output=deleted,
            errors=WRITE_ERRORS,
            tags=tags,
        ),
    ]


def endpoints() -> list[Endpoint]:
    """The mentoring endpoints, each declared once."""
    return [
        *assignment_endpoints(),
        *people_endpoints(MENTORS, MentorCreate, (Mentor, MentorPage, MentorDeleted)),
        *people_endpoints(CONTACTS, ContactCreate, (Contact, ContactPage, ContactDeleted)),
    ]
