"""Moving many assignments to one mentor: each through the single reassignment's rule, in order,
each reported, none skipped.

All items run in one transaction, each in its own savepoint: an item that fails is undone alone
and the next one goes on, seeing what the earlier ones did (the target's capacity they used
counts). The result list is so exactly what was committed. A dry run is the same transaction
rolled back at the end, so it answers what would happen without leaving a row, audit event
included.
"""

from __future__ import annotations

from datetime import datetime

from caseworks.auth import Principal, policy
from caseworks.core.errors import Conflict, FieldProblem, Invalid, NotFound
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor, Row, savepoint
from caseworks.mentoring import mentoring_queries as queries
from caseworks.mentoring.capacity import OverCapacity
from caseworks.mentoring.caseloads import with_stale_rule
from caseworks.mentoring.mentor_assignments import (
    SameMentor,
    check_override,
    chosen_filters,
    reassign_in,
)
from caseworks.mentoring.mentoring_models import (
    BULK_LIMIT,
    AssignmentSelection,
    BulkReassignment,
    Reassignment,
)
from caseworks.mentoring.mentoring_queries import AssignmentFilters


class _RolledBack(Exception):
    """Ends a dry run's transaction, carrying its results out."""

    def __init__(self, results: list[Row]) -> None:
        super().__init__("dry run")
        self.results = results


async def bulk_reassign(db: Database, caller: Principal, data: BulkReassignment) -> list[Row]:
    """One result per assignment, in the order given (or the list's order for a filter)."""
    policy.require_mentoring_manager(caller)
    check_override(caller, data)
    _check_selection(data)
    single = Reassignment(
        mentor_id=data.mentor_id,
        reason=data.reason,
        override_capacity=data.override_capacity,
        send_notification=data.send_notification,
    )
    try:
        async with db.transaction() as tx:
            ids = await _selected(tx, caller, data)
            await _require_mentor(tx, caller.agency_id, data.mentor_id)
            results = [await _one(tx, caller, assignment_id, single) for assignment_id in ids]
            if data.dry_run:
                raise _RolledBack(results)
            return results
    except _RolledBack as dry_run:
        return dry_run.results


def _check_selection(data: BulkReassignment) -> None:
    """Exactly one of ids and filter; ids each once and at most BULK_LIMIT of them."""
    given = [name for name in ("assignment_ids", "filter") if getattr(data, name) is not None]
    if len(given) != 1:
        detail = "send either assignment_ids or filter"
        pointers = given or ["assignment_ids", "filter"]
        raise Invalid(detail, [FieldProblem(detail, pointer=f"/{name}") for name in pointers])
    ids = data.assignment_ids
    if ids is None:
        return
    if len(ids) > BULK_LIMIT:
        raise Invalid.field(
            "/assignment_ids", f"{len(ids)} assignments given; at most {BULK_LIMIT} at once"
        )
    seen: set[str] = set()
    for index, assignment_id in enumerate(ids):
        if assignment_id in seen:
            raise Invalid.field(f"/assignment_ids/{index}", f"{assignment_id} is given twice")
        seen.add(assignment_id)
    if not ids:
        raise Invalid.field("/assignment_ids", "name at least one assignment")


async def _selected(tx: Executor, caller: Principal, data: BulkReassignment) -> list[str]:
    if data.assignment_ids is not None:
        return data.assignment_ids
    assert data.filter is not None
    scope = policy.mentoring_scope(caller)
    filters = await filters_of(tx, caller.agency_id, data.filter, utc_now())
    ids = await queries.selected_ids(tx, scope, filters, BULK_LIMIT + 1)
    if len(ids) > BULK_LIMIT:
        count = await queries.selected_count(tx, scope, filters)
        raise Invalid.field(
            "/filter", f"the filter matches {count} assignments; at most {BULK_LIMIT} at once"
        )
    return ids


async def filters_of(
    db: Executor, agency_id: str, selection: AssignmentSelection, now: datetime
) -> AssignmentFilters:
    """The list's filters for a selection: times in UTC, ``stale`` as the agency's moment."""
    filters = chosen_filters(selection)
    # The list's own rule: true keeps the stale ones, false the others.
    return await with_stale_rule(db, agency_id, filters, selection.stale, now)


async def _require_mentor(tx: Executor, agency_id: str, mentor_id: str) -> None:
    """An unknown target fails the whole request (422), not each item."""
    if not await queries.mentor_exists(tx, agency_id, mentor_id):
        raise Invalid.field("/mentor_id", f"no mentor {mentor_id}")


async def _one(tx: Executor, caller: Principal, assignment_id: str, data: Reassignment) -> Row:
    successor_id = new_id("assign")
    try:
        async with savepoint(tx, "bulk_item"):
            await reassign_in(tx, caller, assignment_id, data, successor_id)
    except OverCapacity as refused:
        return _result(assignment_id, "over_capacity", refused.detail)
    except NotFound as missing:
        return _result(assignment_id, "not_found", missing.detail)
    except (Conflict, SameMentor) as conflict:
        return _result(assignment_id, "conflict", conflict.detail)
    return _result(assignment_id, "reassigned", None, successor_id)


def _result(assignment_id: str, result: str, detail: str | None, opened: str | None = None) -> Row:
    return {
        "assignment_id": assignment_id,
        "result": result,
        "detail": detail,
        "opened_assignment_id": opened,
    }
