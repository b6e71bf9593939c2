"""HTTP shape of the mentoring surface: each endpoint declared once (`endpoints`), its handler
calling the service and rendering the row. No SQL, and no access decisions of its own: what the
role alone decides, the policy checks (each endpoint's ``access``) before the body is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth import policy
from caseworks.auth.agencies import AgencySettings, AgencySettingsUpdate
from caseworks.core.errors import Invalid
from caseworks.core.jsonio import dumps
from caseworks.csvio import csv_import
from caseworks.csvio.csv_columns import export_columns
from caseworks.csvio.import_models import ImportProblem, ImportQuery, ImportReport
from caseworks.db import Row
from caseworks.db.base import StreamedRows
from caseworks.mentoring import agency_settings, bulk_reassign, caseloads, people
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
    CaseloadQuery,
    CaseloadSummary,
    Contact,
    ContactCreate,
    ContactDeleted,
    ContactPage,
    ContactQuery,
    Mentor,
    MentorCaseloadPage,
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
from caseworks.mentoring.people import CONTACTS, MENTORS, PersonKind
from caseworks.web import idempotency_header as idempotency
from caseworks.web.csv_export import Export
from caseworks.web.endpoints import Call, Endpoint, Handler
from caseworks.web.json_response import JSONResponse
from caseworks.web.problem_details import PROBLEM_MEDIA_TYPE, problem_body

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


async def list_assignments(call: Call) -> Response:
    query: AssignmentQuery = call.query
    page = await service.list_assignments(
        call.state.db,
        call.caller,
        service.chosen_filters(query),
        query.sort,
        query.request,
        query.stale,
        call.now,
    )
    return JSONResponse(page.rest())


def export_assignments(call: Call) -> AsyncIterator[StreamedRows]:
    query: AssignmentQuery = call.query
    return service.export_assignments(
        call.state.db,
        call.caller,
        service.chosen_filters(query),
        query.sort,
        ASSIGNMENT_COLUMNS,
        query.stale,
        call.now,
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
    def rows(call: Call) -> AsyncIterator[StreamedRows]:
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


async def list_contacts(call: Call) -> Response:
    query: ContactQuery = call.query
    if not query.waiting:
        page = await people.list_people(
            call.state.db, call.caller, CONTACTS, query.sort, query.request
        )
        return JSONResponse(page.rest())
    _waiting_order_only(query)
    page = await people.list_waiting_contacts(call.state.db, call.caller, query.request)
    return JSONResponse(page.rest())


def _waiting_order_only(query: ContactQuery) -> None:
    if "sort" in query.model_fields_set:
        raise Invalid.parameter(
            "sort", "the waiting list is ordered longest waiting first: leave sort out"
        )


def export_contacts(call: Call) -> AsyncIterator[StreamedRows]:
    """The contacts, or with ``waiting=true`` the waiting ones in their order: the list's rows."""
    query: ContactQuery = call.query
    if not query.waiting:
        return people.export_people(call.state.db, call.caller, CONTACTS, query.sort)
    _waiting_order_only(query)
    return people.export_waiting_contacts(call.state.db, call.caller)


def people_endpoints(
    kind: PersonKind,
    create_model: type[MentorCreate] | type[ContactCreate],
    models: tuple[type[BaseModel], type[BaseModel], type[BaseModel]],
    listing: tuple[Handler, type[PersonQuery], Export] | None = None,
) -> list[Endpoint]:
    """CRUD for mentors or contacts; ``models`` documents (one, page, deleted); ``listing`` the
    list's own handler and query model, where the kind's list takes more than the common one."""
    one, page_model, deleted = models
    collection = f"/api/v1/{kind.table}"
    person = f"{collection}/{{person_id}}"
    tags = (kind.table,)

    async def list_people(call: Call) -> Response:
        query: PersonQuery = call.query
        page = await people.list_people(call.state.db, call.caller, kind, query.sort, query.request)
        return JSONResponse(page.rest())

    def export_people(call: Call) -> AsyncIterator[StreamedRows]:
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

    list_handler, list_query, list_export = listing or (
        list_people,
        PersonQuery,
        Export(kind.table, export_people),
    )
    return [
        Endpoint(
            "GET",
            collection,
            list_handler,
            f"List {kind.table}",
            f"list_{kind.table}",
            query=list_query,
            output=page_model,
            tags=tags,
            export=list_export,
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


# --- caseloads ----------------------------------------------------------------------------------


async def mentor_caseloads(call: Call) -> Response:
    query: CaseloadQuery = call.query
    page = await caseloads.mentor_caseloads(
        call.state.db, call.caller, query.sort, query.request, call.now, query.over_capacity
    )
    return JSONResponse(page.rest())


def export_mentor_caseloads(call: Call) -> AsyncIterator[StreamedRows]:
    query: CaseloadQuery = call.query
    return caseloads.export_mentor_caseloads(
        call.state.db, call.caller, query.sort, call.now, query.over_capacity
    )


async def caseload_summary(call: Call) -> Response:
    return JSONResponse(await caseloads.caseload_summary(call.state.db, call.caller, call.now))


def caseload_endpoints() -> list[Endpoint]:
    tags = ("caseloads",)
    return [
        Endpoint(
            "GET",
            "/api/v1/caseloads/mentors",
            mentor_caseloads,
            "Each mentor's caseload: open, limit in force, stale, last contact, last assigned",
            "list_mentor_caseloads",
            query=CaseloadQuery,
            output=MentorCaseloadPage,
            access=MENTORING,
            tags=tags,
            export=Export("mentor-caseloads", export_mentor_caseloads),
        ),
        Endpoint(
            "GET",
            "/api/v1/caseloads/summary",
            caseload_summary,
            "The agency's caseload figures (admins and supervisors)",
            "caseload_summary",
            output=CaseloadSummary,
            access=MANAGERS,
            tags=tags,
        ),
    ]


# --- the agency's settings ----------------------------------------------------------------------

SETTINGS = "/api/v1/agency/settings"
ADMINS = policy.require_agency_admin


async def get_settings(call: Call) -> Response:
    settings = await agency_settings.get_settings(call.state.db, call.caller)
    return JSONResponse(settings.model_dump())


async def update_settings(call: Call) -> Response:
    settings = await agency_settings.update_settings(call.state.db, call.caller, call.body)
    return JSONResponse(settings.model_dump())


def settings_endpoints() -> list[Endpoint]:
    tags = ("agency",)
    return [
        Endpoint(
            "GET",
            SETTINGS,
            get_settings,
            "The agency's settings (admins)",
            "get_agency_settings",
            output=AgencySettings,
            errors=(400, 401, 403, 429),
            access=ADMINS,
            tags=tags,
        ),
        Endpoint(
            "PUT",
            SETTINGS,
            update_settings,
            "Change some of the agency's settings (admins)",
            "update_agency_settings",
            body=AgencySettingsUpdate,
            output=AgencySettings,
            errors=(400, 401, 403, 413, 415, 422, 429),
            access=ADMINS,
            tags=tags,
            description=(
                "Only the keys sent change. `default_mentor_capacity` may be null (no limit);"
                " the other keys may not."
            ),
        ),
    ]


# --- imports -------------------------------------------------------------------------------------


async def known_import_kind(call: Call) -> None:
    """404 for a kind there is no import of, before the file is read."""
    csv_import.check_kind(call.path["kind"])


async def import_records(call: Call) -> Response:
    query: ImportQuery = call.query
    try:
        report = await csv_import.import_csv(
            call.state.db, call.caller, call.path["kind"], call.body, dry_run=query.dry_run
        )
    except csv_import.ImportRefused as refused:
        body = problem_body(refused, call.scope.get("state", {}).get("request_id"))
        return Response(
            dumps(body | refused.report.as_dict()),
            status_code=refused.status,
            media_type=PROBLEM_MEDIA_TYPE,
        )
    return JSONResponse(report.as_dict())


def import_endpoints() -> list[Endpoint]:
    return [
        Endpoint(
            "POST",
            "/api/v1/imports/{kind}",
            import_records,
            "Import records from a CSV file, all or nothing (admins)",
            "import_records",
            query=ImportQuery,
            raw_body="text/csv",
            output=ImportReport,
            errors=WRITE_ERRORS,
            error_models=((422, ImportProblem),),
            access=ADMINS,
            guard=known_import_kind,
            tags=("imports",),
            description=(
                "`kind` is one of " + ", ".join(f"`{kind}`" for kind in csv_import.KINDS) + "."
                " The header names the columns; UTF-8 with or without a byte order mark, `,` or"
                " `;` between fields. Any invalid row: 422 with the report, nothing written."
            ),
        ),
    ]


def endpoints() -> list[Endpoint]:
    """The mentoring endpoints, each declared once; and the import, which serves the records
    of both surfaces and answers as this one does (RFC 9457 problems)."""
    return [
        *assignment_endpoints(),
        *caseload_endpoints(),
        *settings_endpoints(),
        *people_endpoints(MENTORS, MentorCreate, (Mentor, MentorPage, MentorDeleted)),
        *people_endpoints(
            CONTACTS,
            ContactCreate,
            (Contact, ContactPage, ContactDeleted),
            (list_contacts, ContactQuery, Export(CONTACTS.table, export_contacts)),
        ),
        *import_endpoints(),
    ]
