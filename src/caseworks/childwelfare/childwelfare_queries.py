"""SQL of the child-welfare records, and nothing else. Every statement filters by agency.

Reads take the caller's scope (``policy.CaseworkScope``) and turn it into conditions here; why a
scope is limited is the policy's business, not this module's. Each table's columns are its
model's attributes (``childwelfare_models.RECORD_MODELS``). The statements are built by public
functions, so the benchmark's raw app runs the very same SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import orjson

from caseworks.auth.policy import CaseworkScope
from caseworks.childwelfare.childwelfare_models import (
    DERIVED_MODELS,
    RECORD_MODELS,
    admits_null,
    attribute_names,
    list_attributes,
    object_attributes,
)
from caseworks.childwelfare.terms import CREATABLE_ROLES, WorkerRole
from caseworks.core.pagination import PageRequest
from caseworks.core.sorting import SortKey
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
        *(name for name in attribute_names(model) if name not in model.held_apart),
        *(attribute_names(DERIVED_MODELS[table]) if table in DERIVED_MODELS else ()),
    )
    for table, model in RECORD_MODELS.items()
}
# Read with a profile: the kind of its application, which names the application's type. Read
# with an application: its co-applicant's profile (the first made, should there be several),
# found by the profiles' (agency_id, application_id, role) index.
_JOINED = {
    "applications": (
        "(SELECT p.id FROM user_agency_profiles p WHERE p.agency_id = r.agency_id"
        " AND p.application_id = r.id AND p.role = 'co_applicant'"
        " ORDER BY p.created_at, p.id LIMIT 1) AS co_applicant_profile_id",
    ),
    "user_agency_profiles": (
        "(SELECT a.kind FROM applications a WHERE a.agency_id = r.agency_id"
        " AND a.id = r.application_id) AS application_kind",
    ),
}
# Attributes holding a list are stored as one text: the items, sorted, joined by commas.
_LISTS = {
    table: tuple(name for name in list_attributes(model) if name not in model.held_apart)
    for table, model in RECORD_MODELS.items()
}
# Attributes holding an object are stored as its JSON text.
_OBJECTS = {table: object_attributes(model) for table, model in RECORD_MODELS.items()}

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
# Filters of a record list with a rule of their own, by name (those in _CONTAINS are searches:
# the value is matched as text contained, in any case); any other filter is named after a
# column of the table and matches its value exactly.
_RECORD_FILTERS = {
    "full_name_contains": f"lower({_FULL_NAME}) LIKE :full_name_contains ESCAPE '\\'",
    "updated_from": "r.updated_at >= :updated_from",
    "updated_before": "r.updated_at < :updated_before",
    "application_status": (
        "EXISTS (SELECT 1 FROM applications a WHERE a.agency_id = r.agency_id"
        " AND a.id = r.application_id AND a.status = :application_status)"
    ),
}
# Filters on whether a worker holds a role on the record: EXISTS for true, NOT EXISTS for false
# (an anti-join), each served by the assignments' (agency_id, child_id | application_id, role, …)
# index.
_PRESENCE_FILTERS = {
    "has_case_carrying_worker": (
        "EXISTS (SELECT 1 FROM worker_assignments held WHERE held.agency_id = r.agency_id"
        f" AND held.child_id = r.id AND held.role = '{WorkerRole.CASE_CARRYING.value}')"
    ),
    "has_approvals_worker": (
        "EXISTS (SELECT 1 FROM worker_assignments held WHERE held.agency_id = r.agency_id"
        f" AND held.application_id = r.id AND held.role = '{WorkerRole.APPROVALS.value}')"
    ),
}
_TIMES = ("created_at", "updated_at")
# NULL after every value, whichever the direction: PostgreSQL's own order, so its indexes serve
# both directions; SQLite (NULL before every value) is told so in each ORDER BY.
_NULLS = {"asc": "ASC NULLS LAST", "desc": "DESC NULLS FIRST"}
_CONTAINS = {"full_name_contains"}


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


# What each table's pages may be sorted by, and which of those may be NULL: made once.
_SORTABLE = {table: (*columns, *_TIMES) for table, columns in RESOURCES.items()}
_NULLABLE = {
    table: frozenset(name for name in model.model_fields if admits_null(model, name))
    for table, model in RECORD_MODELS.items()
}


def _ordering(
    alias: str,
    order: Sequence[SortKey],
    sortable: Sequence[str],
    nullable: AbstractSet[str],
    what: str,
) -> str:
    """``ORDER BY`` of a page: the fields in turn (those in ``nullable`` with their NULLs last
    ascending and first descending), then the id in the first field's direction, so that every
    row has one place and pages are stable."""
    terms = []
    for field, direction in order:
        if field not in sortable:
            raise ValueError(f"{what} cannot be sorted by {field}")
        terms.append(
            f"{alias}.{field} {_NULLS[direction] if field in nullable else direction.upper()}"
        )
    terms.append(f"{alias}.id {order[0][1].upper() if order else 'ASC'}")
    return ", ".join(terms)


def _order_by(table: str, order: Sequence[SortKey]) -> str:
    """``ORDER BY`` of a page of ``table`` (as ``r``)."""
    return _ordering("r", order, _SORTABLE[table], _NULLABLE[table], table)


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, in any case, its wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _stored(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Attribute values as the columns hold them."""
    for name in _LISTS[table]:
        if values.get(name) is not None:
            values[name] = ",".join(sorted(set(values[name])))
    for name in _OBJECTS[table]:
        if values.get(name) is not None:
            values[name] = orjson.dumps(values[name]).decode()
    return values


def _read(table: str, row: Row | None) -> Row | None:
    """A row with its attributes as the model holds them."""
    if row is not None:
        for name in _LISTS[table]:
            row[name] = [item for item in row[name].split(",") if item]
        for name in _OBJECTS[table]:
            if row[name] is not None:
                row[name] = orjson.loads(row[name])
    return row


def record_statement(
    table: str, scope: CaseworkScope, record_id: str, locking: str = ""
) -> Statement:
    """One record within ``scope``; ``locking`` is ``for_update(db)`` to hold it."""
    params: dict[str, Any] = {"id": record_id}
    where = " AND ".join([*_in_scope(_table(table), scope, params), "r.id = :id"])
    return f"SELECT {_columns(table)} FROM {table} r WHERE {where}{locking}", params


def records_statement(
    table: str, scope: CaseworkScope, record_ids: list[str], dialect: str
) -> Statement:
    """The records of ``record_ids`` within ``scope``, in one statement: one SQL text whatever
    the number of ids (an array on PostgreSQL, a JSON array on SQLite), so it is prepared once."""
    params: dict[str, Any] = {}
    clauses = _in_scope(_table(table), scope, params)
    condition, listed = _ids_in("r.id", record_ids, dialect)
    clauses.append(condition)
    params |= listed
    where = " AND ".join(clauses)
    return f"SELECT {_columns(table)} FROM {table} r WHERE {where} ORDER BY r.id", params


async def get_records(
    db: Executor, table: str, scope: CaseworkScope, record_ids: list[str]
) -> list[Row]:
    """Those of ``record_ids`` that ``scope`` holds, by id."""
    if not record_ids:
        return []
    rows = await db.fetch_all(*records_statement(table, scope, record_ids, db.dialect))
    if _LISTS[table] or _OBJECTS[table]:
        for row in rows:
            _read(table, row)
    if table == "agency_workers":  # their supervisors: one more query for all of them
        await _with_supervisors(db, scope.agency_id, rows)
    return rows


async def list_records(
    db: Executor,
    table: str,
    scope: CaseworkScope,
    order: Sequence[SortKey],
    page: PageRequest,
    filters: dict[str, Any] | None = None,
) -> tuple[list[Row], int]:
    """A page of one table within ``scope``, in ``order``; ``filters`` by name: a search
    (``full_name_contains``, none when empty) or a column's exact value (none when None)."""
    from_where, params = _records_from_where(table, scope, filters)
    rows = await db.fetch_all(
        f"SELECT {_columns(table)} {from_where} ORDER BY {_order_by(table, order)}"
        " LIMIT :limit OFFSET :offset",
        {**params, "limit": page.size, "offset": page.offset},
    )
    await read_records(db, table, scope, rows)
    return rows, await db.totals.count(db, from_where, params)


def _records_from_where(
    table: str, scope: CaseworkScope, filters: dict[str, Any] | None
) -> Statement:
    params: dict[str, Any] = {}
    clauses = _in_scope(_table(table), scope, params)
    for name, value in (filters or {}).items():
        if value is None or (name in _CONTAINS and not value):
            continue
        if name in _PRESENCE_FILTERS:
            exists = _PRESENCE_FILTERS[name]
            clauses.append(exists if value else f"NOT {exists}")
            continue
        clauses.append(_filter(table, name))
        params[name] = _contains(value) if name in _CONTAINS else value
    return f"FROM {table} r WHERE {' AND '.join(clauses)}", params


def records_list_statement(
    table: str,
    scope: CaseworkScope,
    order: Sequence[SortKey],
    filters: dict[str, Any] | None = None,
) -> Statement:
    """Every record the list of ``table`` holds, in its order (a page is a slice of it)."""
    from_where, params = _records_from_where(table, scope, filters)
    return f"SELECT {_columns(table)} {from_where} ORDER BY {_order_by(table, order)}", params


async def read_records(db: Executor, table: str, scope: CaseworkScope, rows: list[Row]) -> None:
    """Rows of ``table`` as read (dicts) made what the model holds: lists and objects from
    their stored text, a worker's supervisors read (one query for all the rows)."""
    if _LISTS[table] or _OBJECTS[table]:
        for row in rows:
            _read(table, row)
    if table == "agency_workers":
        await _with_supervisors(db, scope.agency_id, rows)


async def get_record(
    db: Executor,
    table: str,
    scope: CaseworkScope,
    record_id: str,
    lock: bool = False,
    columns_only: bool = False,
) -> Row | None:
    """One record within ``scope``; ``columns_only`` leaves out the attributes held in tables
    of their own (a worker's supervisors), for a rule that needs none of them."""
    sql, params = record_statement(table, scope, record_id, for_update(db) if lock else "")
    row = _read(table, await db.fetch_one(sql, params))
    if row is not None and table == "agency_workers" and not columns_only:
        await _with_supervisors(db, scope.agency_id, [row])
    return row


async def id_taken(db: Executor, table: str, agency_id: str, record_id: str) -> bool:
    """Whether ``table`` holds ``record_id`` in the agency (whoever may read it): a client's own
    id is checked so before it is written."""
    if table not in RESOURCES and table != "worker_assignments":
        raise ValueError(table)
    found = await db.fetch_value(
        f"SELECT 1 FROM {table} WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": record_id},
    )
    return found is not None


async def insert_record(db: Executor, table: str, values: dict[str, Any]) -> None:
    """A new record: ``agency_id``, ``id``, its columns (those left out are NULL) and times."""
    names = ["agency_id", "id", *RESOURCES[_table(table)], "created_at", "updated_at"]
    await db.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        _stored(table, {name: values.get(name) for name in names}),
    )


async def insert_records(db: Executor, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """New records in one batch, each as ``insert_record`` takes it."""
    names = ["agency_id", "id", *RESOURCES[_table(table)], "created_at", "updated_at"]
    await db.execute_many(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        [_stored(table, {name: values.get(name) for name in names}) for values in rows],
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


# --- who supervises whom ---------------------------------------------------------------------


def _ids_in(column: str, record_ids: list[str], dialect: str) -> Statement:
    """``column`` among ``record_ids``, as one SQL text whatever their number (an array on
    PostgreSQL, a JSON array on SQLite), so that the statement is prepared once."""
    if dialect == "postgresql":
        return f"{column} = ANY(:ids)", {"ids": record_ids}
    return f"{column} IN (SELECT value FROM json_each(:ids))", {
        "ids": orjson.dumps(record_ids).decode()
    }


def supervisors_statement(agency_id: str, worker_ids: list[str], dialect: str) -> Statement:
    """The supervisors (level 1) and the supervisors' supervisors (level 2, each once) of each
    of ``worker_ids``, with id and name, by worker, level, then id: one statement for both."""
    condition, params = _ids_in("s.worker_id", worker_ids, dialect)
    return (
        "SELECT s.worker_id, 1 AS level, w.id, w.name FROM agency_worker_supervisors s"
        " JOIN agency_workers w ON w.agency_id = s.agency_id AND w.id = s.supervisor_id"
        f" WHERE s.agency_id = :agency_id AND {condition}"
        " UNION"
        " SELECT s.worker_id, 2 AS level, w.id, w.name FROM agency_worker_supervisors s"
        " JOIN agency_worker_supervisors m"
        " ON m.agency_id = s.agency_id AND m.worker_id = s.supervisor_id"
        " JOIN agency_workers w ON w.agency_id = m.agency_id AND w.id = m.supervisor_id"
        f" WHERE s.agency_id = :agency_id AND {condition}"
        " ORDER BY worker_id, level, id",
        {**params, "agency_id": agency_id},
    )


_LEVELS = {1: "supervisors", 2: "managers_of_supervisors"}


def with_supervisors(rows: list[Row], found: list[Row]) -> None:
    """Each worker row of ``rows`` gains ``supervisors`` and ``managers_of_supervisors``: those
    of ``found`` (from ``supervisors_statement``) that are its own, as ``{id, name}``, by id."""
    by_worker: dict[str, dict[str, list[dict[str, Any]]]] = {
        row["id"]: {name: [] for name in _LEVELS.values()} for row in rows
    }
    for supervisor in found:
        by_worker[supervisor["worker_id"]][_LEVELS[supervisor["level"]]].append(
            {"id": supervisor["id"], "name": supervisor["name"]}
        )
    for row in rows:
        row.update(by_worker[row["id"]])


async def _with_supervisors(db: Executor, agency_id: str, rows: list[Row]) -> None:
    """Each worker row gains ``supervisors`` and ``managers_of_supervisors``: ids and names, by
    id (one query for all the rows)."""
    if not rows:
        return
    statement = supervisors_statement(agency_id, [row["id"] for row in rows], db.dialect)
    with_supervisors(rows, await db.fetch_all(*statement))


async def hold_supervision(db: Executor, agency_id: str) -> None:
    """Serialise changes to an agency's supervision, so that two of them made at once cannot
    close a cycle that neither sees (SQLite has one writer anyway). The agency's row is held
    FOR NO KEY UPDATE, which does not wait for inserts that only reference the agency. Taken
    first in its transaction, before any worker's row: a writer holding a worker's row while
    waiting here could otherwise deadlock with one that holds this and references that worker."""
    if db.dialect == "postgresql":
        await db.fetch_value(
            "SELECT id FROM agencies WHERE id = :agency_id FOR NO KEY UPDATE",
            {"agency_id": agency_id},
        )


async def existing_workers(db: Executor, agency_id: str, worker_ids: list[str]) -> set[str]:
    """Which of ``worker_ids`` are workers of the agency."""
    if not worker_ids:
        return set()
    condition, params = _ids_in("id", worker_ids, db.dialect)
    rows = await db.fetch_all(
        f"SELECT id FROM agency_workers WHERE agency_id = :agency_id AND {condition}",
        {**params, "agency_id": agency_id},
    )
    return {row["id"] for row in rows}


async def supervised_by(db: Executor, agency_id: str, worker_id: str, boss_id: str) -> bool:
    """True if ``boss_id`` supervises ``worker_id``, directly or through others."""
    found = await db.fetch_value(
        """
        WITH RECURSIVE above(id) AS (
            SELECT supervisor_id FROM agency_worker_supervisors
            WHERE agency_id = :agency_id AND worker_id = :worker_id
            UNION
            SELECT s.supervisor_id FROM agency_worker_supervisors s
            JOIN above ON s.agency_id = :agency_id AND s.worker_id = above.id
        )
        SELECT 1 FROM above WHERE id = :boss_id LIMIT 1
        """,
        {"agency_id": agency_id, "worker_id": worker_id, "boss_id": boss_id},
    )
    return found is not None


async def replace_supervisors(
    db: Executor, agency_id: str, worker_id: str, supervisor_ids: list[str]
) -> None:
    await db.execute(
        "DELETE FROM agency_worker_supervisors WHERE agency_id = :agency_id"
        " AND worker_id = :worker_id",
        {"agency_id": agency_id, "worker_id": worker_id},
    )
    for supervisor_id in supervisor_ids:
        await db.execute(
            "INSERT INTO agency_worker_supervisors (agency_id, worker_id, supervisor_id)"
            " VALUES (:agency_id, :worker_id, :supervisor_id)",
            {"agency_id": agency_id, "worker_id": worker_id, "supervisor_id": supervisor_id},
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
_ASSIGNMENT_SORTS = ("created_at", "updated_at")
_ASSIGNMENT_FILTERS = {
    "child_id": "wa.child_id = :child_id",
    "application_id": "wa.application_id = :application_id",
    "role": "wa.role = :role",
    # Bounds as childwelfare_models makes them: each inclusive of a whole second, so that the
    # strictly-after and strictly-before of the API hold for times stored to the second.
    "created_from": "wa.created_at >= :created_from",
    "created_before": "wa.created_at < :created_before",
    "updated_from": "wa.updated_at >= :updated_from",
    "updated_before": "wa.updated_at < :updated_before",
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


def _assignment_order(order: Sequence[SortKey]) -> str:
    """``ORDER BY`` of a page of assignments (as ``wa``): their times are never NULL."""
    return _ordering("wa", order, _ASSIGNMENT_SORTS, frozenset(), "worker assignments")


def assignment_page_statement(
    scope: CaseworkScope, filters: dict[str, Any], order: Sequence[SortKey], page: PageRequest
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
        f" ORDER BY {_assignment_order(order)}"
    )
    page_params = {**params, "limit": page.size, "offset": page.offset}
    return (f"{sql} LIMIT :limit OFFSET :offset", page_params), (
        f"FROM worker_assignments wa WHERE {where}",
        params,
    )


def assignment_list_statement(
    scope: CaseworkScope, filters: dict[str, Any], order: Sequence[SortKey]
) -> Statement:
    """Every assignment the list holds, in its order (a page is a slice of it)."""
    (sql, params), _ = assignment_page_statement(scope, filters, order, PageRequest())
    return sql.removesuffix(" LIMIT :limit OFFSET :offset"), {
        name: value for name, value in params.items() if name not in ("limit", "offset")
    }


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
    order: Sequence[SortKey],
    page: PageRequest,
) -> tuple[list[Row], int]:
    (sql, params), (from_where, count_params) = assignment_page_statement(
        scope, filters, order, page
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


# --- workers' caseloads ------------------------------------------------------------------------


async def hold_workers(db: Executor, agency_id: str, worker_ids: list[str]) -> None:
    """Hold the workers' rows, in id order, until the transaction ends, so that counting a
    worker's assignments and adding to them are one step under concurrent writers. FOR NO KEY
    UPDATE: a new assignment's foreign key (KEY SHARE) does not wait for it, two holders do, and
    so does a change to the worker's limit (the update's FOR UPDATE). Taken before any child or
    application row, by every writer that takes both (SQLite has one writer anyway)."""
    if db.dialect != "postgresql" or not worker_ids:
        return
    condition, params = _ids_in("id", sorted(set(worker_ids)), db.dialect)
    await db.fetch_all(
        f"SELECT id FROM agency_workers WHERE agency_id = :agency_id AND {condition}"
        " ORDER BY id FOR NO KEY UPDATE",
        {**params, "agency_id": agency_id},
    )


async def held_in_role(db: Executor, agency_id: str, worker_id: str, role: WorkerRole) -> int:
    """How many assignments the worker holds in ``role`` (from the worker-and-role index)."""
    count = await db.fetch_value(
        "SELECT count(*) FROM worker_assignments"
        " WHERE agency_id = :agency_id AND worker_id = :worker_id AND role = :role",
        {"agency_id": agency_id, "worker_id": worker_id, "role": role.value},
    )
    return int(count)


async def assignments_of_worker(
    db: Executor, agency_id: str, worker_id: str, roles: Sequence[WorkerRole]
) -> list[Row]:
    """The worker's assignments in ``roles``, oldest first (then by id), each row held until
    the transaction ends (a delete made meanwhile waits, or is not seen)."""
    named = {f"role_{index}": role.value for index, role in enumerate(roles)}
    listed = ", ".join(f":{name}" for name in named)
    return await db.fetch_all(
        "SELECT id, worker_id, role, child_id, application_id, created_at FROM worker_assignments"
        f" WHERE agency_id = :agency_id AND worker_id = :worker_id AND role IN ({listed})"
        f" ORDER BY created_at, id{for_update(db)}",
        {"agency_id": agency_id, "worker_id": worker_id, **named},
    )


# A worker's count in each role the API assigns, one index range each, named after the role.
_CASELOAD_COLUMNS = ", ".join(
    [
        "w.id",
        "w.max_case_carrying",
        "w.created_at",
        "w.updated_at",
        *(
            "(SELECT count(*) FROM worker_assignments c WHERE c.agency_id = w.agency_id"
            f" AND c.worker_id = w.id AND c.role = '{role.value}') AS {role.value}"
            for role in CREATABLE_ROLES
        ),
    ]
)


def caseload_page_statement(
    agency_id: str, order: Sequence[SortKey], page: PageRequest
) -> tuple[Statement, Statement]:
    """A page of the agency's workers with their counts by role; and the ``FROM … WHERE …`` of
    its total, with its parameters (for ``Totals.count``)."""
    params = {"agency_id": agency_id}
    from_where = "FROM agency_workers w WHERE w.agency_id = :agency_id"
    ordering = _ordering("w", order, _TIMES, frozenset(), "worker caseloads")
    sql = f"SELECT {_CASELOAD_COLUMNS} {from_where} ORDER BY {ordering} LIMIT :limit OFFSET :offset"
    return (sql, {**params, "limit": page.size, "offset": page.offset}), (from_where, params)


def caseload_list_statement(agency_id: str, order: Sequence[SortKey]) -> Statement:
    """Every worker's caseload the list holds, in its order (a page is a slice of it)."""
    (sql, params), _ = caseload_page_statement(agency_id, order, PageRequest())
    return sql.removesuffix(" LIMIT :limit OFFSET :offset"), {
        name: value for name, value in params.items() if name not in ("limit", "offset")
    }


async def list_caseloads(
    db: Executor, agency_id: str, order: Sequence[SortKey], page: PageRequest
) -> tuple[list[Row], int]:
    (sql, params), (from_where, count_params) = caseload_page_statement(agency_id, order, page)
    rows = await db.fetch_all(sql, params)
    return rows, await db.totals.count(db, from_where, count_params)


async def get_caseload(db: Executor, agency_id: str, worker_id: str) -> Row | None:
    return await db.fetch_one(
        f"SELECT {_CASELOAD_COLUMNS} FROM agency_workers w"
        " WHERE w.agency_id = :agency_id AND w.id = :id",
        {"agency_id": agency_id, "id": worker_id},
    )


def worker_roles_statement(
    agency_id: str, worker_id: str, child_ids: list[str], dialect: str
) -> Statement:
    """The roles one worker holds on each of ``child_ids`` (by the worker's caseload index)."""
    condition, listed = _ids_in("wa.child_id", child_ids, dialect)
    return (
        "SELECT wa.child_id, wa.role FROM worker_assignments wa"
        f" WHERE wa.agency_id = :agency_id AND wa.worker_id = :worker_id AND {condition}"
        " ORDER BY wa.child_id, wa.role",
        {"agency_id": agency_id, "worker_id": worker_id, **listed},
    )


async def worker_roles_on_children(
    db: Executor, agency_id: str, worker_id: str, child_ids: list[str]
) -> list[Row]:
    if not child_ids:
        return []
    return await db.fetch_all(*worker_roles_statement(agency_id, worker_id, child_ids, db.dialect))
