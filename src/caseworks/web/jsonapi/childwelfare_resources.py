"""Rows as JSON:API resource objects: kebab-case attribute names, roles with underscores."""

from __future__ import annotations

from typing import Any

from caseworks.childwelfare.terms import ANY_APPLICATION_TYPE, APPLICATION_TYPES, ApplicationKind
from caseworks.db import Row
from caseworks.web.jsonapi.documents import Resource, linkage
from caseworks.web.jsonapi.names import member_name

WORKERS, CHILDREN, ASSIGNMENTS = "agency-workers", "children", "worker-assignments"
# A relationship may name an application by its own type or by the type of either kind.
APPLICATION_LINKAGE_TYPES = (ANY_APPLICATION_TYPE, *APPLICATION_TYPES)


def _kebab(row: Row, names: tuple[str, ...]) -> dict[str, Any]:
    return {member_name(name): row[name] for name in names}


def roles(stored: str) -> list[str]:
    return [role for role in stored.split(",") if role]


def worker(row: Row) -> Resource:
    attributes = _kebab(row, ("name", "email", "external_identifier", "created_at", "updated_at"))
    attributes["active"] = bool(row["active"])
    attributes["assignable-roles"] = roles(row["assignable_roles"])
    return {"type": WORKERS, "id": row["id"], "attributes": attributes}


def child(row: Row) -> Resource:
    names = (
        "first_name",
        "middle_name",
        "last_name",
        "date_of_birth",
        "client_id",
        "external_identifier",
        "created_at",
        "updated_at",
    )
    return {"type": CHILDREN, "id": row["id"], "attributes": _kebab(row, names)}


def application_type(kind: str) -> str:
    return ApplicationKind(kind).resource_type


def application(row: Row) -> Resource:
    attributes = _kebab(row, ("status", "applicant_name", "created_at", "updated_at"))
    return {"type": application_type(row["kind"]), "id": row["id"], "attributes": attributes}


def assignment(row: Row) -> Resource:
    relationships = {"worker": linkage(WORKERS, row["worker_id"])}
    if row["child_id"] is not None:
        relationships["child"] = linkage(CHILDREN, row["child_id"])
    else:
        relationships["application"] = linkage(
            application_type(row["application_kind"]), row["application_id"]
        )
    return {
        "type": ASSIGNMENTS,
        "id": row["id"],
        "attributes": {
            "role": row["role"],
            "created-at": row["created_at"],
            "updated-at": row["updated_at"],
        },
        "relationships": relationships,
    }
