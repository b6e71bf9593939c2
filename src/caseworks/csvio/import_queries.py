"""SQL of an import, and nothing else: records looked up by the thousand, written in batches.
Every statement filters by agency."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson

from caseworks.csvio.csv_columns import columns
from caseworks.db import Executor, Row
from caseworks.mentoring.mentoring_models import MentorFields, PersonCreate, field_names
from caseworks.mentoring.mentoring_queries import PEOPLE_TABLES

# Ids looked up in one statement: a round trip per ten thousand rows (at a thousand the round
# trips were a fifth of a 100,000-row import), one array parameter on either database.
LOOKUP_BATCH = 10_000

# A person's columns are its create model's fields (a mentor's add its caseload limit).
PERSON_COLUMNS = {
    "mentors": field_names(MentorFields),
    "contacts": field_names(PersonCreate),
}
assert set(PERSON_COLUMNS) == set(PEOPLE_TABLES)
# An assignment's columns are its file's, less the id (the row's key).
ASSIGNMENT_COLUMNS = tuple(name for name in columns("assignments") if name != "assignment_id")


async def plan_with_values(tx: Executor) -> None:
    """Plan the import's statements with their values, for this transaction only. A
    connection keeps the plan it made of a statement: one made while a table was small (an
    earlier import's first lookups) would look a thousand ids up by scanning the table that
    has grown since, seconds a statement."""
    if tx.dialect == "postgresql":
        await tx.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def _ids_in(column: str, ids: list[str], dialect: str) -> tuple[str, dict[str, Any]]:
    """``column`` among ``ids`` as one SQL text whatever their number, prepared once."""
    if dialect == "postgresql":
        return f"{column} = ANY(:ids)", {"ids": ids}
    return f"{column} IN (SELECT value FROM json_each(:ids))", {"ids": orjson.dumps(ids).decode()}


def _batches(ids: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for record_id in ids:
        batch.append(record_id)
        if len(batch) == LOOKUP_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def _rows_by_id(
    db: Executor, table: str, columns: Sequence[str], agency_id: str, ids: Iterable[str], key: str
) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for batch in _batches(ids):
        condition, params = _ids_in(key, batch, db.dialect)
        rows = await db.fetch_all(
            f"SELECT {', '.join(columns)} FROM {table}"
            f" WHERE agency_id = :agency_id AND {condition}",
            {**params, "agency_id": agency_id},
        )
        found |= {row["id"]: row for row in rows}
    return found


def _person_table(table: str) -> str:
    if table not in PERSON_COLUMNS:
        raise ValueError(table)
    return table


async def people(db: Executor, table: str, agency_id: str, ids: Iterable[str]) -> dict[str, Row]:
    """The agency's mentors or contacts among ``ids``, by id, with the columns a file holds."""
    columns = ("id", *PERSON_COLUMNS[_person_table(table)])
    return await _rows_by_id(db, table, columns, agency_id, ids, "id")


async def insert_people(db: Executor, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """New mentors or contacts: each row ``agency_id``, ``id``, ``now`` and every column."""
    names = ("agency_id", "id", *PERSON_COLUMNS[_person_table(table)])
    await db.execute_many(
        f"INSERT INTO {table} ({', '.join(names)}, created_at, updated_at)"
        f" VALUES ({', '.join(':' + name for name in names)}, :now, :now)",
        rows,
    )


async def update_rows(
    db: Executor,
    table: str,
    allowed: Sequence[str],
    agency_id: str,
    changes: Sequence[tuple[str, dict[str, Any]]],
    now: datetime,
) -> None:
    """Each (id, changed columns) pair, batched by which columns change: one statement per
    set of columns. Names come from ``allowed``, never from a file."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record_id, changed in changes:
        if not changed or not set(changed) <= set(allowed):
            raise ValueError(f"nothing to update, or not updatable: {sorted(changed)}")
        names = tuple(name for name in allowed if name in changed)
        groups.setdefault(names, []).append(
            {**changed, "agency_id": agency_id, "id": record_id, "now": now}
        )
    for names, rows in groups.items():
        assignments = ", ".join(f"{name} = :{name}" for name in names)
        await db.execute_many(
            f"UPDATE {table} SET {assignments}, updated_at = :now"
            " WHERE agency_id = :agency_id AND id = :id",
            rows,
        )


# --- assignments -------------------------------------------------------------------------------


async def assignments(db: Executor, agency_id: str, ids: Iterable[str]) -> dict[str, Row]:
    """The agency's assignments among ``ids``, by id, with the columns a file holds."""
    return await _rows_by_id(db, "assignments", ("id", *ASSIGNMENT_COLUMNS), agency_id, ids, "id")


async def existing_ids(db: Executor, table: str, agency_id: str, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` the agency's ``table`` (mentors or contacts) holds."""
    return set(await _rows_by_id(db, _person_table(table), ("id",), agency_id, ids, "id"))


async def open_assignments_of(db: Executor, agency_id: str, mentor_ids: Iterable[str]) -> list[Row]:
    """The open assignments of these mentors: which pairs are taken."""
    found: list[Row] = []
    for batch in _batches(mentor_ids):
        condition, params = _ids_in("mentor_id", batch, db.dialect)
        found += await db.fetch_all(
            "SELECT id, mentor_id, contact_id FROM assignments"
            f" WHERE agency_id = :agency_id AND status = 'open' AND {condition}",
            {**params, "agency_id": agency_id},
        )
    return found


async def insert_assignments(db: Executor, rows: Sequence[dict[str, Any]]) -> None:
    """New assignments: each row ``agency_id``, ``id``, ``now`` and every column."""
    names = ("agency_id", "id", *ASSIGNMENT_COLUMNS)
    await db.execute_many(
        f"INSERT INTO assignments ({', '.join(names)}, created_at, updated_at)"
        f" VALUES ({', '.join(':' + name for name in names)}, :now, :now)",
        rows,
    )
