"""SQL of the mentoring programme, and nothing else. Every statement filters by agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caseworks.core.pagination import PageRequest
from caseworks.db import Executor, Row

_SUMMARY_COLUMNS = """
    a.id AS assignment_id, a.mentor_id, a.contact_id, c.name AS contact_name, a.status,
    a.assigned_date, a.last_contact_date, a.closed_date, a.created_at, a.updated_at
"""
_FROM = """
FROM assignments a
JOIN contacts c ON c.agency_id = a.agency_id AND c.id = a.contact_id
"""

_ONE = f"SELECT {_SUMMARY_COLUMNS}, a.notes {_FROM} WHERE a.agency_id = :agency_id AND a.id = :id"

# Sort keys map to fixed SQL fragments: the client chooses among them, never writes SQL.
_ORDER = {
    "assigned_date": "a.assigned_date, a.id",
    "-assigned_date": "a.assigned_date DESC, a.id DESC",
    "last_contact_date": "a.last_contact_date, a.id",
    "-last_contact_date": "a.last_contact_date DESC, a.id DESC",
    "created_at": "a.created_at, a.id",
    "-created_at": "a.created_at DESC, a.id DESC",
}


def _set_clause(changes: dict[str, Any], allowed: tuple[str, ...]) -> str:
    """``a = :a, b = :b`` for the changed columns; names come from ``allowed``, never the client."""
    unknown = set(changes) - set(allowed)
    if not changes or unknown:
        raise ValueError(f"nothing to update, or not updatable: {sorted(unknown)}")
    return ", ".join(f"{name} = :{name}" for name in allowed if name in changes)


def for_update(db: Executor) -> str:
    """Row lock for read-modify-write on PostgreSQL; SQLite writers are already serialised."""
    return " FOR UPDATE" if db.dialect == "postgresql" else ""


@dataclass(frozen=True)
class AssignmentFilters:
    mentor_id: str | None = None
    contact_id: str | None = None
    status: str | None = None
    assigned_from: datetime | None = None
    assigned_to: datetime | None = None
    last_contact_before: datetime | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses = ["a.agency_id = :agency_id"]
        params: dict[str, Any] = {}
        for name, clause in (
            ("mentor_id", "a.mentor_id = :mentor_id"),
            ("contact_id", "a.contact_id = :contact_id"),
            ("status", "a.status = :status"),
            ("assigned_from", "a.assigned_date >= :assigned_from"),
            ("assigned_to", "a.assigned_date <= :assigned_to"),
            # Never contacted counts as stale too.
            (
                "last_contact_before",
                "(a.last_contact_date IS NULL OR a.last_contact_date < :last_contact_before)",
            ),
        ):
            value = getattr(self, name)
            if value is not None:
                clauses.append(clause)
                params[name] = value
        return " AND ".join(clauses), params


async def list_assignments(
    db: Executor, agency_id: str, filters: AssignmentFilters, sort: str, page: PageRequest
) -> tuple[list[Row], int]:
    where, params = filters.where()
    params |= {"agency_id": agency_id, "limit": page.size, "offset": page.offset}
    rows = await db.fetch_all(
        f"SELECT {_SUMMARY_COLUMNS} {_FROM} WHERE {where} ORDER BY {_ORDER[sort]}"
        " LIMIT :limit OFFSET :offset",
        params,
    )
    count_params = {key: value for key, value in params.items() if key not in ("limit", "offset")}
    total = await db.totals.count(db, f"FROM assignments a WHERE {where}", count_params)
    return rows, total


async def get_assignment(db: Executor, agency_id: str, assignment_id: str) -> Row | None:
    return await db.fetch_one(_ONE, {"agency_id": agency_id, "id": assignment_id})


async def lock_assignment(db: Executor, agency_id: str, assignment_id: str) -> Row | None:
    return await db.fetch_one(
        "SELECT id, mentor_id, contact_id, status FROM assignments"
        f" WHERE agency_id = :agency_id AND id = :id{for_update(db)}",
        {"agency_id": agency_id, "id": assignment_id},
    )


async def insert_assignment(db: Executor, row: dict[str, Any]) -> None:
    await db.execute(
        """
        INSERT INTO assignments (agency_id, id, mentor_id, contact_id, status, notes,
                                 assigned_date, last_contact_date, closed_date,
                                 created_at, updated_at)
        VALUES (:agency_id, :id, :mentor_id, :contact_id, 'open', :notes,
                :assigned_date, NULL, NULL, :created_at, :created_at)
        """,
        row,
    )


_UPDATABLE = ("notes", "last_contact_date", "assigned_date")


async def update_assignment(
    db: Executor, agency_id: str, assignment_id: str, changes: dict[str, Any], now: datetime
) -> None:
    assignments = _set_clause(changes, _UPDATABLE)
    await db.execute(
        f"UPDATE assignments SET {assignments}, updated_at = :now"
        " WHERE agency_id = :agency_id AND id = :id",
        {**changes, "now": now, "agency_id": agency_id, "id": assignment_id},
    )


async def set_status(
    db: Executor, agency_id: str, assignment_id: str, status: str, now: datetime
) -> None:
    """Closing sets closed_date; reopening clears it."""
    await db.execute(
        """
        UPDATE assignments SET status = :status, closed_date = :closed_date, updated_at = :now
        WHERE agency_id = :agency_id AND id = :id
        """,
        {
            "status": status,
            "closed_date": now if status == "closed" else None,
            "now": now,
            "agency_id": agency_id,
            "id": assignment_id,
        },
    )


async def delete_assignment(db: Executor, agency_id: str, assignment_id: str) -> None:
    await db.execute(
        "DELETE FROM assignments WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": assignment_id},
    )


def _mentor_where(open_only: bool) -> str:
    status = " AND a.status = 'open'" if open_only else ""
    return f"a.agency_id = :agency_id AND a.mentor_id = :mentor_id{status}"


async def mentor_total(
    db: Executor, agency_id: str, mentor_id: str, *, open_only: bool
) -> int | None:
    """How many assignments the mentor has (open ones, or all); None if there is no such mentor.

    One round trip, answered from the (agency, mentor, status) index.
    """
    total = await db.fetch_one(
        f"SELECT (SELECT count(*) FROM assignments a WHERE {_mentor_where(open_only)}) AS total"
        " FROM mentors WHERE agency_id = :agency_id AND id = :mentor_id",
        {"agency_id": agency_id, "mentor_id": mentor_id},
    )
    return None if total is None else int(total["total"])


async def mentor_assignments(
    db: Executor, agency_id: str, mentor_id: str, *, open_only: bool, page: PageRequest
) -> list[Row]:
    """Active view (open, oldest first) or history (all, newest first): index range scans."""
    order = "a.assigned_date, a.id" if open_only else "a.assigned_date DESC, a.id DESC"
    return await db.fetch_all(
        f"SELECT {_SUMMARY_COLUMNS} {_FROM} WHERE {_mentor_where(open_only)} ORDER BY {order}"
        " LIMIT :limit OFFSET :offset",
        {"agency_id": agency_id, "mentor_id": mentor_id, "limit": page.size, "offset": page.offset},
    )


async def mentor_exists(db: Executor, agency_id: str, mentor_id: str) -> bool:
    found = await db.fetch_value(
        "SELECT 1 FROM mentors WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": mentor_id},
    )
    return found is not None


async def contact_exists(db: Executor, agency_id: str, contact_id: str) -> bool:
    found = await db.fetch_value(
        "SELECT 1 FROM contacts WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": contact_id},
    )
    return found is not None


# --- mentors and contacts ----------------------------------------------------------------------

PEOPLE_TABLES = ("mentors", "contacts")

_PERSON_ORDER = {
    "created_at": "created_at, id",
    "-created_at": "created_at DESC, id DESC",
    "name": "name, id",
    "-name": "name DESC, id DESC",
}


def _table(table: str) -> str:
    if table not in PEOPLE_TABLES:
        raise ValueError(table)
    return table


def _person_columns(table: str, id_field: str) -> str:
    _table(table)
    if id_field not in ("mentor_id", "contact_id"):
        raise ValueError(id_field)
    return f"id AS {id_field}, name, email, phone, created_at, updated_at"


async def list_people(
    db: Executor,
    table: str,
    id_field: str,
    agency_id: str,
    *,
    visible_to_mentor: str | None,
    through: str,
    sort: str,
    page: PageRequest,
) -> tuple[list[Row], int]:
    """A page of mentors or contacts; a mentor sees itself, or the contacts it is assigned to
    (through assignments in the status ``through``)."""
    where = "agency_id = :agency_id"
    params: dict[str, Any] = {"agency_id": agency_id, "limit": page.size, "offset": page.offset}
    if visible_to_mentor is not None:
        where += " AND " + _visible_to_mentor(table, params, visible_to_mentor, through)
    rows = await db.fetch_all(
        f"SELECT {_person_columns(table, id_field)} FROM {table} WHERE {where}"
        f" ORDER BY {_PERSON_ORDER[sort]} LIMIT :limit OFFSET :offset",
        params,
    )
    count_params = {key: value for key, value in params.items() if key not in ("limit", "offset")}
    total = await db.totals.count(db, f"FROM {table} WHERE {where}", count_params)
    return rows, total


def _visible_to_mentor(table: str, params: dict[str, Any], mentor_id: str, through: str) -> str:
    """The condition that limits ``table`` to what the mentor sees; fills in its parameters."""
    params["mentor_id"] = mentor_id
    if table == "mentors":
        return "id = :mentor_id"
    params["through"] = through
    return (
        "id IN (SELECT contact_id FROM assignments"
        " WHERE agency_id = :agency_id AND mentor_id = :mentor_id AND status = :through)"
    )


async def get_person(
    db: Executor,
    table: str,
    id_field: str,
    agency_id: str,
    person_id: str,
    *,
    visible_to_mentor: str | None,
    through: str,
) -> Row | None:
    where = "agency_id = :agency_id AND id = :id"
    params: dict[str, Any] = {"agency_id": agency_id, "id": person_id}
    if visible_to_mentor is not None:
        where += " AND " + _visible_to_mentor(table, params, visible_to_mentor, through)
    return await db.fetch_one(
        f"SELECT {_person_columns(table, id_field)} FROM {table} WHERE {where}", params
    )


async def insert_person(db: Executor, table: str, row: dict[str, Any]) -> None:
    _table(table)
    await db.execute(
        f"INSERT INTO {table} (agency_id, id, name, email, phone, created_at, updated_at)"
        " VALUES (:agency_id, :id, :name, :email, :phone, :now, :now)",
        row,
    )


async def update_person(
    db: Executor, table: str, agency_id: str, person_id: str, changes: dict[str, Any], now: datetime
) -> int:
    assignments = _set_clause(changes, ("name", "email", "phone"))
    return await db.execute(
        f"UPDATE {table} SET {assignments}, updated_at = :now"
        " WHERE agency_id = :agency_id AND id = :id",
        {**changes, "now": now, "agency_id": agency_id, "id": person_id},
    )


async def lock_person(db: Executor, table: str, agency_id: str, person_id: str) -> bool:
    _table(table)
    found = await db.fetch_value(
        f"SELECT 1 FROM {table} WHERE agency_id = :agency_id AND id = :id{for_update(db)}",
        {"agency_id": agency_id, "id": person_id},
    )
    return found is not None


async def assignments_of(
    db: Executor, person_column: str, agency_id: str, person_id: str
) -> list[Row]:
    """Every assignment of a mentor or contact, locked."""
    if person_column not in ("mentor_id", "contact_id"):
        raise ValueError(person_column)
    return await db.fetch_all(
        "SELECT id, mentor_id, contact_id, status FROM assignments"
        f" WHERE agency_id = :agency_id AND {person_column} = :person_id{for_update(db)}",
        {"agency_id": agency_id, "person_id": person_id},
    )


async def delete_person(db: Executor, table: str, agency_id: str, person_id: str) -> None:
    _table(table)
    await db.execute(
        f"DELETE FROM {table} WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": person_id},
    )
