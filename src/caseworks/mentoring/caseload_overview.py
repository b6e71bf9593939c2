"""The figures a coordinator's overview shows, and the mentors to choose from when assigning.

Each counted live from the assignments at the moment of the read, by the same rules (and the
same SQL fragments) as the caseload summary (``caseload_queries``), so a tile and the summary's
figure of the same name agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from caseworks.auth import Principal, policy
from caseworks.auth.agencies import read_settings
from caseworks.core.errors import Conflict
from caseworks.db import Database, Row
from caseworks.mentoring import caseload_queries as queries
from caseworks.mentoring.mentor_assignments import create_assignment
from caseworks.mentoring.mentoring_models import AssignmentCreate
from caseworks.mentoring.people import CONTACTS, get_person


@dataclass(frozen=True)
class CaseloadCounts:
    """The overview's four figures, each the summary's figure of the same name."""

    open_assignments: int
    waiting_contacts: int
    stale_assignments: int
    mentors_over_capacity: int


async def caseload_counts(db: Database, caller: Principal, now: datetime) -> CaseloadCounts:
    """The four figures of the caseload summary the overview shows (admins and supervisors),
    without the summary's dearer parts (the median days to a match, the match lengths)."""
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


@dataclass(frozen=True)
class MentorLoadRow:
    """One mentor's open assignments against the limit in force (None: no limit)."""

    mentor_id: str
    name: str
    open: int
    limit: int | None

    @property
    def full(self) -> bool:
        """At or over the limit: one more assignment needs an override."""
        return self.limit is not None and self.open >= self.limit


def _load_rows(rows: list[Row]) -> list[MentorLoadRow]:
    return [
        MentorLoadRow(
            row["mentor_id"],
            row["name"],
            int(row["open"]),
            None if row["capacity"] is None else int(row["capacity"]),
        )
        for row in rows
    ]


CHART_MENTORS = 25


async def capacity_chart_rows(
    db: Database, caller: Principal, limit: int = CHART_MENTORS
) -> list[MentorLoadRow]:
    """The ``limit`` most loaded mentors (open over limit, then open; mentors without a limit
    after all those with one), most loaded first (admins and supervisors)."""
    policy.require_mentoring_manager(caller)
    return _load_rows(await queries.most_loaded(db, caller.agency_id, limit))


CHOICES = 50


async def mentor_choices(
    db: Database,
    caller: Principal,
    contact_id: str,
    name_contains: str | None = None,
    limit: int = CHOICES,
) -> list[MentorLoadRow]:
    """The mentors a contact may be assigned to, for a select box: the ``limit`` lightest
    (under their limit by open over limit, then those without a limit by open, then those at
    or over it, each `full`), or with ``name_contains`` the lightest whose name holds it. 404
    for a contact the caller cannot see; admins and supervisors only (they alone assign)."""
    policy.require_mentoring_manager(caller)
    await get_person(db, caller, CONTACTS, contact_id)
    return _load_rows(await queries.lightest(db, caller.agency_id, limit, name_contains))


@dataclass(frozen=True)
class MonthFlowRow:
    """Assignments opened and closed in one calendar month (``month``: its first day, in the
    agency's time zone)."""

    month: date
    opened: int
    closed: int


def month_starts(now: datetime, zone: tzinfo, months: int) -> list[datetime]:
    """The starts of the last ``months`` calendar months in ``zone`` (the current one last),
    then the start of the next: ``months + 1`` aware moments."""
    local = now.astimezone(zone)
    year, month = local.year, local.month
    firsts: list[date] = []
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    last = firsts[-1]
    firsts.append(date(last.year + last.month // 12, last.month % 12 + 1, 1))
    return [datetime(day.year, day.month, 1, tzinfo=zone) for day in firsts]


async def monthly_flow(
    db: Database, caller: Principal, now: datetime, months: int = 12
) -> list[MonthFlowRow]:
    """Assignments opened (by ``assigned_date``) and closed (by ``closed_date``) in each of the
    last ``months`` calendar months in the agency's time zone, the current one included,
    oldest first; a month with none is there with 0 (admins and supervisors)."""
    policy.require_mentoring_manager(caller)
    async with db.connection() as connection:
        settings = await read_settings(connection, caller.agency_id)
        starts = month_starts(now, settings.zone, months)
        bounds = [start.astimezone(UTC) for start in starts]
        row = await queries.monthly_flow(connection, caller.agency_id, bounds)
    return [
        MonthFlowRow(starts[i].date(), int(row[f"opened_{i}"]), int(row[f"closed_{i}"]))
        for i in range(months)
    ]


class NotWaiting(Conflict):
    """The contact already has an open assignment: assigning it from the waiting list would
    give it a second mentor."""


async def is_waiting(db: Database, caller: Principal, contact_id: str) -> bool:
    """Whether the contact (404 if the caller cannot see it) has no open assignment."""
    policy.require_mentoring_manager(caller)
    await get_person(db, caller, CONTACTS, contact_id)
    return await queries.is_waiting(db, caller.agency_id, contact_id)


async def assign_waiting_contact(db: Database, caller: Principal, data: AssignmentCreate) -> Row:
    """The new assignment of a waiting contact to a mentor, made by `create_assignment` (the
    API's own: capacity and its override, audit event, mail to the mentor). `NotWaiting` (409)
    when the contact already has an open assignment."""
    if not await is_waiting(db, caller, data.contact_id):
        raise NotWaiting(f"contact {data.contact_id} already has an open assignment")
    made, _ = await create_assignment(db, caller, data)
    return made
