"""SQL of the weekly caseload digest, and nothing else: which agencies may be due, the week's
claim, and what the digest lists. The caseload rules come from ``mentoring_queries`` (``STALE``
through ``AssignmentFilters``; each mentor's load is the summary's ``open_per_mentor``; the
contacts waiting are its own list of them), spelled there once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caseworks.auth.agencies import SETTINGS_COLUMNS
from caseworks.auth.policy import MentoringScope
from caseworks.db import Executor, Row
from caseworks.mentoring.caseload_queries import open_per_mentor
from caseworks.mentoring.mentoring_queries import AssignmentFilters

_SETTINGS = ", ".join(f"ag.{name}" for name in SETTINGS_COLUMNS)


async def agencies_with_recipients(db: Executor, agency_id: str | None = None) -> list[Row]:
    """Agencies whose digest has somewhere to go (one, or all), with their settings, name and
    the last week a digest was queued for (ISO week text sorts as time does)."""
    params: dict[str, Any] = {}
    only = ""
    if agency_id is not None:
        only = " AND ag.id = :agency_id"
        params["agency_id"] = agency_id
    return await db.fetch_all(
        f"""
        SELECT ag.id AS agency_id, ag.name, {_SETTINGS},
               (SELECT max(d.week) FROM digest_weeks d WHERE d.agency_id = ag.id) AS last_week
        FROM agencies ag
        WHERE ag.digest_recipients <> '[]'{only}
        ORDER BY ag.id
        """,
        params,
    )


async def claim_week(db: Executor, agency_id: str, week: str, now: datetime) -> bool:
    """Record the agency's digest of ``week`` as queued; False if it was already. Against a
    concurrent claim the primary key decides: on PostgreSQL the second insert waits for the
    first transaction and then does nothing (or claims, if that one rolled back)."""
    inserted = await db.execute(
        "INSERT INTO digest_weeks (agency_id, week, queued_at) VALUES (:agency_id, :week, :now)"
        " ON CONFLICT (agency_id, week) DO NOTHING",
        {"agency_id": agency_id, "week": week, "now": now},
    )
    return inserted == 1


async def stale_assignments(
    db: Executor, scope: MentoringScope, stale_before: datetime, limit: int
) -> tuple[list[Row], int]:
    """Stale open assignments, the longest without contact first; and how many there are."""
    where, params = AssignmentFilters(stale_before=stale_before).where(scope)
    rows = await db.fetch_all(
        f"""
        SELECT a.id AS assignment_id, a.contact_id, a.mentor_id, m.name AS mentor_name,
               a.assigned_date, a.last_contact_date
        FROM assignments a
        JOIN mentors m ON m.agency_id = a.agency_id AND m.id = a.mentor_id
        WHERE {where}
        ORDER BY COALESCE(a.last_contact_date, a.assigned_date), a.id
        LIMIT :limit
        """,
        {**params, "limit": limit},
    )
    total = await db.fetch_value(f"SELECT count(*) FROM assignments a WHERE {where}", params)
    return rows, int(total)


async def mentors_at_capacity(
    db: Executor, scope: MentoringScope, limit: int
) -> tuple[list[Row], int]:
    """Mentors whose open assignments reach or pass their limit in force, the furthest over
    first; and how many there are."""
    params = {"agency_id": scope.agency_id}
    # The summary's own count of each mentor's load; a NULL capacity (no limit) never matches.
    at_capacity = f"FROM ({open_per_mentor(db.dialect)}) load WHERE load.open >= load.capacity"
    rows = await db.fetch_all(
        f"SELECT load.* {at_capacity}"
        " ORDER BY load.open - load.capacity DESC, load.name, load.mentor_id LIMIT :limit",
        {**params, "limit": limit},
    )
    total = await db.fetch_value(f"SELECT count(*) {at_capacity}", params)
    return rows, int(total)
