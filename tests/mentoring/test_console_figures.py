"""The console's figures and choices, read through the services: tiles equal to the summary,
the capacity chart, the monthly flow in the agency's time zone, the mentors to choose from, and
a contact logged through the same write as the API's update."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import httpx
import pytest

from caseworks.auth import Principal
from caseworks.auth.principal import Role
from caseworks.core.errors import Forbidden, Invalid, NotFound
from caseworks.mentoring.caseloads import (
    capacity_chart_rows,
    caseload_counts,
    mentor_choices,
    monthly_flow,
)
from caseworks.mentoring.mentor_assignments import log_contact
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
    return Principal(tenant.agency_id, Role.ADMIN, "tok_console")


async def _mentor_with(api: httpx.AsyncClient, name: str, opened: int) -> str:
    mentor_id: str = (await create_mentor(api, name=name))["mentor_id"]
    for _ in range(opened):
        contact = await create_contact(api)
        await create_assignment(
            api, mentor_id, contact["contact_id"], assigned_date="2026-05-20T00:00:00Z"
        )
    return mentor_id


@pytest.fixture
async def loads(tenant: Tenant, api: httpx.AsyncClient) -> dict[str, str]:
    """Under an agency limit of 2: Ann 3 open (own limit 2, set after), Ben 1 of his own 4,
    Cat 2 of the agency's 2, Dan none; Eve 1 with no limit at all (own limit NULL is the
    agency's, so Eve is left to the agency: 1 of 2). One contact waits."""
    names = {"Ann": 3, "Ben": 1, "Cat": 2, "Dan": 0, "Eve": 1}
    ids = {name: await _mentor_with(api, name, opened) for name, opened in names.items()}
    await create_contact(api, name="Waiting Wenche")
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=2, stale_after_days=30)
    await set_columns(tenant.db, "mentors", tenant.agency_id, ids["Ann"], max_open_assignments=2)
    await set_columns(tenant.db, "mentors", tenant.agency_id, ids["Ben"], max_open_assignments=4)
    return ids


async def test_the_tiles_equal_the_summary(
    tenant: Tenant, api: httpx.AsyncClient, loads: dict[str, str], frozen_now: datetime
) -> None:
    summary = (await api.get("/api/v1/caseloads/summary")).json()
    counts = await caseload_counts(tenant.db, _admin(tenant), frozen_now)
    assert asdict(counts) == {name: summary[name] for name in asdict(counts)}
    assert asdict(counts) == {
        "open_assignments": 7,
        "waiting_contacts": 1,
        "stale_assignments": 0,
        "mentors_over_capacity": 1,
    }


async def test_the_tiles_count_stale_assignments_as_the_summary_does(
    tenant: Tenant, api: httpx.AsyncClient, loads: dict[str, str], frozen_now: datetime
) -> None:
    await set_agency(tenant.db, tenant.agency_id, stale_after_days=5)  # every one is stale
    summary = (await api.get("/api/v1/caseloads/summary")).json()
    counts = await caseload_counts(tenant.db, _admin(tenant), frozen_now)
    assert counts.stale_assignments == summary["stale_assignments"] == 7


async def test_the_chart_holds_the_most_loaded_mentors_first(
    tenant: Tenant, loads: dict[str, str]
) -> None:
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=None)
    rows = await capacity_chart_rows(tenant.db, _admin(tenant))
    # Ann 3/2, Ben 1/4; then those without a limit, by open: Cat 2, Eve 1, Dan 0.
    assert [(row.name, row.open, row.limit) for row in rows] == [
        ("Ann", 3, 2),
        ("Ben", 1, 4),
        ("Cat", 2, None),
        ("Eve", 1, None),
        ("Dan", 0, None),
    ]
    assert rows[0].mentor_id == loads["Ann"]


async def test_the_chart_and_the_tiles_are_for_managers_only(
    tenant: Tenant, loads: dict[str, str], frozen_now: datetime
) -> None:
    mentor = Principal(tenant.agency_id, Role.MENTOR, "tok_m", mentor_id=loads["Ann"])
    with pytest.raises(Forbidden):
        await capacity_chart_rows(tenant.db, mentor)
    with pytest.raises(Forbidden):
        await caseload_counts(tenant.db, mentor, frozen_now)


async def test_the_monthly_flow_counts_months_of_the_agencys_time_zone(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await set_agency(tenant.db, tenant.agency_id, time_zone="Europe/Oslo")
    mentor_id = (await create_mentor(api))["mentor_id"]

    async def assignment(assigned: str, closed: str | None = None) -> None:
        contact = await create_contact(api)
        made = await create_assignment(
            api, mentor_id, contact["contact_id"], assigned_date=assigned
        )
        if closed is not None:
            url = f"/api/v1/assignments/{made['assignment_id']}/status"
            assert (await api.patch(url, json={"status": "closed"})).status_code == 200
            await set_columns(
                tenant.db,
                "assignments",
                tenant.agency_id,
                made["assignment_id"],
                closed_date=at(closed),
            )

    # 22:30 UTC on 30 April is 00:30 on 1 May in Oslo.
    await assignment("2026-04-30T22:30:00Z", closed="2026-05-31T21:59:59Z")  # Oslo: May, May
    await assignment("2025-06-30T21:59:59Z")  # Oslo: 30 June 2025, before the twelve months
    await assignment("2025-06-30T22:00:00Z", closed="2026-06-01T10:00:00Z")  # July, June
    flow = await monthly_flow(tenant.db, _admin(tenant), NOW)
    assert [month.month for month in flow][:2] == [date(2025, 7, 1), date(2025, 8, 1)]
    assert len(flow) == 12
    assert flow[-1].month == date(2026, 6, 1)
    figures = {month.month: (month.opened, month.closed) for month in flow}
    assert figures[date(2025, 7, 1)] == (1, 0)
    assert figures[date(2026, 5, 1)] == (1, 1)
    assert figures[date(2026, 6, 1)] == (0, 1)
    assert sum(opened for opened, _ in figures.values()) == 2
    assert sum(closed for _, closed in figures.values()) == 2


async def test_the_choices_are_the_lightest_first_marking_the_full(
    tenant: Tenant, api: httpx.AsyncClient, loads: dict[str, str]
) -> None:
    waiting = await create_contact(api, name="Ola")
    choices = await mentor_choices(tenant.db, _admin(tenant), waiting["contact_id"])
    # Dan 0/2, Ben 1/4, Eve 1/2, Cat 2/2 (full), Ann 3/2 (over).
    assert [(c.name, c.open, c.limit, c.at_capacity) for c in choices] == [
        ("Dan", 0, 2, False),
        ("Ben", 1, 4, False),
        ("Eve", 1, 2, False),
        ("Cat", 2, 2, True),
        ("Ann", 3, 2, True),
    ]


async def test_a_search_adds_the_mentors_whose_names_match(
    tenant: Tenant, api: httpx.AsyncClient, loads: dict[str, str]
) -> None:
    waiting = await create_contact(api, name="Ola")
    choices = await mentor_choices(tenant.db, _admin(tenant), waiting["contact_id"], "a%")
    assert len(choices) == 5  # no name holds "a%": the lightest alone, none twice
    choices = await mentor_choices(tenant.db, _admin(tenant), waiting["contact_id"], " an")
    assert sorted(c.name for c in choices) == ["Ann", "Ben", "Cat", "Dan", "Eve"]


async def test_the_choices_for_an_unknown_contact_are_404(
    tenant: Tenant, loads: dict[str, str]
) -> None:
    with pytest.raises(NotFound):
        await mentor_choices(tenant.db, _admin(tenant), "contact_doesnotexist")


# --- logging a contact ---------------------------------------------------------------------------


async def _own_assignment(tenant: Tenant, api: httpx.AsyncClient) -> tuple[Principal, str, str]:
    mentor_id = (await create_mentor(api))["mentor_id"]
    contact = await create_contact(api)
    made = await create_assignment(
        api,
        mentor_id,
        contact["contact_id"],
        notes="First meeting.",
        assigned_date="2026-05-01T00:00:00Z",
    )
    mentor = Principal(tenant.agency_id, Role.MENTOR, "tok_mentor", mentor_id=mentor_id)
    return mentor, mentor_id, made["assignment_id"]


async def test_a_mentor_logs_a_contact_on_its_own_assignment(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor, _, assignment_id = await _own_assignment(tenant, api)
    row = await log_contact(
        tenant.db, mentor, assignment_id, at("2026-05-20T10:00:00Z"), "  Walked to school.\n"
    )
    assert row["notes"] == "First meeting.\n\nWalked to school."
    answer = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
    assert answer["last_contact_date"] == "2026-05-20T10:00:00Z"
    assert answer["notes"] == "First meeting.\n\nWalked to school."
    events = await tenant.db.fetch_all(
        "SELECT action, actor_token_id FROM audit_events WHERE agency_id = :agency_id"
        " AND subject_type = 'assignment' AND subject_id = :id AND action = 'updated'",
        {"agency_id": tenant.agency_id, "id": assignment_id},
    )
    assert len(events) == 1


async def test_an_empty_note_sets_the_date_only(tenant: Tenant, api: httpx.AsyncClient) -> None:
    mentor, _, assignment_id = await _own_assignment(tenant, api)
    row = await log_contact(tenant.db, mentor, assignment_id, at("2026-05-21T00:00:00Z"), "  ")
    assert row["notes"] == "First meeting."
    assert row["last_contact_date"] is not None


async def test_another_mentors_assignment_is_404(tenant: Tenant, api: httpx.AsyncClient) -> None:
    _, _, assignment_id = await _own_assignment(tenant, api)
    other_id = (await create_mentor(api, name="Other"))["mentor_id"]
    other = Principal(tenant.agency_id, Role.MENTOR, "tok_other", mentor_id=other_id)
    with pytest.raises(NotFound):
        await log_contact(tenant.db, other, assignment_id, at("2026-05-20T00:00:00Z"), "x")


async def test_a_closed_assignment_is_refused_as_the_update_refuses_it(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor, mentor_id, assignment_id = await _own_assignment(tenant, api)
    url = f"/api/v1/assignments/{assignment_id}"
    assert (await api.patch(f"{url}/status", json={"status": "closed"})).status_code == 200
    token = await tenant.token(Role.MENTOR, mentor_id=mentor_id)
    async with tenant.client(token) as as_mentor:
        put = await as_mentor.put(url, json={"last_contact_date": "2026-05-20T00:00:00Z"})
    with pytest.raises(Forbidden) as refused:
        await log_contact(tenant.db, mentor, assignment_id, at("2026-05-20T00:00:00Z"), "x")
    assert put.status_code == refused.value.status == 403


async def test_a_note_too_long_once_appended_is_refused_and_nothing_written(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor, _, assignment_id = await _own_assignment(tenant, api)
    with pytest.raises(Invalid) as refused:
        await log_contact(
            tenant.db, mentor, assignment_id, at("2026-05-20T00:00:00Z"), "x" * 10_000
        )
    assert refused.value.status == 422
    answer = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
    assert answer["notes"] == "First meeting."
    assert answer["last_contact_date"] is None
