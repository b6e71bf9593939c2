"""SQL of the child-welfare records, and nothing else. Every statement filters by agency.

Reads take the caller's scope (``policy.CaseworkScope``) and turn it into conditions here; why a
scope is limited is the policy's business, not this module's. Each table's columns are its
model's attributes (``childwelfare_models.RECORD_MODELS``). The statements are built by public
functions, so the benchmark's raw app runs the very same SQL.
"""

from __future__ import annotations

from typing import Any

from caseworks.auth.policy import CaseworkScope
from caseworks.childwelfare.childwelfare_models import (
    DERIVED_MODELS,
    RECORD_MODELS,
    attribute_names,
    list_attributes,
)
from caseworks.core.pagination import PageRequest
from caseworks.core.sort_keys import SortKey
from caseworks.db import Executor, Row

Statement = tuple[str, dict[str, Any]]  # SQL with :name parameters, and their values

# Columns beside a table's attributes: an application's kind is its type, and the records a row
# points at are relationships.
_NOT_ATTRIBUTES = {
    "applications": ("kind", "applicant_profile_id"),
    "user_agency_profiles": ("application_id",),
}
# Each table's columns as the API shows them (those clients write, then those they only read);
# the keys of RESOURCES are the only tables used.
RESOURCES: dict[str, tuple[str, ...]] = {
    table: (
        *_NOT_ATTRIBUTES.get(table, ()),
        *attribute_names(model),
        *(attribute_names(DERIVED_MODELS[table]) if table in DERIVED_MODELS else ()),
    )
    for table, model in RECORD_MODELS.items()
}
# Read with a profile: the kind of its application, which names the application's type.
_JOINED = {
    "user_agency_profiles": (
        "(SELECT a.kind FROM applications a WHERE a.agency_id = r.agency_id"
        " AND a.id = r.application_id) AS application_kind",
    )
}
# Attributes holding a list are stored as one text: the items, sorted, joined by commas.
_LISTS = {table: list_attributes(model) for table, model in RECORD_MODELS.items()}

# A scope limited to one worker (``:scope_worker``) holds the records that worker is assigned to;
# agency workers themselves are not limited by it.
_ASSIGNED_TO_SCOPE_WORKER = {
    "children": (
        "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = r.agency_id"
        " AND mine.child_id = r.id AND mine.worker_id = :scope_worker)"
    ),
    "applications": (
        "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = r.agency_id"
        " AND mine.application_id = r.id AND mine.worker_id = :scope_worker)"
    ),
    # A person of an application's household is read through the application, like a child.
    "user_agency_profiles": (
        "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = r.agency_id"
        " AND mine.application_id = r.application_id AND mine.worker_id = :scope_worker)"
    ),
}
_FULL_NAME = (
    "COALESCE(r.first_name, '') || ' ' || COALESCE(r.middle_name || ' ', '') || r.last_name"
)
# Filters of a record list with a rule of their own, by name; any other filter is named after
# a column of the table and matches its value exactly.
_RECORD_FILTERS = {
    "full_name_contains": f"lower({_FULL_NAME}) LIKE :full_name_contains ESCAPE '\\'",
    "updated_from": "r.updated_at >= :updated_from",
    "updated_before": "r.updated_at < :updated_before",
    "application_status": (
        "EXISTS (SELECT 1 FROM applications a WHERE a.agency_id = r.agency_id"
        " AND a.id = r.application_id AND a.status = :application_status)"
    ),
}
_CONTAINS = {"full_name_contains"}
# Columns that are never NULL; any other sorts its NULLs last in both directions, spelled out
# because PostgreSQL and SQLite differ in what they do unasked.
_NEVER_NULL = {"created_at", "updated_at", "id"}


def _table(table: str) -> str:
    if table not in RESOURCES:
        raise ValueError(table)
    return table


def _columns(table: str) -> str:
    return ", ".join(
        [
            "r.id",
            *(f"r.{c}" for c in RESOURCES[_table(table)]),
            "r.created_at",
            "r.updated_at",
            *_JOINED.get(table, ()),
        ]
    )


def _order(table: str, keys: list[SortKey]) -> str:
    """ORDER BY for ``keys`` (columns of ``table``), the last ties broken by id in the last
    key's direction (as if id were the next key)."""
    known = {*RESOURCES[_table(table)], *_NEVER_NULL}
    terms = []
    for column, direction in keys:
        if column not in known:
            raise ValueError(column)
        nulls = "" if column in _NEVER_NULL else " NULLS LAST"
        terms.append(f"r.{column} {direction.upper()}{nulls}")
    terms.append(f"r.id {keys[-1][1].upper() if keys else 'ASC'}")
    return ", ".join(terms)


def _filter(table: str, name: str) -> str:
    if name in _RECORD_FILTERS:
        return _RECORD_FILTERS[name]
    if name not in RESOURCES[_table(table)]:
        raise ValueError(name)
    return f"r.{name} = :{name}"


def for_update(db: Executor) -> str:
    return " FOR UPDATE" if db.dialect == "postgresql" else ""


def _in_scope(table: str, scope: CaseworkScope, params: dict[str, Any]) -> list[str]:
    """The conditions that keep a read of ``table`` (as ``r``) within ``scope``."""
    params["agency_id"] = scope.agency_id
    clauses = ["r.agency_id = :agency_id"]
    if scope.worker_id is not None and table in _ASSIGNED_TO_SCOPE_WORKER:
        clauses.append(_ASSIGNED_TO_SCOPE_WORKER[table])
        params["scope_worker"] = scope.worker_id
    return clauses


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, in any case, its wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _stored(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Attribute values as the columns hold them."""
    for name in _LISTS[table]:
        if values.get(name) is not None:
            values[name] = ",".join(sorted(set(values[name])))
    return values


def _read(table: str, row: Row | None) -> Row | None:
    """A row with its attributes as the model holds them."""
    if row is not None:
        for name in _LISTS[table]:
            row[name] = [item for item in row[name].split(",") if item]
    return row


def record_statement(
    table: str, scope: CaseworkScope, record_id: str, locking: str = ""
) -> Statement:
    """One record within ``scope``; ``locking`` is ``for_update(db)`` to hold it."""
    params: dict[str, Any] = {"id": record_id}
    where = " AND ".join([*_in_scope(_table(table), scope, params), "r.id = :id"])
    return f"SELECT {_columns(table)} FROM {table} r WHERE {where}{locking}", params


async def list_records(
    db: Executor,
    table: str,
    scope: CaseworkScope,
    order: list[SortKey],
    page: PageRequest,
    filters: dict[str, Any] | None = None,
) -> tuple[list[Row], int]:
    """A page of one table within ``scope``, in ``order``; ``filters`` by name (a filter given
    as None or empty text is not applied)."""
    params: dict[str, Any] = {}
    clauses = _in_scope(_table(table), scope, params)
    for name, value in (filters or {}).items():
        if value is not None and value != "":
            clauses.append(_filter(table, name))
            params[name] = _contains(value) if name in _CONTAINS else value
    from_where = f"FROM {table} r WHERE {' AND '.join(clauses)}"
    rows = await db.fetch_all(
        f"SELECT {_columns(table)} {from_where} ORDER BY {_order(table, order)}"
        " LIMIT :limit OFFSET :offset",
        {**params, "limit": page.size, "offset": page.offset},
    )
    if _LISTS[table]:
        for row in rows:
            _read(table, row)
    return rows, await db.totals.count(db, from_where, params)


async def get_record(
    db: Executor, table: str, scope: CaseworkScope, record_id: str, lock: bool = False
) -> Row | None:
    sql, params = record_statement(table, scope, record_id, for_update(db) if lock else "")
    return _read(table, await db.fetch_one(sql, params))


async def insert_record(db: Executor, table: str, values: dict[str, Any]) -> None:
    """A new record: ``agency_id``, ``id``, its columns (those left out are NULL) and times."""
    names = ["agency_id", "id", *RESOURCES[_table(table)], "created_at", "updated_at"]
    await db.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        _stored(table, {name: values.get(name) for name in names}),
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
        _stored(table, {**changes, "agency_id": agency_id, "id": record_id}),
    )


# --- worker assignments ------------------------------------------------------------------------

_ASSIGNMENT_COLUMNS = """
    wa.id, wa.worker_id, wa.role, wa.child_id, wa.application_id, ap.kind AS application_kind,
    ap.applicant_profile_id, wa.created_by, wa.created_at, wa.updated_at
"""
_ASSIGNMENT_FROM = """
FROM worker_assignments wa
LEFT JOIN applications ap ON ap.agency_id = wa.agency_id AND ap.id = wa.application_id
"""
# In a scope limited to one worker: the assignments on the children and applications it holds.
_ASSIGNMENT_IN_SCOPE_WORKER = (
    "EXISTS (SELECT 1 FROM worker_assignments mine WHERE mine.agency_id = wa.agency_id"
    " AND mine.worker_id = :scope_worker AND (mine.child_id = wa.child_id"
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
INSERT_ASSIGNMENT = """
INSERT INTO worker_assignments (agency_id, id, worker_id, role, child_id, application_id,
                                created_by, created_at, updated_at)
VALUES (:agency_id, :id, :worker_id, :role, :child_id, :application_id, :created_by, :now, :now)
"""


def _assignments_in_scope(scope: CaseworkScope, params: dict[str, Any]) -> list[str]:
    params["agency_id"] = scope.agency_id
    clauses = ["wa.agency_id = :agency_id"]
    if scope.worker_id is not None:
        clauses.append(_ASSIGNMENT_IN_SCOPE_WORKER)
        params["scope_worker"] = scope.worker_id
    return clauses


def assignment_page_statement(
    scope: CaseworkScope, filters: dict[str, Any], sort: str, page: PageRequest
) -> tuple[Statement, Statement]:
    """A page of assignments within ``scope``, filtered by name; and the ``FROM … WHERE …`` of
    its total, with its parameters (for ``Totals.count``)."""
    params: dict[str, Any] = {}
    clauses = _assignments_in_scope(scope, params)
    for name, value in filters.items():
        if value is not None:
            clauses.append(_ASSIGNMENT_FILTERS[name])
            params[name] = value
    where = " AND ".join(clauses)
    sql = (
        f"SELECT {_ASSIGNMENT_COLUMNS} {_ASSIGNMENT_FROM} WHERE {where}"
        f" ORDER BY {_ASSIGNMENT_ORDER[sort]} LIMIT :limit OFFSET :offset"
    )
    page_params = {**params, "limit": page.size, "offset": page.offset}
    return (sql, page_params), (f"FROM worker_assignments wa WHERE {where}", params)


def assignment_statement(scope: CaseworkScope, assignment_id: str) -> Statement:
    params: dict[str, Any] = {"id": assignment_id}
    where = " AND ".join([*_assignments_in_scope(scope, params), "wa.id = :id"])
    return f"SELECT {_ASSIGNMENT_COLUMNS} {_ASSIGNMENT_FROM} WHERE {where}", params


def holders_statement(agency_id: str, subject: str, subject_id: str) -> Statement:
    """Who holds which role on a child or an application (``subject`` is the column)."""
    if subject not in ("child_id", "application_id"):
        raise ValueError(subject)
    return (
        "SELECT id, worker_id, role FROM worker_assignments"
        f" WHERE agency_id = :agency_id AND {subject} = :subject_id",
        {"agency_id": agency_id, "subject_id": subject_id},
    )


async def list_assignments(
    db: Executor,
    scope: CaseworkScope,
    filters: dict[str, Any],
    sort: str,
    page: PageRequest,
) -> tuple[list[Row], int]:
    (sql, params), (from_where, count_params) = assignment_page_statement(
        scope, filters, sort, page
    )
    rows = await db.fetch_all(sql, params)
    return rows, await db.totals.count(db, from_where, count_params)


async def get_assignment(db: Executor, scope: CaseworkScope, assignment_id: str) -> Row | None:
    return await db.fetch_one(*assignment_statement(scope, assignment_id))


async def holders(db: Executor, agency_id: str, subject: str, subject_id: str) -> list[Row]:
    """Who holds which role on a child or an application (``subject`` is the column)."""
    return await db.fetch_all(*holders_statement(agency_id, subject, subject_id))


async def insert_assignment(db: Executor, values: dict[str, Any]) -> None:
    await db.execute(INSERT_ASSIGNMENT, values)


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
