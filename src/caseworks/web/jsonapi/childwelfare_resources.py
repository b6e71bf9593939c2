"""Rows as JSON:API resource objects: kebab-case attribute names, roles with underscores, and
``links.self``, the resource's absolute URL.

A record's attributes are its model's (``childwelfare_models.RECORD_MODELS``), so a new attribute
is shown without a change here. ``base`` is the API's absolute root for the request
(`api_base`), made once per request, so a resource's link costs one format.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Scope

from caseworks.childwelfare import records
from caseworks.childwelfare.caseload_transfers import ItemResult
from caseworks.childwelfare.childwelfare_models import (
    DERIVED_MODELS,
    PROFILE_APPLICATIONS,
    RECORD_MODELS,
    SHOWN_MODELS,
    attribute_names,
)
from caseworks.childwelfare.terms import (
    ANY_APPLICATION_TYPE,
    APPLICATION_TYPES,
    CREATABLE_ROLES,
    PROFILES_TYPE,
    ApplicationKind,
)
from caseworks.db import Row
from caseworks.web.jsonapi.documents import Resource, linkage
from caseworks.web.jsonapi.names import member_name
from caseworks.web.origin import origins_of

WORKERS, CHILDREN, ASSIGNMENTS = "agency-workers", "children", "worker-assignments"
CASELOADS = "worker-caseloads"
# A caseload's counts, one per role the API assigns: (column, member).
_CASELOAD_COUNTS = tuple((role.value, member_name(role.value)) for role in CREATABLE_ROLES)
PROFILES = PROFILES_TYPE
# A relationship may name an application by its own type or by the type of either kind.
APPLICATION_LINKAGE_TYPES = (ANY_APPLICATION_TYPE, *APPLICATION_TYPES)
_APPLICATION_TYPE = {kind.value: kind.resource_type for kind in ApplicationKind}
# Each table's columns shown as attributes, with their member names: made once, used per row.
_MEMBERS = {
    table: tuple(
        (name, member_name(name))
        for name in (
            *attribute_names(model),
            *(attribute_names(DERIVED_MODELS[table]) if table in DERIVED_MODELS else ()),
            "created_at",
            "updated_at",
        )
    )
    for table, model in RECORD_MODELS.items()
}


# How each attribute of SHOWN_MODELS is computed from a row (managers of supervisors are read
# with the supervisors); a shown attribute without its rule here fails at import.
_COMPUTE: dict[str, Callable[[Row], object]] = {
    "managers_of_supervisors": lambda row: row["managers_of_supervisors"],
    "sign_in_count": lambda row: 0,
    "type": lambda row: ApplicationKind(row["kind"]).binti_type,
    "roles": lambda row: [row["role"]],
}
_SHOWN = {
    table: tuple((member_name(name), _COMPUTE[name]) for name in attribute_names(model))
    for table, model in SHOWN_MODELS.items()
}


def api_base(scope: Scope) -> str:
    """The absolute URL of /api/v1 for this request (the public URL when one is set)."""
    return f"{origins_of(scope).root(scope)}/api/v1/"


def attributes(table: str, row: Row) -> dict[str, object]:
    """The attributes of a record's resource object: its model's, when it was made and last
    changed, and those computed from the row."""
    shown = {member: row[name] for name, member in _MEMBERS[table]}
    for member, compute in _SHOWN.get(table, ()):
        shown[member] = compute(row)
    return shown


def application_type(kind: str) -> str:
    return _APPLICATION_TYPE[kind]


def _type_of(kind: records.RecordKind, row: Row) -> str:
    if kind is records.APPLICATIONS:
        return application_type(row["kind"])
    if kind is records.PROFILES:
        return PROFILES
    return WORKERS if kind is records.WORKERS else CHILDREN


def record(kind: records.RecordKind, row: Row, base: str) -> Resource:
    """A record of ``kind`` as its resource object."""
    record_id = row["id"]
    resource: Resource = {
        "type": _type_of(kind, row),
        "id": record_id,
        "attributes": attributes(kind.table, row),
        # Each collection's path is its table's name: /api/v1/applications/{id} for both kinds.
        "links": {"self": f"{base}{kind.table}/{record_id}"},
    }
    if kind is records.APPLICATIONS:
        resource["relationships"] = {
            records.APPLICANT: linkage(PROFILES, row[records.APPLICANT_COLUMN]),
            records.CO_APPLICANT: linkage(PROFILES, row[records.CO_APPLICANT_COLUMN]),
        }
    elif kind is records.PROFILES:
        resource["relationships"] = _profile_relationships(row)
    return resource


def _profile_relationships(row: Row) -> dict[str, object]:
    """The profile's application: as ``application``, and in Binti's list for its role (the
    others empty)."""
    application = {"type": application_type(row["application_kind"]), "id": row["application_id"]}
    relationships: dict[str, object] = {
        name: {"data": [application] if row["role"] == role else []}
        for role, name in PROFILE_APPLICATIONS.items()
    }
    relationships["application"] = {"data": application}
    return relationships


def included(related: dict[records.RecordKind, list[Row]], base: str) -> list[Resource]:
    """The ``included`` member of a compound document: the related records, rendered."""
    return [record(kind, row, base) for kind, rows in related.items() for row in rows]


def assignment(row: Row, base: str) -> Resource:
    relationships = {"worker": linkage(WORKERS, row["worker_id"])}
    if row["child_id"] is not None:
        relationships["child"] = linkage(CHILDREN, row["child_id"])
    else:
        relationships["application"] = linkage(
            application_type(row["application_kind"]), row["application_id"]
        )
    # The application's applicant (null on a child's assignment, or with no applicant).
    relationships["applicant-profile"] = linkage(PROFILES, row[records.APPLICANT_COLUMN])
    return {
        "type": ASSIGNMENTS,
        "id": row["id"],
        "attributes": {
            "role": row["role"],
            "created-at": row["created_at"],
            "updated-at": row["updated_at"],
        },
        "relationships": relationships,
        "links": {"self": f"{base}worker_assignments/{row['id']}"},
    }


def caseload(row: Row, base: str) -> Resource:
    """A worker's caseload: its counts by role and its limit; its id is the worker's."""
    worker_id = row["id"]
    counts: dict[str, object] = {member: row[column] for column, member in _CASELOAD_COUNTS}
    return {
        "type": CASELOADS,
        "id": worker_id,
        "attributes": {**counts, "max-case-carrying": row["max_case_carrying"]},
        "relationships": {"worker": linkage(WORKERS, worker_id)},
        "links": {"self": f"{base}worker_caseloads/{worker_id}"},
    }


def transfer_result(result: ItemResult) -> dict[str, object]:
    """One item of a caseload transfer's ``meta.results``."""
    subject = result.subject
    return {
        "worker-assignment-id": result.assignment_id,
        "role": result.role.value,
        "child-id": subject.record_id if subject.column == "child_id" else None,
        "application-id": subject.record_id if subject.column == "application_id" else None,
        "result": result.outcome.value,
        "detail": result.detail,
        "new-worker-assignment-id": result.new_assignment_id,
    }
