"""Caseloads: stale assignments, each mentor's caseload and the agency's figures.

Every figure is counted from the assignments as they are at the moment of the read (no stored
counters to drift); ``now`` is the caller's, so what "stale" and "the last 365 days" mean is fixed
by one clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from caseworks.auth import Principal, policy
from caseworks.auth.agencies import read_settings
from caseworks.core.errors import NotFound
from caseworks.core.pagination import Page, PageRequest
from caseworks.db import Database, Executor, Row
from caseworks.db.base import StreamedRow
from caseworks.mentoring import caseload_queries as queries
from caseworks.mentoring import mentoring_queries
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
) -> AsyncIterator[list[StreamedRow]]:
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


# --- the console's figures -----------------------------------------------------------------------

CHART_MENTORS = 25  # the capacity chart's bars
CHOICE_MENTORS = 50  # a select box's options, lightest first (and as many more matching a search)


@dataclass(frozen=True)
class CaseloadCounts:
    """The four tile numbers: the same as the summary's figures of the same names."""

    open_assignments: int
    waiting_contacts: int
    stale_assignments: int
    mentors_over_capacity: int


@dataclass(frozen=True)
class MentorLoad:
    """A mentor's open assignments against its limit in force (None: no limit)."""

    mentor_id: str
    name: str
    open: int
    limit: int | None

    @property
    def at_capacity(self) -> bool:
        """At or over its limit: one more assignment needs a manager's override."""
        return self.limit is not None and self.open >= self.limit


@dataclass(frozen=True)
class MonthFlow:
    """Assignments opened (by ``assigned_date``) and closed (by ``closed_date``) in one calendar
    month of the agency's time zone; ``month`` is its first day."""

    month: date
    opened: int
    closed: int


async def caseload_counts(db: Database, caller: Principal, now: datetime) -> CaseloadCounts:
    """The open, waiting, stale and over-capacity counts (admins and supervisors)."""
    policy.require_mentoring_manager(caller)
    async with db.connection() as connection:
        settings = await read_settings(connection, caller.agency_id)
        row = await queries.caseload_counts(
            connection, caller.agency_id, settings.stale_before(now)
        )
    return CaseloadCounts(
        open_assignments=int(row["open_assignments"]),
        waiting_contacts=int(row["waiting_contacts"]),
        stale_assignments=int(row["stale_assignments"]),
        mentors_over_capacity=int(row["mentors_over_capacity"]),
    )


def _load(row: Row) -> MentorLoad:
    limit = row["capacity"]
    return MentorLoad(
        str(row["mentor_id"]),
        str(row["name"]),
        int(row["open"]),
        None if limit is None else int(limit),
    )


async def capacity_chart_rows(db: Database, caller: Principal) -> list[MentorLoad]:
    """The 25 most loaded mentors, by open over limit, then open; mentors without a limit come
    after every mentor with one (admins and supervisors)."""
    policy.require_mentoring_manager(caller)
    rows = await queries.capacity_chart(db, caller.agency_id, CHART_MENTORS)
    return [_load(row) for row in rows]


def month_starts(zone: ZoneInfo, now: datetime, months: int) -> list[datetime]:
    """The first instants (UTC) of the ``months`` calendar months of ``zone`` up to and including
    the one holding ``now``, oldest first, and of the month after (the end of the last)."""
    local = now.astimezone(zone)
    year, month = local.year, local.month
    starts = []
    for back in range(months - 1, -2, -1):  # the oldest month … the month after this one
        index = year * 12 + (month - 1) - back
        first = datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)
        starts.append(first.astimezone(UTC))
    return starts


async def monthly_flow(
    db: Database, caller: Principal, now: datetime, months: int = 12
) -> list[MonthFlow]:
    """Per calendar month of the agency's time zone, the last ``months`` up to and including the
    current one, oldest first: the assignments opened and closed in it (0 when none)."""
    policy.require_mentoring_manager(caller)
    if months < 1:
        raise ValueError("months must be at least 1")
    async with db.connection() as connection:
        settings = await read_settings(connection, caller.agency_id)
        boundaries = month_starts(settings.zone, now, months)
        row = await queries.monthly_flow(connection, caller.agency_id, boundaries)
    return [
        MonthFlow(
            boundaries[i].astimezone(settings.zone).date(),
            int(row[f"opened_{i}"]),
            int(row[f"closed_{i}"]),
        )
        for i in range(months)
    ]


async def mentor_choices(
    db: Database, caller: Principal, contact_id: str, name_search: str | None = None
) -> list[MentorLoad]:
    """The mentors contact ``contact_id`` may be assigned to, for a select box: the 50 lightest
    (open over limit ascending; mentors without a limit after every mentor with one; then open,
    name), and with ``name_search`` also up to 50 more whose name contains it, lightest first
    among them. A blank search is none. An unknown contact, or another agency's, is 404."""
    policy.require_mentoring_manager(caller)
    async with db.connection() as connection:
        if not await mentoring_queries.contact_exists(connection, caller.agency_id, contact_id):
            raise NotFound(f"no contact {contact_id}")
        lightest = await queries.mentor_choices(connection, caller.agency_id, CHOICE_MENTORS, None)
        search = (name_search or "").strip()
        matching = (
            await queries.mentor_choices(connection, caller.agency_id, CHOICE_MENTORS, search)
            if search
            else []
        )
    chosen = [_load(row) for row in lightest]
    seen = {load.mentor_id for load in chosen}
    return chosen + [load for load in map(_load, matching) if load.mentor_id not in seen]
