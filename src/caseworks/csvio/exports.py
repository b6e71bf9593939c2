"""An agency's records of one kind as a CSV file, for the command line: the rows each list of the
API answers with no filter, in its default order, through the same services (and so the same
scope rules) and the same encoder (`csv_writing`) as ``format=csv``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, BinaryIO

from caseworks.auth.principal import Principal, Role
from caseworks.childwelfare import records, worker_caseloads
from caseworks.childwelfare import worker_assignments as casework
from caseworks.childwelfare.childwelfare_models import DEFAULT_ORDER
from caseworks.csvio.csv_columns import export_columns
from caseworks.csvio.csv_writing import layout
from caseworks.db import Database
from caseworks.mentoring import mentor_assignments, people
from caseworks.mentoring.mentoring_queries import AssignmentFilters

Batches = AsyncIterator[Sequence[Mapping[str, Any]]]
# The default sort of each mentoring list (its query models' default).
_BY_CREATION = "created_at"

_SOURCES: dict[str, Callable[[Database, Principal], Batches]] = {
    "mentors": lambda db, caller: people.export_people(db, caller, people.MENTORS, _BY_CREATION),
    "contacts": lambda db, caller: people.export_people(db, caller, people.CONTACTS, _BY_CREATION),
    "assignments": lambda db, caller: mentor_assignments.export_assignments(
        db, caller, AssignmentFilters(), _BY_CREATION, export_columns("assignments")
    ),
    "agency-workers": lambda db, caller: records.export_records(
        db, caller, records.WORKERS, DEFAULT_ORDER
    ),
    "children": lambda db, caller: records.export_records(
        db, caller, records.CHILDREN, DEFAULT_ORDER
    ),
    "applications": lambda db, caller: records.export_records(
        db, caller, records.APPLICATIONS, DEFAULT_ORDER
    ),
    "user-agency-profiles": lambda db, caller: records.export_records(
        db, caller, records.PROFILES, DEFAULT_ORDER
    ),
    "worker-assignments": lambda db, caller: casework.export_assignments(
        db, caller, {}, DEFAULT_ORDER
    ),
    "worker-caseloads": lambda db, caller: worker_caseloads.export_caseloads(
        db, caller, DEFAULT_ORDER
    ),
}
# The kinds the command exports: every kind with a list of the whole agency (an assignment's
# audit trail is exported from its own list).
KINDS = tuple(_SOURCES)
# The token id an audit event would name, were the command to write: it reads only.
_COMMAND_LINE = "command-line"


def reader(agency_id: str) -> Principal:
    """Who the command reads as: an admin of the agency, the widest scope a token can have
    there (it is run by whoever runs the server, who holds the database already)."""
    return Principal(agency_id, Role.ADMIN, token_id=_COMMAND_LINE)


async def write_export(db: Database, agency_id: str, kind: str, out: BinaryIO) -> int:
    """Every record of ``kind`` in the agency, as CSV bytes to ``out``; the number of rows."""
    written = 0
    csv_layout = layout(kind)
    out.write(csv_layout.header().encode())
    batches = _SOURCES[kind](db, reader(agency_id))
    async for batch in batches:
        out.write(csv_layout.rows(batch).encode())
        written += len(batch)
    return written
