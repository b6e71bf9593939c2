"""SQL of the child-welfare records, and nothing else. Every statement filters by agency."""

from __future__ import annotations

from typing import Any

from caseworks.core.counting import totals
from caseworks.core.pagination import PageRequest
from caseworks.db import Executor, Row

# Each table's columns as the API shows them; the keys of RESOURCES are the only tables used.
RESOURCES: dict[str, tuple[str, ...]] = {
    "agency_workers": (
        "name",
        "email",
        "active",
        "assignable_roles",
        "external_identifier",
    ),
    "children": (
        "first_name",
        "middle_name",
        "last_name",
        "date_of_birth",
        "client_id",
        "external_identifier",
    ),
    "applications": ("kind", "status", "applicant_name"),
}

# What a caseworker may read: the children and applications its worker is assigned to.
_READABLE = {
    "children": (
        "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = r.agency_id"
        " AND mine.child_id = r.id AND mine.worker_id = :reader)"
    ),
    "applications": (
        "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = r.agency_id"
        " AND mine.application_id = r.id AND mine.worker_id = :reader)"
    ),
    "agency_workers": "TRUE",
}
_ORDER = {
    "created_at": "r.created_at, r.id",
    "-created_at": "r.created_at DESC, r.id DESC",
    "updated_at": "r.updated_at, r.id",
    "-updated_at": "r.updated_at DESC, r.id DESC",
}


def _table(table: str) -> str:
    if table not in RESOURCES:
        raise ValueError(table)
    return table


def _columns(table: str) -> str:
    return ", ".join(
        ["r.id", *(f"r.{c}" for c in RESOURCES[_table(table)]), "r.created_at", "r.updated_at"]
    )


# A child's full name as it reads: the parts it has, one space between each.
_CHILD_FULL_NAME = (
    "COALESCE(r.first_name, '') || ' ' || COALESCE(r.middle_name || ' ', '') || r.last_name"
)


def _containing(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, in any case, its wildcards taken as written."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def for_update(db: Executor) -> str:
    return " FOR UPDATE" if db.dialect == "postgresql" else ""


async def list_records(
    db: Executor,
    table: str,
    agency_id: str,
    reader: str | None,
    sort: str,
    page: PageRequest,
    full_name_contains: str = "",
) -> tuple[list[Row], int]:
    """A page of one table; of children, only those whose full name holds ``full_name_contains``
    (when given), in any case."""
    clauses = ["r.agency_id = :agency_id"]
    params: dict[str, Any] = {"agency_id": agency_id}
    if reader is not None:
        clauses.append(_READABLE[_table(table)])
        params["reader"] = reader
    if full_name_contains:
        if table != "children":
            raise ValueError(f"{table} have no full name")
        clauses.append(f"lower({_CHILD_FULL_NAME}) LIKE :name_pattern ESCAPE '\\'")
        params["name_pattern"] = _containing(full_name_contains)
    from_where = f"FROM {_table(table)} r WHERE {' AND '.join(clauses)}"
    rows = await db.fetch_all(
        f"SELECT {_columns(table)} {from_where} ORDER BY {_ORDER[sort]}"
        " LIMIT :limit OFFSET :offset",
        {**params, "limit": page.size, "offset": page.offset},
    )
    return rows, await totals.count(db, from_where, params)


async def get_record(
    db: Executor, table: str, agency_id: str, record_id: str, reader: str | None, lock: bool = False
) -> Row | None:
    where = "r.agency_id = :agency_id AND r.id = :id"
    params: dict[str, Any] = {"agency_id": agency_id, "id": record_id}
    if reader is not None:
        where += " AND " + _READABLE[_table(table)]
        params["reader"] = reader
    locking = for_update(db) if lock else ""
    return await db.fetch_one(
        f"SELECT {_columns(table)} FROM {_table(table)} r WHERE {where}{locking}", params
    )


async def insert_record(db: Executor, table: str, values: dict[str, Any]) -> None:
    names = ["agency_id", "id", *RESOURCES[_table(table)], "created_at", "updated_at"]
    await db.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        {name: values.get(name) for name in names},
    )


async def update_record(
    db: Executor, table: str, agency_id: str, record_id: str, changes: dict[str, Any]
) -> None:
    allowed = RESOURCES[_table(table)]
    unknown = set(changes) - {*allowed, "updated_at"}
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = :{name}" for name in changes)
    await db.execute(
        f"UPDATE {table} SET {assignments} WHERE agency_id = :agency_id AND id = :id",
        {**changes, "agency_id": agency_id, "id": record_id},
    )


# --- worker assignments ------------------------------------------------------------------------

_ASSIGNMENT_COLUMNS = """
    wa.id, wa.worker_id, wa.role, wa.child_id, wa.application_id, ap.kind AS application_kind,
    wa.created_by, wa.created_at, wa.updated_at
"""
_ASSIGNMENT_FROM = """
FROM worker_assignments wa
LEFT JOIN applications ap ON ap.agency_id = wa.agency_id AND ap.id = wa.application_id
"""
# A caseworker reads the assignments on the children and applications its worker is assigned to.
_ASSIGNMENT_READABLE = (
    "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = wa.agency_id"
    " AND mine.worker_id = :reader AND (mine.child_id = wa.child_id"
    " OR mine.application_id = wa.application_id))"
)
_ASSIGNMENT_ORDER = {
    "created_at": "wa.created_at, wa.id",
    "-created_at": "wa.created_at DESC, wa.id DESC",
    "updated_at": "wa.updated_at, wa.id",
    "-updated_at": "wa.updated_at DESC, wa.id DESC",
}
_ASSIGNMENT_FILTERS = {
    "child_id": "wa.child_id = :child_id",
    "application_id": "wa.application_id = :application_id",
    "role": "wa.role = :role",
    "created_from": "wa.created_at >= :created_from",
    "created_before": "wa.created_at < :created_before",
}


async def list_assignments(
    db: Executor,
    agency_id: str,
    reader: str | None,
    filters: dict[str, Any],
    sort: str,
    page: PageRequest,
) -> tuple[list[Row], int]:
    clauses = ["wa.agency_id = :agency_id"]
    params: dict[str, Any] = {"agency_id": agency_id}
    if reader is not None:
        clauses.append(_ASSIGNMENT_READABLE)
        params["reader"] = reader
    for name, value in filters.items():
        if value is not None:
            clauses.append(_ASSIGNMENT_FILTERS[name])
            params[name] = value
    where = " AND ".join(clauses)
    rows = await db.fetch_all(
        f"SELECT {_ASSIGNMENT_COLUMNS} {_ASSIGNMENT_FROM} WHERE {where}"
        f" ORDER BY {_ASSIGNMENT_ORDER[sort]} LIMIT :limit OFFSET :offset",
        {**params, "limit": page.size, "offset": page.offset},
    )
    total = await totals.count(db, f"FROM worker_assignments wa WHERE {where}", params)
    return rows, total


async def get_assignment(
    db: Executor, agency_id: str, assignment_id: str, reader: str | None
) -> Row | None:
    where = "wa.agency_id = :agency_id AND wa.id = :id"
    params: dict[str, Any] = {"agency_id": agency_id, "id": assignment_id}
    if reader is not None:
        where += " AND " + _ASSIGNMENT_READABLE
        params["reader"] = reader
    return await db.fetch_one(
        f"SELECT {_ASSIGNMENT_COLUMNS} {_ASSIGNMENT_FROM} WHERE {where}", params
    )


async def holders(db: Executor, agency_id: str, subject: str, subject_id: str) -> list[Row]:
    """Who holds which role on a child or an application (``subject`` is the column)."""
    if subject not in ("child_id", "application_id"):
        raise ValueError(subject)
    return await db.fetch_all(
        f"SELECT id, worker_id, role FROM worker_assignments"
        f" WHERE agency_id = :agency_id AND {subject} = :subject_id",
        {"agency_id": agency_id, "subject_id": subject_id},
    )


async def insert_assignment(db: Executor, values: dict[str, Any]) -> None:
    await db.execute(
        """
        INSERT INTO worker_assignments (agency_id, id, worker_id, role, child_id, application_id,
                                        created_by, created_at, updated_at)
        VALUES (:agency_id, :id, :worker_id, :role, :child_id, :application_id,
                :created_by, :now, :now)
        """,
        values,
    )


async def delete_assignment(db: Executor, agency_id: str, assignment_id: str) -> None:
    await db.execute(
        "DELETE FROM worker_assignments WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": assignment_id},
    )


async def token_name(db: Executor, token_id: str) -> str | None:
    name: str | None = await db.fetch_value(
        "SELECT name FROM api_tokens WHERE id = :id", {"id": token_id}
    )
    return name
