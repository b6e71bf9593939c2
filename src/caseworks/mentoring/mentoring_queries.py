"""SQL of the mentoring programme, and nothing else. Every statement filters by agency.

Reads take the caller's scope (``policy.MentoringScope``) and turn it into conditions here; why a
scope is limited is the policy's business, not this module's. The columns come from the models
(``mentoring_models``), and the statements are built by public functions, so the benchmark's raw
app runs the very same SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, get_args

from caseworks.auth.policy import MentoringScope
from caseworks.core.pagination import PageRequest
from caseworks.db import Executor, Row
from caseworks.mentoring.mentoring_models import (
    Assignment,
    AssignmentFields,
    AssignmentSummary,
    AssignmentUpdate,
    MentorFields,
    MentorUpdate,
    PersonCreate,
    PersonUpdate,
    field_names,
)

Statement = tuple[str, dict[str, Any]]  # SQL with :name parameters, and their values

# Where an answered field comes from, when it is not the assignment's own column of that name.
_SOURCES = {"assignment_id": "a.id", "contact_name": "c.name"}


def _select(names: tuple[str, ...]) -> str:
    return ", ".join(
        f"{_SOURCES[name]} AS {name}" if name in _SOURCES else f"a.{name}" for name in names
    )


SUMMARY_COLUMNS = _select(field_names(AssignmentSummary))
_DETAIL_COLUMNS = _select(
    tuple(name for name in field_names(Assignment) if name not in AssignmentSummary.model_fields)
)
ASSIGNMENTS_FROM = """
FROM assignments a
JOIN contacts c ON c.agency_id = a.agency_id AND c.id = a.contact_id
"""

# Sort keys map to fixed SQL fragments: the client chooses among them, never writes SQL.
_ORDER = {
    "assigned_date": "a.assigned_date, a.id",
    "-assigned_date": "a.assigned_date DESC, a.id DESC",
    "last_contact_date": "a.last_contact_date, a.id",
    "-last_contact_date": "a.last_contact_date DESC, a.id DESC",
    "created_at": "a.created_at, a.id",
    "-created_at": "a.created_at DESC, a.id DESC",
}
# Caseload rules, each spelled once and used by every statement that needs it.
# An open assignment is stale when its last contact, or with none its assignment, is older than
# the agency's stale_after_days (the service turns that into the moment :stale_before).
STALE = "(a.status = 'open' AND COALESCE(a.last_contact_date, a.assigned_date) < :stale_before)"
# The caseload limit in force for mentor ``m`` of agency ``ag``: its own, else the agency's
# default; NULL means no limit.
CAPACITY_IN_FORCE = "COALESCE(m.max_open_assignments, ag.default_mentor_capacity)"
MENTOR_WITH_AGENCY = "mentors m JOIN agencies ag ON ag.id = m.agency_id"

# In a scope limited to one mentor (``:scope_mentor``): that mentor's assignments only.
_ASSIGNMENT_IN_SCOPE = "a.mentor_id = :scope_mentor"


def _set_clause(changes: dict[str, Any], allowed: tuple[str, ...]) -> str:
    """``a = :a, b = :b`` for the changed columns; names come from ``allowed``, never the client."""
    unknown = set(changes) - set(allowed)
    if not changes or unknown:
        raise ValueError(f"nothing to update, or not updatable: {sorted(unknown)}")
    return ", ".join(f"{name} = :{name}" for name in allowed if name in changes)


def for_update(db: Executor) -> str:
    """Row lock for read-modify-write on PostgreSQL; SQLite writers are already serialised."""
    return " FOR UPDATE" if db.dialect == "postgresql" else ""


def _assignments_in_scope(scope: MentoringScope, params: dict[str, Any]) -> list[str]:
    params["agency_id"] = scope.agency_id
    clauses = ["a.agency_id = :agency_id"]
    if scope.mentor_id is not None:
        clauses.append(_ASSIGNMENT_IN_SCOPE)
        params["scope_mentor"] = scope.mentor_id
    return clauses


@dataclass(frozen=True)
class AssignmentFilters:
    mentor_id: str | None = None
    contact_id: str | None = None
    status: str | None = None
    assigned_from: datetime | None = None
    assigned_to: datetime | None = None
    last_contact_before: datetime | None = None
    stale_before: datetime | None = None  # only stale assignments (see STALE) ...
    stale: bool = True  # ... or, when False, only those that are not stale

    def where(self, scope: MentoringScope) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {}
        clauses = _assignments_in_scope(scope, params)
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
            ("stale_before", STALE if self.stale else f"NOT {STALE}"),
        ):
            value = getattr(self, name)
            if value is not None:
                clauses.append(clause)
                params[name] = value
        return " AND ".join(clauses), params


def assignment_page_statement(
    scope: MentoringScope, filters: AssignmentFilters, sort: str, page: PageRequest
) -> tuple[Statement, Statement]:
    """A page of assignments; and the ``FROM … WHERE …`` of its total, with its parameters."""
    where, params = filters.where(scope)
    sql = (
        f"SELECT {SUMMARY_COLUMNS} {ASSIGNMENTS_FROM} WHERE {where} ORDER BY {_ORDER[sort]}"
        " LIMIT :limit OFFSET :offset"
    )
    page_params = {**params, "limit": page.size, "offset": page.offset}
    return (sql, page_params), (f"FROM assignments a WHERE {where}", params)


def assignment_list_statement(
    scope: MentoringScope, filters: AssignmentFilters, sort: str, exported: Exported
) -> Statement:
    """Every assignment the list holds, in its order (a page is a slice of it), with the columns
    of an export (``exported``): no join, since no exported column is the contact's."""
    where, params = filters.where(scope)
    return (
        f"SELECT {exported.select} FROM assignments a WHERE {where} ORDER BY {_ORDER[sort]}",
        params,
    )


@dataclass(frozen=True)
class Exported:
    """The columns of an export of assignments, in its order, as SQL on ``dialect``: each a
    field of the answer; times as the API writes them (ISO 8601 UTC to the second, ``Z``),
    formatted by PostgreSQL, whose C does per value what Python does in a microsecond. SQLite
    stores that very text already."""

    columns: tuple[str, ...]
    dialect: str

    @property
    def select(self) -> str:
        unknown = set(self.columns) - set(Assignment.model_fields)
        if unknown:
            raise ValueError(f"not a field of an assignment: {sorted(unknown)}")
        return ", ".join(self._column(name) for name in self.columns)

    def _column(self, name: str) -> str:
        source = _SOURCES.get(name, f"a.{name}")
        if name in _TIMES and self.dialect == "postgresql":
            return f"to_char({source} AT TIME ZONE 'UTC', '{_ISO_SECONDS}') AS {name}"
        return f"{source} AS {name}"


# The answer's times, and how PostgreSQL writes one as the API does.
_TIMES = frozenset(
    name
    for name, field in Assignment.model_fields.items()
    if datetime in (field.annotation, *get_args(field.annotation))
)
_ISO_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'


async def list_assignments(
    db: Executor, scope: MentoringScope, filters: AssignmentFilters, sort: str, page: PageRequest
) -> tuple[list[Row], int]:
    (sql, params), (from_where, count_params) = assignment_page_statement(
        scope, filters, sort, page
    )
    rows = await db.fetch_all(sql, params)
    return rows, await db.totals.count(db, from_where, count_params)


def assignment_statement(scope: MentoringScope, assignment_id: str) -> Statement:
    params: dict[str, Any] = {"id": assignment_id}
    where = " AND ".join([*_assignments_in_scope(scope, params), "a.id = :id"])
    return f"SELECT {SUMMARY_COLUMNS}, {_DETAIL_COLUMNS} {ASSIGNMENTS_FROM} WHERE {where}", params


async def get_assignment(db: Executor, scope: MentoringScope, assignment_id: str) -> Row | None:
    return await db.fetch_one(*assignment_statement(scope, assignment_id))


# What a change of an assignment reads of it, under its lock.
_LOCKED_COLUMNS = (
    "a.id, a.mentor_id, a.contact_id, a.status, a.previous_assignment_id, a.next_assignment_id"
)


def lock_statement(scope: MentoringScope, assignment_id: str, locking: str) -> Statement:
    """What a change needs of an assignment, locked (``locking`` is ``for_update(db)``)."""
    params: dict[str, Any] = {"id": assignment_id}
    where = " AND ".join([*_assignments_in_scope(scope, params), "a.id = :id"])
    return (
        f"SELECT {_LOCKED_COLUMNS} FROM assignments a WHERE {where}{locking}",
        params,
    )


async def lock_assignment(db: Executor, scope: MentoringScope, assignment_id: str) -> Row | None:
    return await db.fetch_one(*lock_statement(scope, assignment_id, for_update(db)))


async def peek_assignment(db: Executor, scope: MentoringScope, assignment_id: str) -> Row | None:
    """What ``lock_assignment`` reads, without the lock."""
    return await db.fetch_one(*lock_statement(scope, assignment_id, ""))


# A new assignment: ``AssignmentFields``'s columns, open, never contacted yet.
_CREATED_WITH = field_names(AssignmentFields)


INSERT_ASSIGNMENT = (
    f"INSERT INTO assignments (agency_id, id, {', '.join(_CREATED_WITH)}, status,"
    " last_contact_date, closed_date, created_at, updated_at)"
    f" VALUES (:agency_id, :id, {', '.join(':' + name for name in _CREATED_WITH)}, 'open',"
    " NULL, NULL, :created_at, :created_at)"
)


async def insert_assignment(db: Executor, row: dict[str, Any]) -> None:
    await db.execute(INSERT_ASSIGNMENT, row)


_UPDATABLE = field_names(AssignmentUpdate)


async def update_assignment(
    db: Executor, agency_id: str, assignment_id: str, changes: dict[str, Any], now: datetime
) -> None:
    assignments = _set_clause(changes, _UPDATABLE)
    await db.execute(
        f"UPDATE assignments SET {assignments}, updated_at = :now"
        " WHERE agency_id = :agency_id AND id = :id",
        {**changes, "now": now, "agency_id": agency_id, "id": assignment_id},
    )


def status_statement(
    agency_id: str,
    assignment_id: str,
    status: str,
    now: datetime,
    reason: str | None = None,
    closed_date: datetime | None = None,
) -> Statement:
    """Closing sets closed_date (``closed_date``, else now) and closed_reason; reopening clears
    both."""
    closing = status == "closed"
    return (
        """
        UPDATE assignments SET status = :status, closed_date = :closed_date,
                               closed_reason = :closed_reason, updated_at = :now
        WHERE agency_id = :agency_id AND id = :id
        """,
        {
            "status": status,
            "closed_date": (closed_date or now) if closing else None,
            "closed_reason": reason if closing else None,
            "now": now,
            "agency_id": agency_id,
            "id": assignment_id,
        },
    )


async def set_status(
    db: Executor,
    agency_id: str,
    assignment_id: str,
    status: str,
    now: datetime,
    reason: str | None = None,
    *,
    closed_date: datetime | None = None,
) -> None:
    await db.execute(*status_statement(agency_id, assignment_id, status, now, reason, closed_date))


# --- reassignment --------------------------------------------------------------------------------


def close_for_successor_statement(
    agency_id: str, assignment_id: str, successor_id: str, reason: str, now: datetime
) -> Statement:
    """Close an assignment for the one that follows it, and point at that one."""
    return (
        """
        UPDATE assignments SET status = 'closed', closed_date = :now, closed_reason = :reason,
                               next_assignment_id = :next, updated_at = :now
        WHERE agency_id = :agency_id AND id = :id
        """,
        {
            "reason": reason,
            "next": successor_id,
            "now": now,
            "agency_id": agency_id,
            "id": assignment_id,
        },
    )


# The successor is the same contact's, with the new mentor; it carries the predecessor's notes
# (the handover) and nothing else of it: contact history starts again with the new mentor.
INSERT_SUCCESSOR = """
INSERT INTO assignments (agency_id, id, mentor_id, contact_id, notes, assigned_date, status,
                         last_contact_date, closed_date, previous_assignment_id, created_at,
                         updated_at)
SELECT agency_id, :id, :mentor_id, contact_id, notes, :assigned_date, 'open',
       NULL, NULL, id, :now, :now
FROM assignments WHERE agency_id = :agency_id AND id = :previous_assignment_id
"""


def successor_statement(
    agency_id: str,
    previous_id: str,
    successor_id: str,
    mentor_id: str,
    assigned_date: datetime,
    now: datetime,
) -> Statement:
    return (
        INSERT_SUCCESSOR,
        {
            "agency_id": agency_id,
            "id": successor_id,
            "mentor_id": mentor_id,
            "assigned_date": assigned_date,
            "now": now,
            "previous_assignment_id": previous_id,
        },
    )


async def selected_ids(
    db: Executor, scope: MentoringScope, filters: AssignmentFilters, limit: int
) -> list[str]:
    """The ids of the assignments ``filters`` selects, in the list's default order; at most
    ``limit``."""
    where, params = filters.where(scope)
    rows = await db.fetch_all(
        f"SELECT a.id FROM assignments a WHERE {where} ORDER BY {_ORDER['created_at']}"
        " LIMIT :limit",
        {**params, "limit": limit},
    )
    return [row["id"] for row in rows]


async def selected_count(db: Executor, scope: MentoringScope, filters: AssignmentFilters) -> int:
    where, params = filters.where(scope)
    return int(await db.fetch_value(f"SELECT count(*) FROM assignments a WHERE {where}", params))


async def delete_assignment(db: Executor, agency_id: str, current: Row) -> None:
    """Erase the assignment (``current``: its row as ``lock_statement`` reads it), and the links
    its predecessor and successor hold to it."""
    ids = {"agency_id": agency_id, "id": current["id"]}
    for neighbour, link in (
        ("previous_assignment_id", "next_assignment_id"),
        ("next_assignment_id", "previous_assignment_id"),
    ):
        if current[neighbour] is not None:
            await db.execute(
                f"UPDATE assignments SET {link} = NULL"
                f" WHERE agency_id = :agency_id AND id = :neighbour AND {link} = :id",
                ids | {"neighbour": current[neighbour]},
            )
    await db.execute("DELETE FROM assignments WHERE agency_id = :agency_id AND id = :id", ids)


# --- capacity ------------------------------------------------------------------------------------

# On PostgreSQL the mentor's row alone (not its agency's): creates for different mentors of one
# agency must not wait for each other.
_LOCK_MENTOR = {"postgresql": " FOR UPDATE OF m", "sqlite": ""}


def lock_mentor_statement(dialect: str, agency_id: str, mentor_id: str) -> Statement:
    """The mentor's caseload limit in force (NULL: none), its row locked; no row if the agency
    has no such mentor."""
    return (
        f"SELECT {CAPACITY_IN_FORCE} AS capacity FROM {MENTOR_WITH_AGENCY}"
        f" WHERE m.agency_id = :agency_id AND m.id = :mentor_id{_LOCK_MENTOR[dialect]}",
        {"agency_id": agency_id, "mentor_id": mentor_id},
    )


def open_count_statement(agency_id: str, mentor_id: str) -> Statement:
    return (
        "SELECT count(*) FROM assignments"
        " WHERE agency_id = :agency_id AND mentor_id = :mentor_id AND status = 'open'",
        {"agency_id": agency_id, "mentor_id": mentor_id},
    )


async def lock_mentor_capacity(
    db: Executor, agency_id: str, mentor_id: str
) -> tuple[bool, int | None]:
    """Lock the mentor's row; whether it exists, and the caseload limit in force (None: none).

    The count of open assignments is a statement of its own, run after this one: under READ
    COMMITTED a statement that waited for the lock still reads with the snapshot it began with,
    so a count in the same statement would miss what the previous holder committed."""
    row = await db.fetch_one(*lock_mentor_statement(db.dialect, agency_id, mentor_id))
    if row is None:
        return False, None
    return True, None if row["capacity"] is None else int(row["capacity"])


async def open_count(db: Executor, agency_id: str, mentor_id: str) -> int:
    return int(await db.fetch_value(*open_count_statement(agency_id, mentor_id)))


def _mentor_where(scope: MentoringScope, params: dict[str, Any], open_only: bool) -> str:
    status = " AND a.status = 'open'" if open_only else ""
    return (
        " AND ".join(_assignments_in_scope(scope, params))
        + f" AND a.mentor_id = :mentor_id{status}"
    )


def mentor_total_statement(scope: MentoringScope, mentor_id: str, *, open_only: bool) -> Statement:
    """How many assignments the mentor has (open ones, or all); no row if there is no such
    mentor within ``scope``. One round trip, answered from the (agency, mentor, status) index."""
    params: dict[str, Any] = {"mentor_id": mentor_id}
    where = _mentor_where(scope, params, open_only)
    mentor = _person_in_scope("mentors", scope, params)
    return (
        f"SELECT (SELECT count(*) FROM assignments a WHERE {where}) AS total"
        f" FROM mentors WHERE {' AND '.join(mentor)} AND id = :mentor_id",
        params,
    )


async def mentor_total(
    db: Executor, scope: MentoringScope, mentor_id: str, *, open_only: bool
) -> int | None:
    """How many assignments the mentor has (open ones, or all); None if there is no such mentor
    within ``scope``."""
    total = await db.fetch_one(*mentor_total_statement(scope, mentor_id, open_only=open_only))
    return None if total is None else int(total["total"])


def mentor_page_statement(
    scope: MentoringScope, mentor_id: str, *, open_only: bool, page: PageRequest
) -> Statement:
    """Active view (open, oldest first) or history (all, newest first): index range scans."""
    sql, params = mentor_list_statement(scope, mentor_id, open_only=open_only)
    return f"{sql} LIMIT :limit OFFSET :offset", {
        **params,
        "limit": page.size,
        "offset": page.offset,
    }


def mentor_list_statement(
    scope: MentoringScope, mentor_id: str, *, open_only: bool, exported: Exported | None = None
) -> Statement:
    """All of a mentor's active view or history, in its order; with the columns of an export
    (``exported``), or else the list's."""
    params: dict[str, Any] = {"mentor_id": mentor_id}
    where = _mentor_where(scope, params, open_only)
    order = "a.assigned_date, a.id" if open_only else "a.assigned_date DESC, a.id DESC"
    if exported is not None:
        return f"SELECT {exported.select} FROM assignments a WHERE {where} ORDER BY {order}", params
    return f"SELECT {SUMMARY_COLUMNS} {ASSIGNMENTS_FROM} WHERE {where} ORDER BY {order}", params


async def mentor_assignments(
    db: Executor, scope: MentoringScope, mentor_id: str, *, open_only: bool, page: PageRequest
) -> list[Row]:
    return await db.fetch_all(
        *mentor_page_statement(scope, mentor_id, open_only=open_only, page=page)
    )


def exists_statement(table: str, agency_id: str, record_id: str) -> Statement:
    """A row if the agency has this mentor or contact."""
    return (
        f"SELECT 1 FROM {_table(table)} WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": record_id},
    )


async def mentor_exists(db: Executor, agency_id: str, mentor_id: str) -> bool:
    return await db.fetch_value(*exists_statement("mentors", agency_id, mentor_id)) is not None


async def contact_exists(db: Executor, agency_id: str, contact_id: str) -> bool:
    return await db.fetch_value(*exists_statement("contacts", agency_id, contact_id)) is not None


def mentor_addressee_statement(agency_id: str, mentor_id: str) -> Statement:
    """What a message to the mentor needs: its name and e-mail address (NULL: none)."""
    return (
        "SELECT name, email FROM mentors WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": mentor_id},
    )


async def mentor_addressee(db: Executor, agency_id: str, mentor_id: str) -> Row | None:
    return await db.fetch_one(*mentor_addressee_statement(agency_id, mentor_id))


# --- mentors and contacts ----------------------------------------------------------------------

PEOPLE_TABLES = ("mentors", "contacts")
# Each table's columns come from its kind's create and update models.
_PERSON_FIELDS = {"mentors": field_names(MentorFields), "contacts": field_names(PersonCreate)}
_PERSON_UPDATABLE = {"mentors": field_names(MentorUpdate), "contacts": field_names(PersonUpdate)}

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
    return ", ".join([f"id AS {id_field}", *_PERSON_FIELDS[table], "created_at", "updated_at"])


def _person_in_scope(table: str, scope: MentoringScope, params: dict[str, Any]) -> list[str]:
    """The conditions that keep a read of mentors or contacts within ``scope``: a scope limited
    to one mentor holds that mentor, and the contacts it has an assignment with in the status
    ``scope.contacts_through``."""
    params["agency_id"] = scope.agency_id
    clauses = ["agency_id = :agency_id"]
    if scope.mentor_id is None:
        return clauses
    params["scope_mentor"] = scope.mentor_id
    if _table(table) == "mentors":
        return [*clauses, "id = :scope_mentor"]
    params["contacts_through"] = scope.contacts_through
    return [
        *clauses,
        "id IN (SELECT contact_id FROM assignments WHERE agency_id = :agency_id"
        " AND mentor_id = :scope_mentor AND status = :contacts_through)",
    ]


# --- contacts waiting for a mentor ------------------------------------------------------------

# A contact (alias ``c``) is waiting when it has no open assignment; it has waited since the later
# of its creation and the closing of its last assignment (``last_closed`` on alias ``c``).
WAITING = (
    "NOT EXISTS (SELECT 1 FROM assignments open_a WHERE open_a.agency_id = c.agency_id"
    " AND open_a.contact_id = c.id AND open_a.status = 'open')"
)
# How many contacts of agency ``:agency_id`` are WAITING: all of them but those with an open
# assignment. The same set counted as a difference of two index-only counts, where NOT EXISTS
# would probe the assignments once per contact (eight times slower on SQLite at 100,000).
# DISTINCT in a subquery: PostgreSQL hashes it, where count(DISTINCT …) always sorts.
WAITING_IN_AGENCY_COUNT = (
    "((SELECT count(*) FROM contacts every_c WHERE every_c.agency_id = :agency_id)"
    " - (SELECT count(*) FROM (SELECT DISTINCT held.contact_id FROM assignments held"
    " WHERE held.agency_id = :agency_id AND held.status = 'open') held_contacts))"
)
WAITING_SINCE = "CASE WHEN c.last_closed > c.created_at THEN c.last_closed ELSE c.created_at END"
_LAST_CLOSED = (
    "(SELECT MAX(closed.closed_date) FROM assignments closed"
    " WHERE closed.agency_id = c.agency_id AND closed.contact_id = c.id)"
)


def _waiting_from(scope: MentoringScope, params: dict[str, Any]) -> str:
    """``FROM`` the waiting contacts within ``scope``, each with ``last_closed``, as ``c``. The
    scope's conditions name no table: ``contacts c`` is the only one they can mean."""
    where = " AND ".join(_person_in_scope("contacts", scope, params))
    return (
        f"FROM (SELECT c.*, {_LAST_CLOSED} AS last_closed FROM contacts c"
        f" WHERE {where} AND {WAITING}) c"
    )


def waiting_contacts_statement(scope: MentoringScope, page: PageRequest) -> Statement:
    """A page of the contacts waiting for a mentor within ``scope``, longest waiting first
    (``waiting_since``, then id), each with the contact's fields and ``waiting_since``."""
    sql, params = waiting_contacts_list_statement(scope)
    return (
        f"{sql} LIMIT :limit OFFSET :offset",
        {**params, "limit": page.size, "offset": page.offset},
    )


def waiting_contacts_list_statement(scope: MentoringScope) -> Statement:
    """Every contact waiting for a mentor within ``scope``, in the list's order (unpaged: what
    an export streams)."""
    params: dict[str, Any] = {}
    columns = ", ".join(
        [
            "c.id AS contact_id",
            *(f"c.{name}" for name in _PERSON_FIELDS["contacts"]),
            "c.created_at",
        ]
    )
    return (
        f"SELECT {columns}, c.updated_at, {WAITING_SINCE} AS waiting_since"
        f" {_waiting_from(scope, params)} ORDER BY waiting_since, c.id",
        params,
    )


def waiting_contacts_total(scope: MentoringScope) -> Statement:
    """The ``FROM … WHERE …`` that counts the waiting contacts within ``scope``."""
    params: dict[str, Any] = {}
    where = " AND ".join(_person_in_scope("contacts", scope, params))
    return f"FROM contacts c WHERE {where} AND {WAITING}", params


async def list_waiting_contacts(
    db: Executor, scope: MentoringScope, page: PageRequest
) -> tuple[list[Row], int]:
    rows = await db.fetch_all(*waiting_contacts_statement(scope, page))
    total = await db.totals.count(db, *waiting_contacts_total(scope))
    return [computed_times(row, ("waiting_since",)) for row in rows], total


def computed_times(row: Row, names: tuple[str, ...]) -> Row:
    """A computed time as a datetime on both databases: SQLite gives a computed column no
    declared type, so it arrives as the stored text."""
    for name in names:
        value = row[name]
        if isinstance(value, str):
            row[name] = datetime.fromisoformat(value).astimezone(UTC)
    return row


async def list_people(
    db: Executor, table: str, id_field: str, scope: MentoringScope, sort: str, page: PageRequest
) -> tuple[list[Row], int]:
    """A page of mentors or contacts within ``scope``."""
    params: dict[str, Any] = {}
    where = " AND ".join(_person_in_scope(table, scope, params))
    rows = await db.fetch_all(
        f"SELECT {_person_columns(table, id_field)} FROM {table} WHERE {where}"
        f" ORDER BY {_PERSON_ORDER[sort]} LIMIT :limit OFFSET :offset",
        {**params, "limit": page.size, "offset": page.offset},
    )
    total = await db.totals.count(db, f"FROM {table} WHERE {where}", params)
    return rows, total


def people_list_statement(table: str, id_field: str, scope: MentoringScope, sort: str) -> Statement:
    """Every mentor or contact the list holds, in its order, with the list's columns."""
    params: dict[str, Any] = {}
    where = " AND ".join(_person_in_scope(table, scope, params))
    return (
        f"SELECT {_person_columns(table, id_field)} FROM {table} WHERE {where}"
        f" ORDER BY {_PERSON_ORDER[sort]}",
        params,
    )


async def get_person(
    db: Executor, table: str, id_field: str, scope: MentoringScope, person_id: str
) -> Row | None:
    params: dict[str, Any] = {"id": person_id}
    where = " AND ".join([*_person_in_scope(table, scope, params), "id = :id"])
    return await db.fetch_one(
        f"SELECT {_person_columns(table, id_field)} FROM {table} WHERE {where}", params
    )


async def insert_person(db: Executor, table: str, row: dict[str, Any]) -> None:
    """A new mentor or contact: ``agency_id``, ``id``, ``now`` and its fields (None if absent)."""
    fields = _PERSON_FIELDS[_table(table)]
    names = ", ".join(fields)
    values = ", ".join(f":{name}" for name in fields)
    await db.execute(
        f"INSERT INTO {table} (agency_id, id, {names}, created_at, updated_at)"
        f" VALUES (:agency_id, :id, {values}, :now, :now)",
        {name: row.get(name) for name in fields} | row,
    )


async def update_person(
    db: Executor, table: str, agency_id: str, person_id: str, changes: dict[str, Any], now: datetime
) -> int:
    assignments = _set_clause(changes, _PERSON_UPDATABLE[_table(table)])
    return await db.execute(
        f"UPDATE {_table(table)} SET {assignments}, updated_at = :now"
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
        f"SELECT {_LOCKED_COLUMNS} FROM assignments a"
        f" WHERE a.agency_id = :agency_id AND a.{person_column} = :person_id{for_update(db)}",
        {"agency_id": agency_id, "person_id": person_id},
    )


async def delete_person(db: Executor, table: str, agency_id: str, person_id: str) -> None:
    _table(table)
    await db.execute(
        f"DELETE FROM {table} WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": agency_id, "id": person_id},
    )
