"""SQL of the caseload summaries, and nothing else: per-mentor caseloads and the agency's figures.

Everything is counted live from the assignments, never kept in counters, so it is exact at the
moment of the read. Each count of one mentor's assignments is a range of the (agency, mentor,
status, …) indexes, so a page of mentors costs a few index probes per mentor on it, whatever the
size of the agency. The rules (stale, the capacity in force, waiting) are ``mentoring_queries``'
own, used here, not spelled again. The benchmark's raw app runs these very builders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caseworks.auth.policy import MentoringScope
from caseworks.core.pagination import PageRequest
from caseworks.db import Executor, Row
from caseworks.mentoring.mentoring_queries import (
    CAPACITY_IN_FORCE,
    MENTOR_WITH_AGENCY,
    STALE,
    WAITING,
    WAITING_IN_AGENCY_COUNT,
    Statement,
    computed_times,
)

# One mentor's (``m``) assignments, as ``a``.
_OF_MENTOR = "FROM assignments a WHERE a.agency_id = m.agency_id AND a.mentor_id = m.id"
OPEN_OF_MENTOR = f"(SELECT count(*) {_OF_MENTOR} AND a.status = 'open')"

# What a caseload row holds, each from a fixed fragment; the client picks among these names.
CASELOAD_COLUMNS = {
    "mentor_id": "m.id",
    "name": "m.name",
    "open": OPEN_OF_MENTOR,
    "capacity": CAPACITY_IN_FORCE,
    "stale": f"(SELECT count(*) {_OF_MENTOR} AND {STALE})",
    # Among the open assignments, those with a contact logged; NULL when none has one.
    "oldest_last_contact_date": (
        f"(SELECT MIN(a.last_contact_date) {_OF_MENTOR} AND a.status = 'open')"
    ),
    "last_assigned_date": f"(SELECT MAX(a.assigned_date) {_OF_MENTOR})",
}
# A mentor (``m``, joined to its agency ``ag``) holding more open assignments than its limit in
# force: the summary's over-capacity rule, as a condition on one mentor row.
OVER_CAPACITY = f"({CAPACITY_IN_FORCE} IS NOT NULL AND {OPEN_OF_MENTOR} > {CAPACITY_IN_FORCE})"
# Columns that may be NULL sort after every value ascending, before every value descending (as
# PostgreSQL does by itself; SQLite is told).
_NULLABLE = frozenset({"capacity", "oldest_last_contact_date", "last_assigned_date"})
# Sorted by a mentor's own column, a page is a range of the (agency, name, id) index and only
# its rows' counts are taken; a count as the key must be taken for every mentor first.
_MENTOR_ORDER = {"mentor_id": ("m.id",), "name": ("m.name", "m.id")}


def caseload_order(sort: str) -> str:
    """``ORDER BY`` of a caseload page: ``sort`` is a name of ``CASELOAD_COLUMNS``, ``-`` for
    descending; ties by mentor id, in the same direction."""
    name = sort.removeprefix("-")
    if name not in CASELOAD_COLUMNS:
        raise ValueError(sort)
    direction = "DESC" if sort.startswith("-") else "ASC"
    if name in _MENTOR_ORDER:
        return ", ".join(f"{column} {direction}" for column in _MENTOR_ORDER[name])
    nulls = (" NULLS FIRST" if direction == "DESC" else " NULLS LAST") if name in _NULLABLE else ""
    return f"{name} {direction}{nulls}, mentor_id {direction}"


def _mentors_in_scope(
    scope: MentoringScope, params: dict[str, Any], over_capacity: bool | None = None
) -> str:
    """The mentors within ``scope``; with ``over_capacity``, only those over their limit (true)
    or only the others (false)."""
    params["agency_id"] = scope.agency_id
    where = "m.agency_id = :agency_id"
    if scope.mentor_id is not None:
        params["scope_mentor"] = scope.mentor_id
        where += " AND m.id = :scope_mentor"
    if over_capacity is not None:
        where += f" AND {'' if over_capacity else 'NOT '}{OVER_CAPACITY}"
    return where


def mentor_caseloads_statement(
    scope: MentoringScope,
    stale_before: datetime,
    sort: str,
    page: PageRequest,
    over_capacity: bool | None = None,
) -> tuple[Statement, Statement]:
    """A page of mentors' caseloads within ``scope``; and the ``FROM … WHERE …`` of its total.
    ``stale_before`` is the agency's stale moment (``AgencySettings.stale_before``)."""
    sql, params = mentor_caseloads_list_statement(scope, stale_before, sort, over_capacity)
    total_params = {name: value for name, value in params.items() if name != "stale_before"}
    where = _mentors_in_scope(scope, {}, over_capacity)
    # The capacity rule needs the agency's default: the total joins it only when filtering.
    source = "mentors m" if over_capacity is None else MENTOR_WITH_AGENCY
    return (
        (
            f"{sql} LIMIT :limit OFFSET :offset",
            {**params, "limit": page.size, "offset": page.offset},
        ),
        (f"FROM {source} WHERE {where}", total_params),
    )


def mentor_caseloads_list_statement(
    scope: MentoringScope, stale_before: datetime, sort: str, over_capacity: bool | None = None
) -> Statement:
    """Every mentor's caseload within ``scope``, in the order ``sort`` gives (the list's rows,
    unpaged: what an export streams); with ``over_capacity``, only the mentors over their limit
    (true) or only the others (false)."""
    params: dict[str, Any] = {"stale_before": stale_before}
    where = _mentors_in_scope(scope, params, over_capacity)
    columns = ", ".join(f"{sql} AS {name}" for name, sql in CASELOAD_COLUMNS.items())
    return (
        f"SELECT {columns} FROM {MENTOR_WITH_AGENCY} WHERE {where} ORDER BY {caseload_order(sort)}",
        params,
    )


async def mentor_caseloads(
    db: Executor,
    scope: MentoringScope,
    stale_before: datetime,
    sort: str,
    page: PageRequest,
    over_capacity: bool | None = None,
) -> tuple[list[Row], int]:
    (sql, params), (from_where, count_params) = mentor_caseloads_statement(
        scope, stale_before, sort, page, over_capacity
    )
    rows = await db.fetch_all(sql, params)
    times = ("oldest_last_contact_date", "last_assigned_date")
    total = await db.totals.count(db, from_where, count_params)
    return [computed_times(row, times) for row in rows], total


# --- the agency's figures ------------------------------------------------------------------------


def seconds_between(dialect: str, start: str, end: str) -> str:
    """Whole seconds from ``start`` to ``end`` (SQL expressions of times), none if ``end`` is
    before ``start``. Integers on both databases, so sums and medians of them are exact."""
    if dialect == "postgresql":
        between = f"CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) AS BIGINT)"
    else:
        # Julian days are doubles (about 50 µs apart near today): times stored to the second
        # round back to their exact whole seconds, and julianday() parses several times faster
        # than strftime('%s').
        between = f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"
    return f"(CASE WHEN {between} > 0 THEN {between} ELSE 0 END)"


def total_seconds(dialect: str, start: str, end: str) -> str:
    """The sum over the rows of ``seconds_between(start, end)``; NULL over no rows. PostgreSQL
    adds the intervals and takes their seconds once (exact, and a third faster than a number of
    seconds per row)."""
    if dialect == "postgresql":
        return f"EXTRACT(EPOCH FROM SUM(GREATEST(({end}) - ({start}), INTERVAL '0')))"
    return f"SUM({seconds_between(dialect, start, end)})"


def open_per_mentor(dialect: str) -> str:
    """Each mentor of ``:agency_id`` (``mentor_id``, ``name``) with its limit in force
    (``capacity``) and open count (``open``): what the summary and the digest count.
    PostgreSQL groups the open assignments in one pass over the one-open-pair index; SQLite's
    planner would group through the (agency, mentor, status) index, every assignment of the
    agency, so there each
    mentor's count is its own index range."""
    if dialect == "postgresql":
        return (
            f"SELECT m.id AS mentor_id, m.name, {CAPACITY_IN_FORCE} AS capacity,"
            " COALESCE(held.open, 0) AS open"
            f" FROM {MENTOR_WITH_AGENCY} LEFT JOIN ("
            "SELECT a.mentor_id, count(*) AS open FROM assignments a"
            " WHERE a.agency_id = :agency_id AND a.status = 'open' GROUP BY a.mentor_id"
            ") held ON held.mentor_id = m.id WHERE m.agency_id = :agency_id"
        )
    return (
        f"SELECT m.id AS mentor_id, m.name, {CAPACITY_IN_FORCE} AS capacity,"
        f" {OPEN_OF_MENTOR} AS open FROM {MENTOR_WITH_AGENCY} WHERE m.agency_id = :agency_id"
    )


# The figures the summary and the console's tiles share, each defined once here.
OPEN_IN_AGENCY_COUNT = (
    "(SELECT count(*) FROM assignments a WHERE a.agency_id = :agency_id AND a.status = 'open')"
)
STALE_IN_AGENCY_COUNT = (
    f"(SELECT count(*) FROM assignments a WHERE a.agency_id = :agency_id AND {STALE})"
)
# Over the rows of ``open_per_mentor`` as ``per_mentor``: how many hold more than their limit.
OVER_CAPACITY_SUM = (
    "COALESCE(SUM(CASE WHEN per_mentor.open > per_mentor.capacity THEN 1 ELSE 0 END), 0)"
)


def over_capacity_count(dialect: str) -> str:
    """How many mentors of ``:agency_id`` hold more open assignments than their limit."""
    return (
        f"(WITH per_mentor AS MATERIALIZED ({open_per_mentor(dialect)})"
        f" SELECT {OVER_CAPACITY_SUM} FROM per_mentor)"
    )


def caseload_counts_statement(dialect: str, agency_id: str, stale_before: datetime) -> Statement:
    """The four counts of the console's tiles, from the summary's own fragments."""
    sql = (
        f"SELECT {OPEN_IN_AGENCY_COUNT} AS open_assignments,"
        f" {WAITING_IN_AGENCY_COUNT} AS waiting_contacts,"
        f" {STALE_IN_AGENCY_COUNT} AS stale_assignments,"
        f" {over_capacity_count(dialect)} AS mentors_over_capacity"
    )
    return sql, {"agency_id": agency_id, "stale_before": stale_before}


async def caseload_counts(db: Executor, agency_id: str, stale_before: datetime) -> Row:
    row = await db.fetch_one(*caseload_counts_statement(db.dialect, agency_id, stale_before))
    if row is None:  # one row always: every part is an aggregate
        raise LookupError("the counts statement answered no row")
    return row


# How loaded a mentor of ``open_per_mentor`` (as ``pm``) is: open over limit; NULL without a
# limit; a limit of 0 counts as full when nothing is open and as far over when anything is.
_LOAD = (
    "CASE WHEN pm.capacity IS NULL THEN NULL"
    " WHEN pm.capacity = 0 THEN CASE WHEN pm.open > 0 THEN 1e9 ELSE 1.0 END"
    " ELSE pm.open * 1.0 / pm.capacity END"
)
_CHART_COLUMNS = "pm.mentor_id, pm.name, pm.open, pm.capacity"


def capacity_chart_statement(dialect: str, agency_id: str, limit: int) -> Statement:
    """The ``limit`` most loaded mentors: by open over limit, then open (mentors without a limit
    after every mentor with one), then id."""
    sql = (
        f"SELECT {_CHART_COLUMNS} FROM ({open_per_mentor(dialect)}) pm"
        f" ORDER BY {_LOAD} DESC NULLS LAST, pm.open DESC, pm.mentor_id LIMIT :limit"
    )
    return sql, {"agency_id": agency_id, "limit": limit}


async def capacity_chart(db: Executor, agency_id: str, limit: int) -> list[Row]:
    return await db.fetch_all(*capacity_chart_statement(db.dialect, agency_id, limit))


def mentor_choices_statement(
    dialect: str, agency_id: str, limit: int, name_search: str | None
) -> Statement:
    """The ``limit`` lightest mentors (open over limit ascending, mentors without a limit after
    every mentor with one, then open, name and id); with ``name_search``, only the mentors whose
    name contains it (case-insensitively)."""
    params: dict[str, Any] = {"agency_id": agency_id, "limit": limit}
    where = ""
    if name_search is not None:
        escaped = name_search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["name_pattern"] = f"%{escaped.lower()}%"
        where = " WHERE lower(pm.name) LIKE :name_pattern ESCAPE '\\'"
    sql = (
        f"SELECT {_CHART_COLUMNS} FROM ({open_per_mentor(dialect)}) pm{where}"
        f" ORDER BY {_LOAD} ASC NULLS LAST, pm.open, pm.name, pm.mentor_id LIMIT :limit"
    )
    return sql, params


async def mentor_choices(
    db: Executor, agency_id: str, limit: int, name_search: str | None
) -> list[Row]:
    return await db.fetch_all(*mentor_choices_statement(db.dialect, agency_id, limit, name_search))


def monthly_flow_statement(boundaries: list[datetime]) -> Statement:
    """Per month ``i`` (from ``boundaries[i]`` to ``boundaries[i + 1]``, UTC): the assignments of
    ``:agency_id`` assigned in it (``opened_i``) and closed in it (``closed_i``); each count a
    range of the (agency, assigned_date) and (agency, closed_date) indexes."""
    params: dict[str, Any] = {f"b{i}": moment for i, moment in enumerate(boundaries)}
    parts = []
    for i in range(len(boundaries) - 1):
        for name, column in (("opened", "assigned_date"), ("closed", "closed_date")):
            parts.append(
                f"(SELECT count(*) FROM assignments a WHERE a.agency_id = :agency_id"
                f" AND a.{column} >= :b{i} AND a.{column} < :b{i + 1}) AS {name}_{i}"
            )
    return f"SELECT {', '.join(parts)}", params


async def monthly_flow(db: Executor, agency_id: str, boundaries: list[datetime]) -> Row:
    sql, params = monthly_flow_statement(boundaries)
    row = await db.fetch_one(sql, {**params, "agency_id": agency_id})
    if row is None:
        raise LookupError("the flow statement answered no row")
    return row


def _median_seconds_to_match(dialect: str) -> str:
    """The median, over contacts first assigned in ``[:matched_since, :now]``, of the seconds
    from the contact's creation to that first assignment: the middle value, or the mean of the
    middle two (row numbers of the ordered values; no percentile function on SQLite). Only the
    contacts with an assignment in the window can have been first assigned in it: those are
    found on the (agency, assigned_date) index, and only their assignments are grouped."""
    seconds = seconds_between(dialect, "c.created_at", "f.first_assigned")
    return f"""
        SELECT AVG(ranked.seconds) AS median_seconds_to_match FROM (
            SELECT matched.seconds,
                ROW_NUMBER() OVER (ORDER BY matched.seconds) AS position,
                COUNT(*) OVER () AS matched_count
            FROM (
                SELECT {seconds} AS seconds FROM (
                    SELECT a.contact_id, MIN(a.assigned_date) AS first_assigned
                    FROM assignments a WHERE a.agency_id = :agency_id AND a.contact_id IN (
                        SELECT recent.contact_id FROM assignments recent
                        WHERE recent.agency_id = :agency_id
                            AND recent.assigned_date >= :matched_since
                            AND recent.assigned_date <= :now
                    )
                    GROUP BY a.contact_id
                    HAVING MIN(a.assigned_date) >= :matched_since
                        AND MIN(a.assigned_date) <= :now
                ) f
                JOIN contacts c ON c.agency_id = :agency_id AND c.id = f.contact_id
            ) matched
        ) ranked
        WHERE ranked.position IN
            ((ranked.matched_count + 1) / 2, (ranked.matched_count + 2) / 2)
    """


def caseload_summary_statement(
    dialect: str, agency_id: str, now: datetime, stale_before: datetime, matched_since: datetime
) -> Statement:
    """The agency's figures in one row: counts; the median seconds to a first match over those
    first matched since ``matched_since``; and the total seconds and number of closed matches
    (their mean is the average match length)."""
    match_seconds = total_seconds(dialect, "a.assigned_date", "a.closed_date")
    sql = f"""
        SELECT
            {OPEN_IN_AGENCY_COUNT} AS open_assignments,
            {WAITING_IN_AGENCY_COUNT} AS waiting_contacts,
            {STALE_IN_AGENCY_COUNT} AS stale_assignments,
            loads.mentors_at_capacity, loads.mentors_over_capacity,
            loads.mentors_without_assignment,
            median.median_seconds_to_match,
            closed.match_seconds, closed.matches
        FROM (
            -- Materialised: each mentor's open count is taken once, not once for each of the
            -- three sums that read it.
            WITH per_mentor AS MATERIALIZED ({open_per_mentor(dialect)})
            SELECT
                COALESCE(SUM(CASE WHEN per_mentor.open = per_mentor.capacity THEN 1 ELSE 0 END), 0)
                    AS mentors_at_capacity,
                {OVER_CAPACITY_SUM} AS mentors_over_capacity,
                COALESCE(SUM(CASE WHEN per_mentor.open = 0 THEN 1 ELSE 0 END), 0)
                    AS mentors_without_assignment
            FROM per_mentor
        ) loads,
        ({_median_seconds_to_match(dialect)}) median,
        (
            SELECT COALESCE({match_seconds}, 0) AS match_seconds, count(*) AS matches
            FROM assignments a WHERE a.agency_id = :agency_id AND a.status = 'closed'
        ) closed
    """
    return sql, {
        "agency_id": agency_id,
        "now": now,
        "stale_before": stale_before,
        "matched_since": matched_since,
    }


async def caseload_summary(
    db: Executor, agency_id: str, now: datetime, stale_before: datetime, matched_since: datetime
) -> Row:
    statement = caseload_summary_statement(db.dialect, agency_id, now, stale_before, matched_since)
    row = await db.fetch_one(*statement)
    if row is None:  # one row always: every part is an aggregate
        raise LookupError("the summary statement answered no row")
    return row


def is_waiting_statement(agency_id: str, contact_id: str) -> Statement:
    """One row if contact ``contact_id`` of the agency is waiting (no open assignment)."""
    return (
        "SELECT 1 AS waiting FROM contacts c WHERE c.agency_id = :agency_id AND c.id = :id"
        f" AND {WAITING}",
        {"agency_id": agency_id, "id": contact_id},
    )


async def is_waiting(db: Executor, agency_id: str, contact_id: str) -> bool:
    return await db.fetch_one(*is_waiting_statement(agency_id, contact_id)) is not None
