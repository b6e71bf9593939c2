"""HTTP shape of the JSON:API surface: read the document and query, call the service, render."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import URL
from starlette.responses import Response

from caseworks.auth import policy
from caseworks.auth.principal import Principal
from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare import records
from caseworks.childwelfare import worker_assignments as service
from caseworks.childwelfare.childwelfare_models import (
    AssignmentListQuery,
    AssignmentPageQuery,
    ChildListQuery,
    IncludeQuery,
    RecordListQuery,
    SubjectAssignmentsQuery,
)
from caseworks.childwelfare.records import RecordKind
from caseworks.childwelfare.terms import WorkerRole
from caseworks.childwelfare.worker_assignments import Subject
from caseworks.core.pagination import Page
from caseworks.db import Database, Executor
from caseworks.web import idempotency_header as idempotency
from caseworks.web.bearer import DB, Caller, allowed
from caseworks.web.endpoints import Endpoint
from caseworks.web.fastlane import FastRequest, FastRoute
from caseworks.web.jsonapi import childwelfare_resources as render
from caseworks.web.jsonapi import documents as jsonapi
from caseworks.web.jsonapi.childwelfare_documents import assignment_request, resource_attributes
from caseworks.web.jsonapi.childwelfare_openapi import (
    ASSIGNMENT_RESOURCE,
    RECORD_RESOURCES,
    assignment_body,
    doc,
    page_of,
    record_body,
    single,
)
from caseworks.web.jsonapi.reading import query_of, read_document
from caseworks.web.origin import origins_of

# Every query string is read by one of the models in casework.schemas before the service is
# called: a wrong value is 400 before a connection is taken or anything is written.
ASSIGN = "Assign a worker to a child or an application (201; 200 when nothing was new)"


# Creates and changes are for admins and supervisors: the role alone decides for a creating
# caller, and for a change the caller's view of the record decides between 403 and 404. Both are
# route dependencies, so they run before the handler reads the body.
UPDATERS = allowed(policy.require_casework_update)


def _update_access(kind: RecordKind) -> Any:
    async def check_update_access(db: DB, caller: Caller, record_id: str) -> None:
        await records.check_update_access(db, caller, kind, record_id)

    return Depends(check_update_access)


def _collection(request: Request, page: Page, sort: str, resources: list[jsonapi.Resource]) -> Any:
    return jsonapi.collection(page, origins_of(request.scope).url(request.scope), sort, resources)


# --- the records -------------------------------------------------------------------------------


def records_router(kind: RecordKind, path: str, create_types: tuple[str, ...]) -> APIRouter:
    router = APIRouter(prefix=path, tags=[kind.table])
    read_types = (*create_types, kind.generic_type) if kind.generic_type else create_types
    model = ChildListQuery if kind is records.CHILDREN else RecordListQuery
    one, page = single(RECORD_RESOURCES[kind.table]), page_of(RECORD_RESOURCES[kind.table])

    @router.get("", **doc(f"List {kind.table}", model, returns=page), name=f"list_{kind.table}")
    async def list_records(request: Request, db: DB, caller: Caller) -> Response:
        query = query_of(model, request.query_params)
        page = await records.list_records(
            db, caller, kind, query.sort, query.page, query.conditions()
        )
        resources = [render.record(kind, row) for row in page.items]
        return jsonapi.response(_collection(request, page, query.sort, resources))

    @router.post(
        "",
        status_code=201,
        **doc(
            f"Create a {kind.noun}",
            body=record_body(create_types, kind.create, update=False),
            success=(201,),
            returns=one,
            idempotent=True,
        ),
        name=f"create_{kind.table}",
        dependencies=[UPDATERS],
    )
    async def create_record(request: Request, db: DB, caller: Caller) -> Response:
        document = await read_document(request)
        resource_type, attributes = resource_attributes(
            document, create_types, kind.create, kind.table
        )
        extra = (
            {"kind": schemas.APPLICATION_TYPES[resource_type]}
            if kind is records.APPLICATIONS
            else {}
        )
        idempotent = await idempotency.of(request)
        row, replayed = await records.create_record(db, caller, kind, attributes, extra, idempotent)
        response = jsonapi.response({"data": render.record(kind, row)}, 201)
        response.headers.update(
            idempotency.created_headers(request, f"{path}/{row['id']}", replayed)
        )
        return response

    @router.get(
        "/{record_id}", **doc(f"Show a {kind.noun}", returns=one), name=f"show_{kind.table}"
    )
    async def show_record(db: DB, caller: Caller, record_id: str) -> Response:
        row = await records.get_record(db, caller, kind, record_id)
        return jsonapi.response({"data": render.record(kind, row)})

    @router.patch(
        "/{record_id}",
        **doc(
            f"Update a {kind.noun}",
            body=record_body(read_types, kind.update, update=True),
            returns=one,
        ),
        name=f"update_{kind.table}",
        dependencies=[_update_access(kind)],
    )
    async def update_record(request: Request, db: DB, caller: Caller, record_id: str) -> Response:
        document = await read_document(request)
        resource_type, attributes = resource_attributes(
            document, read_types, kind.update, kind.table, updating=record_id
        )
        row = await records.update_record(db, caller, kind, record_id, attributes, resource_type)
        return jsonapi.response({"data": render.record(kind, row)})

    return router


# --- worker assignments ------------------------------------------------------------------------


async def _assignments_document(
    query: AssignmentPageQuery, db: Executor, caller: Principal, page: Page, url: URL
) -> dict[str, Any]:
    resources = [render.assignment(row) for row in page.items]
    document = jsonapi.collection(page, url, query.sort, resources)
    if query.include:
        document["included"] = render.included(
            await service.included(db, caller, page.items, query.wanted)
        )
    return document


# The reads, shared by the FastAPI routes and the fast lane.


async def _list_all(
    db: Database, caller: Principal, query: AssignmentListQuery, url: URL
) -> Response:
    async with db.connection() as connection:
        page = await service.list_assignments(
            connection, caller, query.conditions(), query.sort, query.page
        )
        document = await _assignments_document(query, connection, caller, page, url)
    return jsonapi.response(document)


async def _show(
    db: Database, caller: Principal, assignment_id: str, query: IncludeQuery
) -> Response:
    row = await service.get_assignment(db, caller, assignment_id)
    document: dict[str, Any] = {"data": render.assignment(row)}
    if query.include:
        document["included"] = render.included(
            await service.included(db, caller, [row], query.wanted)
        )
    return jsonapi.response(document)


async def _subject_list(
    db: Database, caller: Principal, subject: Subject, query: SubjectAssignmentsQuery, url: URL
) -> Response:
    async with db.connection() as connection:  # the record, the page, its total: one checkout
        page = await service.subject_assignments(
            connection, caller, subject, query.conditions(), query.sort, query.page
        )
        document = await _assignments_document(query, connection, caller, page, url)
    return jsonapi.response(document)


def fast_routes() -> list[FastRoute]:
    """The hottest reads, also served by the fast lane."""
    base = "/api/v1/worker_assignments"
    routes = [
        FastRoute.of(
            base,
            lambda r: _list_all(r.db, r.caller, query_of(AssignmentListQuery, r.query), r.url),
            "raw",
        ),
        FastRoute.of(
            rf"{base}/(?P<assignment_id>[^/]+)",
            lambda r: _show(
                r.db, r.caller, r.path["assignment_id"], query_of(IncludeQuery, r.query)
            ),
            "raw",
        ),
    ]
    for collection, column in (("children", "child_id"), ("applications", "application_id")):
        routes.append(
            FastRoute.of(
                rf"/api/v1/{collection}/(?P<record_id>[^/]+)/relationships/worker_assignments",
                _subject_lister(column),
                "raw",
            )
        )
    return routes


def _subject_lister(column: str) -> Any:
    async def handle(r: FastRequest) -> Response:
        subject = Subject(column, r.path["record_id"], from_path=True)
        query = query_of(SubjectAssignmentsQuery, r.query)
        return await _subject_list(r.db, r.caller, subject, query, r.url)

    return handle


def _limits(request: Request) -> dict[WorkerRole, int]:
    limits: dict[WorkerRole, int] = request.app.state.settings.role_limits()
    return limits


def _subject_path(subject: Subject) -> str:
    collection = "children" if subject.column == "child_id" else "applications"
    return f"/api/v1/{collection}/{subject.record_id}/relationships/worker_assignments"


async def _create(
    request: Request, db: Database, caller: Principal, path_subject: Subject | None, many: bool
) -> Response:
    """Create, then answer with the subject's assignments: 201 if anything was made, else 200.

    The answer's page, sort and include are read first: a query that cannot be answered is
    refused before anything is written, not after.
    """
    query = query_of(AssignmentPageQuery, request.query_params)
    document = await read_document(request)
    subject, wanted = assignment_request(document, path_subject, many)
    created = await service.assign(db, caller, subject, wanted, _limits(request))
    filters = {"role": WorkerRole.CASE_CARRYING} if subject.column == "child_id" else {}
    page = await service.subject_assignments(db, caller, subject, filters, query.sort, query.page)
    url = origins_of(request.scope).url(request.scope, _subject_path(subject), "")
    document = await _assignments_document(query, db, caller, page, url)
    return jsonapi.response(document, 201 if created else 200)


def worker_assignments_router() -> APIRouter:
    router = APIRouter(tags=["worker assignments"])
    base = "/api/v1/worker_assignments"
    assignments = page_of(ASSIGNMENT_RESOURCE, included=True)

    @router.post(
        base,
        **doc(
            ASSIGN,
            AssignmentPageQuery,
            body=assignment_body(subject_in_body=True, many=False),
            success=(201, 200),
            returns=assignments,
        ),
        dependencies=[UPDATERS],
    )
    async def create(request: Request, db: DB, caller: Caller) -> Response:
        return await _create(request, db, caller, None, many=False)

    @router.get(base, **doc("List worker assignments", AssignmentListQuery, returns=assignments))
    async def list_all(request: Request, db: DB, caller: Caller) -> Response:
        query = query_of(AssignmentListQuery, request.query_params)
        return await _list_all(db, caller, query, origins_of(request.scope).url(request.scope))

    @router.get(
        base + "/{assignment_id}",
        **doc(
            "Show a worker assignment",
            IncludeQuery,
            returns=single(ASSIGNMENT_RESOURCE, included=True),
        ),
    )
    async def show(request: Request, db: DB, caller: Caller, assignment_id: str) -> Response:
        return await _show(db, caller, assignment_id, query_of(IncludeQuery, request.query_params))

    @router.delete(
        base + "/{assignment_id}",
        status_code=204,
        **doc("Delete a worker assignment", success=(204,)),
    )
    async def delete(db: DB, caller: Caller, assignment_id: str) -> Response:
        await service.delete_assignment(db, caller, assignment_id)
        return Response(status_code=204)

    for collection, column in (("children", "child_id"), ("applications", "application_id")):
        nested = f"/api/v1/{collection}/{{record_id}}/relationships/worker_assignments"
        router.add_api_route(
            nested,
            _nested_list(column),
            methods=["GET"],
            name=f"list_{collection}_worker_assignments",
            **doc(
                f"List the worker assignments of one of the {collection}",
                SubjectAssignmentsQuery,
                returns=assignments,
            ),
        )
        router.add_api_route(
            nested,
            _nested_create(column),
            methods=["POST"],
            name=f"create_{collection}_worker_assignments",
            dependencies=[
                _update_access(records.CHILDREN if column == "child_id" else records.APPLICATIONS)
            ],
            **doc(
                f"Assign workers to one of the {collection}",
                AssignmentPageQuery,
                body=assignment_body(subject_in_body=False, many=column == "application_id"),
                success=(201, 200),
                returns=assignments,
            ),
        )
    return router


def _nested_list(column: str) -> Any:
    async def list_of_subject(request: Request, db: DB, caller: Caller, record_id: str) -> Response:
        subject = Subject(column, record_id, from_path=True)
        query = query_of(SubjectAssignmentsQuery, request.query_params)
        url = origins_of(request.scope).url(request.scope)
        return await _subject_list(db, caller, subject, query, url)

    return list_of_subject


def _nested_create(column: str) -> Any:
    async def create_on_subject(
        request: Request, db: DB, caller: Caller, record_id: str
    ) -> Response:
        subject = Subject(column, record_id, from_path=True)
        return await _create(request, db, caller, subject, many=column == "application_id")

    return create_on_subject


def routers() -> list[APIRouter]:
    return [
        worker_assignments_router(),
        records_router(records.WORKERS, "/api/v1/agency_workers", ("agency-workers",)),
        records_router(records.CHILDREN, "/api/v1/children", ("children",)),
        records_router(
            records.APPLICATIONS,
            "/api/v1/applications",
            tuple(schemas.APPLICATION_TYPES),
        ),
    ]


def endpoints() -> list[Endpoint]:
    """The child-welfare endpoints, each declared once."""
    return []
