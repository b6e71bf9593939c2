"""Caseloads: stale assignments, each mentor's caseload and the agency's figures.

Every figure is counted from the assignments as they are at the moment of the read (no stored
counters to drift); ``now`` is the caller's, so what "stale" and "the last 365 days" mean is fixed
by one clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from caseworks.auth import Principal, policy
from caseworks.auth.agencies import read_settings
from caseworks.core.pagination import Page, PageRequest
from caseworks.db import Database, Executor
from caseworks.db.base import StreamedRows
from caseworks.mentoring import caseload_queries as queries
from caseworks.mentoring.mentoring_queries import AssignmentFilters

# Days to a first match are measured over the contacts first matched within this window.
MATCH_WINDOW = timedelta(days=365)
SECONDS_PER_DAY = 86_400


async def with_stale_rule(
    db: Executor, agency_id: str, filters: AssignmentFilters, stale: bool | None, now: datetime
) -> AssignmentFilters:
    """``filters`` keeping only the stale assignments (``stale`` true) or only the others
    (false), by the agency's ``stale_after_days`` at ``now``; unchanged when ``stale`` is None."""
    if stale is None:
        return filters
    settings = await read_settings(db, agency_id)
    return replace(filters, stale_before=settings.stale_before(now), stale=stale)


async def mentor_caseloads(
    db: Database, caller: Principal, sort: str, page: PageRequest, now: datetime
) -> Page:
    """A page of mentors with their caseloads; a mentor sees its own row only."""
    scope = policy.mentoring_scope(caller)
    async with db.connection() as connection:  # settings, page and total: one checkout
        settings = await read_settings(connection, scope.agency_id)
        rows, total = await queries.mentor_caseloads(
            connection, scope, settings.stale_before(now), sort, page
        )
    return Page(rows, page, total)


async def export_mentor_caseloads(
    db: Database, caller: Principal, sort: str, now: datetime
) -> AsyncIterator[StreamedRows]:
    """Every mentor's caseload the list would page through, in its order, a batch at a time."""
    scope = policy.mentoring_scope(caller)
    settings = await read_settings(db, scope.agency_id)
    sql, params = queries.mentor_caseloads_list_statement(scope, settings.stale_before(now), sort)
    async for batch in db.stream(sql, params):
        yield batch


async def caseload_summary(db: Database, caller: Principal, now: datetime) -> dict[str, Any]:
    """The agency's caseload figures (admins and supervisors)."""
    policy.require_mentoring_manager(caller)
    async with db.connection() as connection:
        settings = await read_settings(connection, caller.agency_id)
        row = await queries.caseload_summary(
            connection, caller.agency_id, now, settings.stale_before(now), now - MATCH_WINDOW
        )
    median = row["median_seconds_to_match"]
    matches = int(row["matches"])
    return {
        "open_assignments": int(row["open_assignments"]),
        "waiting_contacts": int(row["waiting_contacts"]),
        "stale_assignments": int(row["stale_assignments"]),
        "mentors_at_capacity": int(row["mentors_at_capacity"]),
        "mentors_over_capacity": int(row["mentors_over_capacity"]),
        "mentors_without_assignment": int(row["mentors_without_assignment"]),
        # Exact: whole seconds from the database, divided once here.
        "median_days_to_match": None if median is None else float(median) / SECONDS_PER_DAY,
        "average_match_length_days": (
            int(row["match_seconds"]) / matches / SECONDS_PER_DAY if matches else None
        ),
    }
