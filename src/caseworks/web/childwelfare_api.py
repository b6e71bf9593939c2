"""HTTP shape of the JSON:API surface, each operation declared once as an `Endpoint`: read the
document and the query, call the service, render. No SQL here, and no connections: the services
take them.

Every query string is read by one of the models of childwelfare_models (`NoQuery` where an
operation takes no parameters) before the body is read or the service called: a wrong value or
an unknown name is 400 before a connection is taken or anything is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from caseworks.auth import policy
from caseworks.childwelfare import caseload_transfers, intake, records, worker_caseloads
from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare import worker_assignments as service
from caseworks.childwelfare.childwelfare_models import (
    ApplicationAssignmentsQuery,
    ApplicationInclusion,
    ApplicationListQuery,
    AssignmentListQuery,
    AssignmentPageQuery,
    ChildAssignmentsQuery,
    ChildListQuery,
    IncludeQuery,
    Inclusion,
    ListQuery,
    ProfileInclusion,
    ProfileListQuery,
    RecordListQuery,
    RecordShowQuery,
    WorkerListQuery,
)
from caseworks.childwelfare.records import RecordKind
from caseworks.childwelfare.terms import ANY_APPLICATION_TYPE, WorkerRole
from caseworks.childwelfare.worker_assignments import Subject, Wanted
from caseworks.config import Settings
from caseworks.core.pagination import Page
from caseworks.core.query_parameters import NoQuery, QueryModel
from caseworks.db import Row
from caseworks.db.base import StreamedRows
from caseworks.web import idempotency_header as idempotency
from caseworks.web.csv_export import Export
from caseworks.web.endpoints import (
    JSONAPI,
    BodyReader,
    Call,
    Endpoint,
    Guard,
    Handler,
    QueryReading,
)
from caseworks.web.jsonapi import childwelfare_resources as render
from caseworks.web.jsonapi import documents as jsonapi
from caseworks.web.jsonapi.childwelfare_documents import (
    APPLICATION_LINKS,
    PROFILE_LINKS,
    Intake,
    application_intake,
    assignment_request,
    caseload_transfer,
    own_id,
    record_or_member,
    record_or_member_update,
    resource_attributes,
    resource_with_links,
)
from caseworks.web.jsonapi.childwelfare_openapi import (
    ASSIGNMENT_INCLUDED,
    ASSIGNMENT_RESOURCE,
    CASELOAD_RESOURCE,
    RECORD_RESOURCES,
    TRANSFER_ANSWER,
    assignment_body,
    intake_body,
    member_body,
    page_of,
    profile_body,
    record_body,
    single,
    transfer_body,
)
from caseworks.web.jsonapi.reading import query_of, query_parameters, read_document
from caseworks.web.origin import origins_of

ASSIGNMENTS = "/api/v1/worker_assignments"
ASSIGNMENT = ASSIGNMENTS + "/{assignment_id}"
ASSIGNMENTS_TAG = "worker assignments"
SUBJECTS = (("children", "child_id"), ("applications", "application_id"))
BINTI_CHILD = "child"  # the member of the Binti-compatible create body holding the child
# Each subject's list takes the filters Binti gives it (a child's: role and the created range).
SUBJECT_LIST_QUERIES: dict[str, type[AssignmentPageQuery]] = {
    "child_id": ChildAssignmentsQuery,
    "application_id": ApplicationAssignmentsQuery,
}
# A record list's filters, by kind; the others take none.
RECORD_LIST_QUERIES: dict[RecordKind, type[ListQuery]] = {
    records.WORKERS: WorkerListQuery,
    records.CHILDREN: ChildListQuery,
    records.APPLICATIONS: ApplicationListQuery,
    records.PROFILES: ProfileListQuery,
}
# A record's show, by kind: what it may include (the others take include with nothing to add).
RECORD_SHOW_QUERIES: dict[RecordKind, type[Inclusion]] = {
    records.APPLICATIONS: ApplicationInclusion,
    records.PROFILES: ProfileInclusion,
}
# JSON:API's query parameters: `filter[name]` spellings, 400 naming each parameter as sent.
# A token in the URL (`api_token`, which Binti deprecated) is refused with 401 before anything.
JSONAPI_QUERY = QueryReading(query_of, query_parameters, credentials=("api_token",))
ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)
# Creates are for admins and supervisors: the role alone decides for a creating caller, before
# the body is read. For a change the caller's view of the record decides between 403 and 404.
UPDATERS = policy.require_casework_update


def _declare(
    method: str,
    path: str,
    handler: Handler,
    summary: str,
    name: str,
    tag: str,
    query: type[QueryModel] = NoQuery,
    **more: Any,
) -> Endpoint:
    """An endpoint of this surface: JSON:API documents, queries and errors."""
    return Endpoint(
        method,
        path,
        handler,
        summary,
        name,
        query=query,
        query_reading=JSONAPI_QUERY,
        errors=ERRORS,
        media_type=JSONAPI,
        tags=(tag,),
        **more,
    )


def _url(scope: Scope) -> URL:
    return origins_of(scope).url(scope)


def _base(call: Call) -> str:
    return render.api_base(call.scope)


# --- the records -------------------------------------------------------------------------------


def _update_access(kind: RecordKind) -> Guard:
    async def check_update_access(call: Call) -> None:
        await records.check_update_access(call.state.db, call.caller, kind, call.path["record_id"])

    return check_update_access


def _record_reader(
    kind: RecordKind, types: tuple[str, ...], model: type[schemas.Attributes], updating: bool
) -> BodyReader:
    async def read_record(request: Request) -> Any:
        """An update's (type, attributes); a create's (type, attributes, the client's id)."""
        document = await read_document(request)
        if updating:
            record_id = request.path_params["record_id"]
            return resource_attributes(document, types, model, kind.table, updating=record_id)
        resource_type, attributes = resource_attributes(document, types, model, kind.table)
        return resource_type, attributes, own_id(document)

    return read_record


def _with_included(
    document: dict[str, Any], related: records.Included, base: str
) -> dict[str, Any]:
    """The document, with its ``included`` member when the kind has relationships to include
    and some were asked for (an empty ``include`` asks for none): ``related`` then holds each
    kind asked for, found or not."""
    if related:
        document["included"] = render.included(related, base)
    return document


def _record_lister(kind: RecordKind) -> Handler:
    async def list_records(call: Call) -> Response:
        query: ListQuery = call.query
        page, related = await records.records_with_included(
            call.state.db,
            call.caller,
            kind,
            query.order,
            query.page,
            query.conditions(),
            query.wanted,
        )
        base = _base(call)
        resources = [render.record(kind, row, base) for row in page.items]
        document = jsonapi.collection(page, _url(call.scope), query.asked_order, resources)
        return jsonapi.response(_with_included(document, related, base))

    return list_records


# Each kind's name as an export names it (its columns, its file).
EXPORT_KINDS = {
    records.WORKERS: "agency-workers",
    records.CHILDREN: "children",
    records.APPLICATIONS: "applications",
    records.PROFILES: "user-agency-profiles",
}


def _record_export(kind: RecordKind) -> Export:
    def rows(call: Call) -> AsyncIterator[list[Row]]:
        query: ListQuery = call.query
        return records.export_records(
            call.state.db, call.caller, kind, query.order, query.conditions()
        )

    return Export(EXPORT_KINDS[kind], rows)


def _record_creator(kind: RecordKind, path: str) -> Handler:
    async def create_record(call: Call) -> Response:
        _, attributes, chosen_id = call.body
        idempotent = await idempotency.of(call.request)
        row, replayed = await records.create_record(
            call.state.db, call.caller, kind, attributes, None, idempotent, chosen_id
        )
        response = jsonapi.response({"data": render.record(kind, row, _base(call))}, 201)
        response.headers.update(
            idempotency.created_headers(call.request, f"{path}/{row['id']}", replayed)
        )
        return response

    return create_record


def _record_shower(kind: RecordKind) -> Handler:
    async def show_record(call: Call) -> Response:
        query: Inclusion = call.query
        row, related = await records.record_with_included(
            call.state.db, call.caller, kind, call.path["record_id"], query.wanted
        )
        base = _base(call)
        document = {"data": render.record(kind, row, base)}
        return jsonapi.response(_with_included(document, related, base))

    return show_record


def _record_updater(kind: RecordKind) -> Handler:
    async def update_record(call: Call) -> Response:
        resource_type, attributes, *links = call.body
        row = await records.update_record(
            call.state.db,
            call.caller,
            kind,
            call.path["record_id"],
            attributes,
            resource_type,
            links[0] if links else None,
        )
        return jsonapi.response({"data": render.record(kind, row, _base(call))})

    return update_record


def _creation_reader(kind: RecordKind, types: tuple[str, ...]) -> BodyReader:
    """A create's body; a child's may also be the Binti-compatible ``{"child": {…}}``."""
    if kind is not records.CHILDREN:
        return _record_reader(kind, types, kind.create, updating=False)

    async def read_child(request: Request) -> tuple[str, schemas.Attributes, str | None]:
        document = await read_document(request)
        return record_or_member(document, BINTI_CHILD, types, kind.create, kind.table)

    return read_child


def _creation_body(kind: RecordKind, types: tuple[str, ...]) -> dict[str, Any]:
    jsonapi_body = record_body(types, kind.create, update=False)
    if kind is records.CHILDREN:
        return {"anyOf": [jsonapi_body, member_body(BINTI_CHILD, kind.create)]}
    return jsonapi_body


def _update_reader(kind: RecordKind, types: tuple[str, ...]) -> BodyReader:
    """An update's body; a child's may also be the Binti-compatible ``{"child": {…}}``, or a
    document without ``data.type`` (Binti's updates name none)."""
    if kind is not records.CHILDREN:
        return _record_reader(kind, types, kind.update, updating=True)

    async def read_child(request: Request) -> tuple[str, schemas.Attributes]:
        document = await read_document(request)
        record_id = request.path_params["record_id"]
        return record_or_member_update(
            document, BINTI_CHILD, types, kind.update, kind.table, record_id
        )

    return read_child


def _update_body(kind: RecordKind, types: tuple[str, ...]) -> dict[str, Any]:
    if kind is records.CHILDREN:
        jsonapi_body = record_body(types, kind.update, update=True, typed=False)
        return {"anyOf": [jsonapi_body, member_body(BINTI_CHILD, kind.update)]}
    return record_body(types, kind.update, update=True)


def _linked_record_reader(
    kind: RecordKind,
    types: tuple[str, ...],
    typeless: str,
    links: dict[str, tuple[str, ...]] | None = None,
) -> BodyReader:
    """An update's document with the relationships the record lets a client set; one sent
    without a type (as Binti's are) is of ``typeless``."""

    async def read_record(
        request: Request,
    ) -> tuple[str, schemas.Attributes, dict[str, str | None]]:
        document = await read_document(request)
        record_id = request.path_params["record_id"]
        return resource_with_links(
            document, types, kind.update, kind.table, record_id, links, typeless
        )

    return read_record


def _reads(kind: RecordKind, path: str) -> list[Endpoint]:
    """List and show of a kind of record; their answers hold ``included`` if it has
    relationships to include."""
    resource = RECORD_RESOURCES[kind.table]
    kinds = dict.fromkeys(related.kind for related in records.RELATED.get(kind, {}).values())
    included = tuple(RECORD_RESOURCES[other.table] for other in kinds)
    one, page_schema = single(resource, included=included), page_of(resource, included=included)
    noun, tag = kind.noun.replace(" ", "_"), kind.table
    return [
        _declare(
            "GET",
            path,
            _record_lister(kind),
            f"List {kind.table}",
            f"list_{kind.table}",
            tag,
            RECORD_LIST_QUERIES.get(kind, RecordListQuery),
            output=page_schema,
            export=_record_export(kind),
        ),
        _declare(
            "GET",
            path + "/{record_id}",
            _record_shower(kind),
            f"Show a {kind.noun}",
            f"show_{noun}",
            tag,
            RECORD_SHOW_QUERIES.get(kind, RecordShowQuery),
            output=one,
        ),
    ]


def _updates(
    kind: RecordKind,
    path: str,
    types: tuple[str, ...],
    methods: tuple[str, ...],
    reader: BodyReader,
) -> list[Endpoint]:
    """The partial updates of a record: PATCH, and PUT where Binti takes it (the same: the
    attributes and relationships sent change, the others stay)."""
    noun, tag = kind.noun.replace(" ", "_"), kind.table
    body = record_body(
        types, kind.update, update=True, links=kind is records.APPLICATIONS, typed=False
    )
    return [
        _declare(
            method,
            path + "/{record_id}",
            _record_updater(kind),
            f"Update a {kind.noun}" + (" (only the keys sent change)" if method == "PUT" else ""),
            f"{'put' if method == 'PUT' else 'update'}_{noun}",
            tag,
            guard=_update_access(kind),
            reader=reader,
            request_schema=body,
            output=single(RECORD_RESOURCES[kind.table]),
        )
        for method in methods
    ]


async def _intake_reader(request: Request) -> Intake:
    return application_intake(await read_document(request), tuple(schemas.APPLICATION_TYPES))


APPLICATIONS_PATH = "/api/v1/applications"
PROFILES_PATH = "/api/v1/user_agency_profiles"


async def create_application(call: Call) -> Response:
    """Binti answers an application's intake with 200 (not 201) and the application."""
    asked: Intake = call.body
    idempotent = await idempotency.of(call.request)
    row, replayed = await intake.create_application(
        call.state.db,
        call.caller,
        schemas.APPLICATION_TYPES[asked.resource_type],
        asked.attributes,
        asked.people,
        asked.wanted,
        _limits(call.state.settings),
        idempotent,
        asked.own_id,
    )
    response = jsonapi.response(
        {"data": render.record(records.APPLICATIONS, row, _base(call))}, 200
    )
    response.headers.update(
        idempotency.created_headers(call.request, f"{APPLICATIONS_PATH}/{row['id']}", replayed)
    )
    return response


def application_endpoints() -> list[Endpoint]:
    kind = records.APPLICATIONS
    types = (*schemas.APPLICATION_TYPES, ANY_APPLICATION_TYPE)
    return [
        *_reads(kind, APPLICATIONS_PATH),
        _declare(
            "POST",
            APPLICATIONS_PATH,
            create_application,
            "Intake an application (200, as Binti answers it)",
            "create_application",
            kind.table,
            access=UPDATERS,
            reader=_intake_reader,
            request_schema=intake_body(tuple(schemas.APPLICATION_TYPES)),
            output=single(RECORD_RESOURCES[kind.table]),
            status=200,
            headers=tuple(idempotency.OPENAPI["parameters"]),
        ),
        *_updates(
            kind,
            APPLICATIONS_PATH,
            types,
            ("PATCH", "PUT"),
            _linked_record_reader(kind, types, ANY_APPLICATION_TYPE, APPLICATION_LINKS),
        ),
    ]


async def _new_profile_reader(request: Request) -> tuple[schemas.Attributes, Any, str | None]:
    """A new profile's attributes, its application, and the client's own id for it, if any."""
    document = await read_document(request)
    types = (render.PROFILES,)
    _, attributes, links = resource_with_links(
        document,
        types,
        schemas.ProfileNew,
        records.PROFILES.table,
        links=PROFILE_LINKS,
        typeless=render.PROFILES,
        required=("application",),
    )
    return attributes, links, own_id(document)


async def create_profile(call: Call) -> Response:
    attributes, links, chosen_id = call.body
    idempotent = await idempotency.of(call.request)
    row, replayed = await intake.create_profile(
        call.state.db, call.caller, links["application"], attributes, idempotent, chosen_id
    )
    response = jsonapi.response({"data": render.record(records.PROFILES, row, _base(call))}, 201)
    response.headers.update(
        idempotency.created_headers(call.request, f"{PROFILES_PATH}/{row['id']}", replayed)
    )
    return response


def profile_endpoints() -> list[Endpoint]:
    kind = records.PROFILES
    types = (render.PROFILES,)
    reader = _linked_record_reader(kind, types, render.PROFILES)
    return [
        *_reads(kind, PROFILES_PATH),
        _declare(
            "POST",
            PROFILES_PATH,
            create_profile,
            "Add a person to an application (Binti makes them only with the application)",
            "create_user_agency_profile",
            kind.table,
            access=UPDATERS,
            reader=_new_profile_reader,
            request_schema=profile_body(types),
            output=single(RECORD_RESOURCES[kind.table]),
            status=201,
            headers=tuple(idempotency.OPENAPI["parameters"]),
        ),
        *_updates(kind, PROFILES_PATH, types, ("PUT",), reader),
    ]


def record_endpoints(
    kind: RecordKind, path: str, create_types: tuple[str, ...], put: bool = False
) -> list[Endpoint]:
    """List, create, show and update of one kind of record; ``put``: the update answers PUT as
    well as PATCH (Binti updates with PUT), the same handler with the same meaning: only the
    attributes sent change."""
    read_types = (*create_types, kind.generic_type) if kind.generic_type else create_types
    one = single(RECORD_RESOURCES[kind.table])
    noun, tag = kind.noun.replace(" ", "_"), kind.table
    updates = [("PATCH", f"update_{noun}"), *([("PUT", f"put_{noun}")] if put else [])]
    update = _record_updater(kind)  # one handler, whichever method
    return [
        *_reads(kind, path),
        _declare(
            "POST",
            path,
            _record_creator(kind, path),
            f"Create a {kind.noun}",
            f"create_{noun}",
            tag,
            access=UPDATERS,
            reader=_creation_reader(kind, create_types),
            request_schema=_creation_body(kind, create_types),
            output=one,
            status=201,
            headers=tuple(idempotency.OPENAPI["parameters"]),
        ),
        *(
            _declare(
                method,
                path + "/{record_id}",
                update,
                f"Update a {kind.noun} (only the attributes sent change)",
                name,
                tag,
                guard=_update_access(kind),
                reader=_update_reader(kind, read_types),
                request_schema=_update_body(kind, read_types),
                output=one,
            )
            for method, name in updates
        ),
    ]


# --- worker assignments ------------------------------------------------------------------------


def _assignments(
    call: Call,
    page: Page,
    related: dict[RecordKind, list[Row]],
    url: URL,
    status: int,
) -> Response:
    query: AssignmentPageQuery = call.query
    base = _base(call)
    resources = [render.assignment(row, base) for row in page.items]
    document = jsonapi.collection(page, url, query.asked_order, resources)
    if query.wanted:
        document["included"] = render.included(related, base)
    return jsonapi.response(document, status)


async def list_assignments(call: Call) -> Response:
    query: AssignmentListQuery = call.query
    page, related = await service.assignments_with_included(
        call.state.db, call.caller, query.conditions(), query.order, query.page, query.wanted
    )
    return _assignments(call, page, related, _url(call.scope), 200)


async def show_assignment(call: Call) -> Response:
    query: IncludeQuery = call.query
    wanted = query.wanted
    row, related = await service.assignment_with_included(
        call.state.db, call.caller, call.path["assignment_id"], wanted
    )
    base = _base(call)
    document: dict[str, Any] = {"data": render.assignment(row, base)}
    if wanted:
        document["included"] = render.included(related, base)
    return jsonapi.response(document)


async def delete_assignment(call: Call) -> Response:
    await service.delete_assignment(call.state.db, call.caller, call.path["assignment_id"])
    return Response(status_code=204)


ASSIGNMENT_EXPORT = "worker-assignments"


def export_assignments(call: Call) -> AsyncIterator[StreamedRows]:
    query: AssignmentListQuery = call.query
    return service.export_assignments(call.state.db, call.caller, query.conditions(), query.order)


def _subject_export(column: str) -> Export:
    def rows(call: Call) -> AsyncIterator[StreamedRows]:
        query: ChildAssignmentsQuery | ApplicationAssignmentsQuery = call.query
        subject = Subject(column, call.path["record_id"], from_path=True)
        return service.export_assignments(
            call.state.db, call.caller, query.conditions(), query.order, subject
        )

    return Export(ASSIGNMENT_EXPORT, rows)


def _subject_list(column: str) -> Handler:
    async def list_of_subject(call: Call) -> Response:
        query: ChildAssignmentsQuery | ApplicationAssignmentsQuery = call.query
        subject = Subject(column, call.path["record_id"], from_path=True)
        page, related = await service.assignments_with_included(
            call.state.db,
            call.caller,
            query.conditions(),
            query.order,
            query.page,
            query.wanted,
            subject,
        )
        return _assignments(call, page, related, _url(call.scope), 200)

    return list_of_subject


def _assignment_reader(column: str | None, many: bool) -> BodyReader:
    """A create's document: one resource object, or (``many``) an array of them; the child or
    application from the path (``column``), or else from the body."""

    async def read_assignments(request: Request) -> tuple[Subject, list[Wanted]]:
        document = await read_document(request)
        in_path = (
            None
            if column is None
            else Subject(column, request.path_params["record_id"], from_path=True)
        )
        return assignment_request(document, in_path, many)

    return read_assignments


def _limits(settings: Settings) -> dict[WorkerRole, int]:
    return settings.role_limits()


def _subject_path(subject: Subject) -> str:
    collection = "children" if subject.column == "child_id" else "applications"
    return f"/api/v1/{collection}/{subject.record_id}/relationships/worker_assignments"


async def create_assignments(call: Call) -> Response:
    """Create, then answer with the subject's assignments: 201 if anything was made, else 200.

    The answer's page, sort and include were read before the body: a query that cannot be
    answered is refused before anything is written, not after.
    """
    query: AssignmentPageQuery = call.query
    subject, wanted = call.body
    db, caller = call.state.db, call.caller
    created = await service.assign(db, caller, subject, wanted, _limits(call.state.settings))
    filters = {"role": WorkerRole.CASE_CARRYING} if subject.column == "child_id" else {}
    page, related = await service.assignments_with_included(
        db, caller, filters, query.order, query.page, query.wanted, subject
    )
    scope = call.scope
    url = origins_of(scope).url(scope, _subject_path(subject), "")
    return _assignments(call, page, related, url, 201 if created else 200)


def assignment_endpoints() -> list[Endpoint]:
    """The reads first: the router tries routes in order, and these are the hottest."""
    page_schema = page_of(ASSIGNMENT_RESOURCE, included=ASSIGNMENT_INCLUDED)
    return [*_assignment_reads(page_schema), *_assignment_writes(page_schema)]


def _assignment_reads(page_schema: dict[str, Any]) -> list[Endpoint]:
    return [
        _declare(
            "GET",
            ASSIGNMENT,
            show_assignment,
            "Show a worker assignment",
            "show_worker_assignment",
            ASSIGNMENTS_TAG,
            IncludeQuery,
            output=single(ASSIGNMENT_RESOURCE, included=ASSIGNMENT_INCLUDED),
        ),
        *(
            _declare(
                "GET",
                _nested(collection),
                _subject_list(column),
                f"List the worker assignments of one of the {collection}",
                f"list_{collection}_worker_assignments",
                ASSIGNMENTS_TAG,
                SUBJECT_LIST_QUERIES[column],
                output=page_schema,
                export=_subject_export(column),
            )
            for collection, column in SUBJECTS
        ),
        _declare(
            "GET",
            ASSIGNMENTS,
            list_assignments,
            "List worker assignments",
            "list_worker_assignments",
            ASSIGNMENTS_TAG,
            AssignmentListQuery,
            output=page_schema,
            export=Export(ASSIGNMENT_EXPORT, export_assignments),
        ),
    ]


def _assignment_writes(page_schema: dict[str, Any]) -> list[Endpoint]:
    writes = [
        _declare(
            "POST",
            ASSIGNMENTS,
            create_assignments,
            "Assign a worker to a child or an application (201; 200 when nothing was new)",
            "create_worker_assignment",
            ASSIGNMENTS_TAG,
            AssignmentPageQuery,
            access=UPDATERS,
            reader=_assignment_reader(None, many=False),
            request_schema=assignment_body(subject_in_body=True, many=False),
            output=page_schema,
            status=201,
            other_statuses=(200,),
        ),
        _declare(
            "DELETE",
            ASSIGNMENT,
            delete_assignment,
            "Delete a worker assignment",
            "delete_worker_assignment",
            ASSIGNMENTS_TAG,
            status=204,
        ),
    ]
    for collection, column in SUBJECTS:
        kind = records.CHILDREN if column == "child_id" else records.APPLICATIONS
        many = column == "application_id"
        writes.append(
            _declare(
                "POST",
                _nested(collection),
                create_assignments,
                f"Assign workers to one of the {collection}",
                f"create_{collection}_worker_assignments",
                ASSIGNMENTS_TAG,
                AssignmentPageQuery,
                guard=_update_access(kind),
                reader=_assignment_reader(column, many),
                request_schema=assignment_body(subject_in_body=False, many=many),
                output=page_schema,
                status=201,
                other_statuses=(200,),
            )
        )
    return writes


def _nested(collection: str) -> str:
    return f"/api/v1/{collection}/{{record_id}}/relationships/worker_assignments"


# --- caseloads ---------------------------------------------------------------------------------

WORKERS_PATH = "/api/v1/agency_workers"
CASELOADS_PATH = "/api/v1/worker_caseloads"
CASELOADS_TAG = "worker caseloads"


async def _check_source(call: Call) -> None:
    await caseload_transfers.check_source(call.state.db, call.caller, call.path["record_id"])


async def _transfer_reader(request: Request) -> caseload_transfers.Transfer:
    return caseload_transfer(await read_document(request))


async def transfer_caseload(call: Call) -> Response:
    """200 with one result per assignment of the source worker in the roles asked for."""
    transfer: caseload_transfers.Transfer = call.body
    source_id = call.path["record_id"]
    results = await caseload_transfers.transfer_caseload(
        call.state.db, call.caller, source_id, transfer, _limits(call.state.settings)
    )
    moved = sum(result.outcome is caseload_transfers.Outcome.MOVED for result in results)
    meta = {
        "source-worker": source_id,
        "target-worker": transfer.target_id,
        "dry-run": transfer.dry_run,
        "send-notification": transfer.notify,
        "moved": moved,
        "results": [render.transfer_result(result) for result in results],
    }
    return jsonapi.response({"meta": meta, "links": {"self": str(_url(call.scope))}})


async def list_caseloads(call: Call) -> Response:
    query: RecordListQuery = call.query
    page = await worker_caseloads.list_caseloads(
        call.state.db, call.caller, query.order, query.page
    )
    base = _base(call)
    resources = [render.caseload(row, base) for row in page.items]
    return jsonapi.response(
        jsonapi.collection(page, _url(call.scope), query.asked_order, resources)
    )


def export_caseloads(call: Call) -> AsyncIterator[StreamedRows]:
    query: RecordListQuery = call.query
    return worker_caseloads.export_caseloads(call.state.db, call.caller, query.order)


async def show_caseload(call: Call) -> Response:
    row = await worker_caseloads.get_caseload(call.state.db, call.caller, call.path["record_id"])
    return jsonapi.response({"data": render.caseload(row, _base(call))})


def caseload_endpoints() -> list[Endpoint]:
    return [
        _declare(
            "POST",
            WORKERS_PATH + "/{record_id}/transfer",
            transfer_caseload,
            "Move a worker's assignments in some roles to another worker (one result each)",
            "transfer_agency_worker_caseload",
            CASELOADS_TAG,
            access=UPDATERS,
            guard=_check_source,
            reader=_transfer_reader,
            request_schema=transfer_body(),
            output=TRANSFER_ANSWER,
        ),
        _declare(
            "GET",
            CASELOADS_PATH,
            list_caseloads,
            "List the agency workers' caseloads: assignments by role, and the limit",
            "list_worker_caseloads",
            CASELOADS_TAG,
            RecordListQuery,
            output=page_of(CASELOAD_RESOURCE),
            export=Export("worker-caseloads", export_caseloads),
        ),
        _declare(
            "GET",
            CASELOADS_PATH + "/{record_id}",
            show_caseload,
            "Show an agency worker's caseload",
            "show_worker_caseload",
            CASELOADS_TAG,
            RecordShowQuery,
            output=single(CASELOAD_RESOURCE),
        ),
    ]


def endpoints() -> list[Endpoint]:
    """The child-welfare endpoints, each declared once."""
    return [
        *assignment_endpoints(),
        *record_endpoints(records.WORKERS, WORKERS_PATH, ("agency-workers",)),
        *caseload_endpoints(),
        *record_endpoints(records.CHILDREN, "/api/v1/children", ("children",), put=True),
        *application_endpoints(),
        *profile_endpoints(),
    ]
