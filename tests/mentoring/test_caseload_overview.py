"""The overview's figures: the four tile counts (equal to the summary's), the most loaded
mentors, the opened/closed months in the agency's time zone, and the mentors to choose from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.core.errors import Forbidden, NotFound
from caseworks.mentoring.caseload_overview import (
    capacity_chart_rows,
    caseload_counts,
    mentor_choices,
    month_starts,
    monthly_flow,
)
from tests.support.mentoring import (
    NOW,
    at,
    create_assignment,
    create_contact,
    create_mentor,
    set_agency,
    set_columns,
)
from tests.support.tenants import Tenant


def _admin(tenant: Tenant) -> Principal:
    return Principal(tenant.agency_id, Role.ADMIN, "tok_overview")


async def _loaded_agency(tenant: Tenant, api: httpx.AsyncClient) -> dict[str, str]:
    """Agency limit 2, stale after 30 days at NOW. Anna: 2 open (full), one of them stale; Bo:
    2 open, then his own limit lowered to 1 (over); Cy: none; Dee (own limit 9): 1 open. Two
    contacts wait."""
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=2, stale_after_days=30)
    ids = {name: (await create_mentor(api, name=name))["mentor_id"] for name in ("Anna", "Cy")}
    ids["Bo"] = (await create_mentor(api, name="Bo", max_open_assignments=3))["mentor_id"]
    ids["Dee"] = (await create_mentor(api, name="Dee", max_open_assignments=9))["mentor_id"]
    for mentor, assigned in (
        ("Anna", "2026-04-01T00:00:00Z"),  # stale at NOW
        ("Anna", "2026-05-20T00:00:00Z"),
        ("Bo", "2026-05-21T00:00:00Z"),
        ("Bo", "2026-05-22T00:00:00Z"),
        ("Dee", "2026-05-23T00:00:00Z"),
    ):
        contact = await create_contact(api, name=f"Contact of {mentor}")
        await create_assignment(api, ids[mentor], contact["contact_id"], assigned_date=assigned)
    # Bo's limit lowered below what he holds: over capacity.
    await set_columns(tenant.db, "mentors", tenant.agency_id, ids["Bo"], max_open_assignments=1)
    for name in ("Waiting One", "Waiting Two"):
        ids[name] = (await create_contact(api, name=name))["contact_id"]
    return ids


async def test_the_four_counts_equal_the_summary(tenant: Tenant, api: httpx.AsyncClient) -> None:
    await _loaded_agency(tenant, api)
    counts = await caseload_counts(tenant.db, _admin(tenant), NOW)
    tenant.app.state.clock = NOW.timestamp
    summary = (await api.get("/api/v1/caseloads/summary")).json()
    assert counts.open_assignments == summary["open_assignments"] == 5
    assert counts.waiting_contacts == summary["waiting_contacts"] == 2
    assert counts.stale_assignments == summary["stale_assignments"] == 1
    assert counts.mentors_over_capacity == summary["mentors_over_capacity"] == 1


async def test_the_counts_are_for_managers_only(tenant: Tenant) -> None:
    mentor = Principal(tenant.agency_id, Role.MENTOR, "tok_m", mentor_id="mentor_x")
    with pytest.raises(Forbidden):
        await caseload_counts(tenant.db, mentor, NOW)
    with pytest.raises(Forbidden):
        await capacity_chart_rows(tenant.db, mentor)
    with pytest.raises(Forbidden):
        await monthly_flow(tenant.db, mentor, NOW)


async def test_the_chart_shows_the_most_loaded_first(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids = await _loaded_agency(tenant, api)
    rows = await capacity_chart_rows(tenant.db, _admin(tenant))
    assert [(row.name, row.open, row.limit) for row in rows] == [
        ("Bo", 2, 1),
        ("Anna", 2, 2),
        ("Dee", 1, 9),
        ("Cy", 0, 2),
    ]
    assert rows[0].mentor_id == ids["Bo"]
    assert [row.name for row in await capacity_chart_rows(tenant.db, _admin(tenant), 2)] == [
        "Bo",
        "Anna",
    ]


async def test_mentors_without_a_limit_come_after_those_with_one(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=None)
    free = (await create_mentor(api, name="Free"))["mentor_id"]
    bound = (await create_mentor(api, name="Bound", max_open_assignments=5))["mentor_id"]
    for mentor in (free, free, bound):
        await create_assignment(api, mentor, (await create_contact(api))["contact_id"])
    rows = await capacity_chart_rows(tenant.db, _admin(tenant))
    assert [(row.name, row.limit) for row in rows] == [("Bound", 5), ("Free", None)]
    choices = await mentor_choices(
        tenant.db, _admin(tenant), (await create_contact(api))["contact_id"]
    )
    assert [(row.name, row.full) for row in choices] == [("Bound", False), ("Free", False)]


async def test_choices_are_lightest_first_with_the_full_ones_last_and_marked(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids = await _loaded_agency(tenant, api)
    choices = await mentor_choices(tenant.db, _admin(tenant), ids["Waiting One"])
    assert [(row.name, row.open, row.limit, row.full) for row in choices] == [
        ("Cy", 0, 2, False),
        ("Dee", 1, 9, False),
        ("Anna", 2, 2, True),
        ("Bo", 2, 1, True),
    ]


async def test_choices_can_be_searched_by_name_and_are_bounded(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids = await _loaded_agency(tenant, api)
    admin = _admin(tenant)
    found = await mentor_choices(tenant.db, admin, ids["Waiting One"], name_contains="an")
    assert [row.name for row in found] == ["Anna"]
    assert await mentor_choices(tenant.db, admin, ids["Waiting One"], name_contains="%") == []
    assert len(await mentor_choices(tenant.db, admin, ids["Waiting One"], limit=2)) == 2


async def test_choices_for_another_agencys_contact_are_404(
    tenant: Tenant, other_tenant: Tenant, api: httpx.AsyncClient
) -> None:
    contact = (await create_contact(api))["contact_id"]
    with pytest.raises(NotFound):
        await mentor_choices(tenant.db, _admin(other_tenant), contact)
    with pytest.raises(NotFound):
        await mentor_choices(tenant.db, _admin(tenant), "contact_nonexistent")


def test_month_starts_are_local_midnights_oldest_first() -> None:
    oslo = ZoneInfo("Europe/Oslo")
    # 23:30 UTC on 31 January is already February in Oslo.
    starts = month_starts(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), oslo, 3)
    assert [start.date() for start in starts] == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert starts[1].astimezone(UTC) == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


async def test_the_flow_counts_each_month_in_the_agencys_time_zone(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await set_agency(tenant.db, tenant.agency_id, time_zone="Europe/Oslo")
    mentor = (await create_mentor(api))["mentor_id"]
    # 2026-04-30T22:30Z is 1 May 00:30 in Oslo: May's, not April's.
    for assigned, closed in (
        ("2026-04-30T22:30:00Z", None),
        ("2026-04-15T10:00:00Z", "2026-05-02T10:00:00Z"),
        ("2025-07-10T10:00:00Z", None),  # July last year: the oldest month shown
        ("2025-06-30T21:30:00Z", None),  # 23:30 on 30 June in Oslo: too old
    ):
        contact = (await create_contact(api))["contact_id"]
        made = await create_assignment(api, mentor, contact, assigned_date=assigned)
        if closed is not None:
            await set_columns(
                tenant.db,
                "assignments",
                tenant.agency_id,
                made["assignment_id"],
                status="closed",
                closed_date=at(closed),
            )
    flow = await monthly_flow(tenant.db, _admin(tenant), NOW)
    assert len(flow) == 12
    by_month = {row.month: (row.opened, row.closed) for row in flow}
    assert flow[0].month == date(2025, 7, 1)
    assert flow[-1].month == date(2026, 6, 1)
    assert by_month[date(2026, 5, 1)] == (1, 1)
    assert by_month[date(2026, 4, 1)] == (1, 0)
    assert by_month[date(2025, 7, 1)] == (1, 0)
    assert sum(row.opened for row in flow) == 3
    assert by_month[date(2026, 6, 1)] == (0, 0)
