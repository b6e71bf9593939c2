"""Caseload summaries: each mentor's caseload, and the agency's figures, from hand-set dates."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.core.errors import NotFound
from caseworks.mentoring import caseloads as caseloads_service
from tests.support.mentoring import (
    at,
    create_assignment,
    create_contact,
    create_mentor,
    set_agency,
    set_columns,
)
from tests.support.tenants import Tenant

MENTORS = "/api/v1/caseloads/mentors"
SUMMARY = "/api/v1/caseloads/summary"
DAY = 86_400


@dataclass
class Caseloads:
    ids: dict[str, str]  # mentor name → id
    expected: list[dict[str, Any]]  # every mentor's row, as answered


async def _contact(tenant: Tenant, api: httpx.AsyncClient, created: str) -> str:
    contact_id: str = (await create_contact(api))["contact_id"]
    await set_columns(tenant.db, "contacts", tenant.agency_id, contact_id, created_at=at(created))
    return contact_id


async def _assign(
    tenant: Tenant,
    api: httpx.AsyncClient,
    mentor_id: str,
    contact_id: str,
    assigned: str,
    *,
    contact: str | None = None,
    closed: str | None = None,
) -> None:
    made = await create_assignment(api, mentor_id, contact_id, assigned_date=assigned)
    url = f"/api/v1/assignments/{made['assignment_id']}"
    if contact is not None:
        assert (await api.put(url, json={"last_contact_date": contact})).status_code == 200
    if closed is not None:
        assert (await api.patch(f"{url}/status", json={"status": "closed"})).status_code == 200
        await set_columns(
            tenant.db,
            "assignments",
            tenant.agency_id,
            made["assignment_id"],
            closed_date=at(closed),
        )


@pytest.fixture
async def caseloads(tenant: Tenant, api: httpx.AsyncClient) -> Caseloads:
    """Four mentors under an agency limit of 2, seen at 2026-06-01T12:00Z, stale after 30 days
    (before 2026-05-02T12:00Z):

    - Anna (the agency's limit, 2): two open, one of them stale, and one closed (31.5 days);
    - Bo (own limit 1, lowered after his two were made): two open, one stale;
    - Cy: nothing at all; Dee (own limit 5): two closed (45 and 30 days), nothing open.
    """
    ids = {name: (await create_mentor(api, name=name))["mentor_id"] for name in ("Anna", "Bo")}
    ids |= {name: (await create_mentor(api, name=name))["mentor_id"] for name in ("Cy", "Dee")}
    # Contacts, with the days from creation to their first assignment noted.
    k1 = await _contact(tenant, api, "2025-12-31T00:00:00Z")  # 1 day
    k2 = await _contact(tenant, api, "2026-01-29T00:00:00Z")  # 3 days
    k3 = await _contact(tenant, api, "2026-02-27T12:00:00Z")  # 1.5 days
    k4 = await _contact(tenant, api, "2026-03-22T00:00:00Z")  # 10 days
    k5 = await _contact(tenant, api, "2026-05-01T06:00:00Z")  # assigned before it was made: 0
    k6 = await _contact(tenant, api, "2025-11-21T00:00:00Z")  # 10 days
    k7 = await _contact(tenant, api, "2024-01-01T00:00:00Z")  # first assigned over a year ago
    await _contact(tenant, api, "2026-01-01T00:00:00Z")  # never assigned: waiting
    anna, bo, dee = ids["Anna"], ids["Bo"], ids["Dee"]
    await _assign(tenant, api, anna, k1, "2026-01-01T00:00:00Z", contact="2026-05-20T00:00:00Z")
    await _assign(tenant, api, anna, k2, "2026-02-01T00:00:00Z")
    await _assign(tenant, api, anna, k3, "2026-03-01T00:00:00Z", closed="2026-04-01T12:00:00Z")
    await _assign(tenant, api, bo, k4, "2026-04-01T00:00:00Z", contact="2026-04-10T00:00:00Z")
    await _assign(tenant, api, bo, k5, "2026-05-01T00:00:00Z", contact="2026-05-25T00:00:00Z")
    await _assign(tenant, api, dee, k6, "2025-12-01T00:00:00Z", closed="2026-01-15T00:00:00Z")
    await _assign(tenant, api, dee, k7, "2025-01-01T00:00:00Z", closed="2025-01-31T00:00:00Z")
    # The limits are set once the history is made: capacity applies to each new assignment.
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=2, stale_after_days=30)
    await set_columns(tenant.db, "mentors", tenant.agency_id, bo, max_open_assignments=1)
    await set_columns(tenant.db, "mentors", tenant.agency_id, dee, max_open_assignments=5)

    def row(name: str, open_: int, capacity: int | None, stale: int, *dates: str | None) -> Any:
        oldest, last = dates
        return {
            "mentor_id": ids[name],
            "name": name,
            "open": open_,
            "capacity": capacity,
            "stale": stale,
            "oldest_last_contact_date": oldest,
            "last_assigned_date": last,
        }

    expected = [
        row("Anna", 2, 2, 1, "2026-05-20T00:00:00Z", "2026-03-01T00:00:00Z"),
        row("Bo", 2, 1, 1, "2026-04-10T00:00:00Z", "2026-05-01T00:00:00Z"),
        row("Cy", 0, 2, 0, None, None),
        row("Dee", 0, 5, 0, None, "2025-12-01T00:00:00Z"),
    ]
    return Caseloads(ids, expected)


async def _get(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


async def test_each_mentors_caseload_is_counted(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    body = await _get(api, MENTORS)
    assert body == {
        "data": caseloads.expected,
        "pagination": {"page": 1, "limit": 20, "total": 4},
    }


def _in_order(rows: list[dict[str, Any]], sort: str) -> list[str]:
    """Mentor ids as the API orders them: nulls after every value, ties by id, ``-`` reversing
    all of it."""
    field = sort.removeprefix("-")
    ordered = sorted(rows, key=lambda row: (row[field] is None, row[field] or 0, row["mentor_id"]))
    if sort.startswith("-"):
        ordered.reverse()
    return [row["mentor_id"] for row in ordered]


SORTS = [
    "mentor_id",
    "name",
    "open",
    "capacity",
    "stale",
    "oldest_last_contact_date",
    "last_assigned_date",
]


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{field}" for field in SORTS)])
async def test_caseloads_sort_by_any_field(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime, sort: str
) -> None:
    body = await _get(api, f"{MENTORS}?sort={sort}")
    assert [row["mentor_id"] for row in body["data"]] == _in_order(caseloads.expected, sort)


async def test_caseloads_are_paged(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    second = await _get(api, f"{MENTORS}?limit=3&page=2&sort=-open")
    assert [row["mentor_id"] for row in second["data"]] == _in_order(caseloads.expected, "-open")[
        3:
    ]
    assert second["pagination"] == {"page": 2, "limit": 3, "total": 4}
    beyond = await _get(api, f"{MENTORS}?limit=3&page=3")
    assert beyond["data"] == []


async def test_a_mentor_sees_only_its_own_caseload(
    tenant: Tenant, caseloads: Caseloads, frozen_now: datetime
) -> None:
    token = await tenant.token(Role.MENTOR, mentor_id=caseloads.ids["Bo"])
    async with tenant.client(token) as bo:
        body = await _get(bo, MENTORS)
        assert body["data"] == [caseloads.expected[1]]
        assert body["pagination"]["total"] == 1
        assert (await bo.get(SUMMARY)).status_code == 403


async def test_the_summary_counts_the_agency(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    assert await _get(api, SUMMARY) == {
        "open_assignments": 4,
        "waiting_contacts": 4,  # k3, k6 and k7 (closed) and the contact never assigned
        "stale_assignments": 2,
        "mentors_at_capacity": 1,  # Anna
        "mentors_over_capacity": 1,  # Bo
        "mentors_without_assignment": 2,  # Cy and Dee
        # 0, 1, 1.5, 3, 10, 10 (k7 was first assigned more than 365 days before): (1.5 + 3) / 2
        "median_days_to_match": 2.25,
        "average_match_length_days": (31.5 + 45 + 30) / 3,
    }
    waiting = await _get(api, "/api/v1/contacts?waiting=true")
    assert waiting["pagination"]["total"] == 4


async def test_a_contact_held_by_two_mentors_is_not_waiting_and_counted_once(
    tenant: Tenant, api: httpx.AsyncClient, frozen_now: datetime
) -> None:
    first, second = [(await create_mentor(api, name=n))["mentor_id"] for n in ("A", "B")]
    shared = await _contact(tenant, api, "2026-01-01T00:00:00Z")
    alone = await _contact(tenant, api, "2026-01-01T00:00:00Z")
    await _assign(tenant, api, first, shared, "2026-02-01T00:00:00Z")
    await _assign(tenant, api, second, shared, "2026-03-01T00:00:00Z")
    summary = await _get(api, SUMMARY)
    assert (summary["open_assignments"], summary["waiting_contacts"]) == (2, 1)
    waiting = await _get(api, "/api/v1/contacts?waiting=true")
    assert [row["contact_id"] for row in waiting["data"]] == [alone]
    assert summary["median_days_to_match"] == 31.0  # the first of the shared contact's two


async def test_the_median_of_an_odd_count_is_the_middle_value(
    tenant: Tenant, api: httpx.AsyncClient, frozen_now: datetime
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    for created, assigned in (
        ("2026-05-01T00:00:00Z", "2026-05-01T06:00:00Z"),  # a quarter of a day
        ("2026-04-01T00:00:00Z", "2026-04-08T00:00:00Z"),  # 7 days
        ("2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z"),  # 2 days
    ):
        contact = await _contact(tenant, api, created)
        await _assign(tenant, api, mentor, contact, assigned)
    summary = await _get(api, SUMMARY)
    assert summary["median_days_to_match"] == 2.0
    assert summary["average_match_length_days"] is None


async def test_an_empty_agency_has_zero_counts_and_no_averages(
    api: httpx.AsyncClient, frozen_now: datetime
) -> None:
    assert await _get(api, SUMMARY) == {
        "open_assignments": 0,
        "waiting_contacts": 0,
        "stale_assignments": 0,
        "mentors_at_capacity": 0,
        "mentors_over_capacity": 0,
        "mentors_without_assignment": 0,
        "median_days_to_match": None,
        "average_match_length_days": None,
    }
    assert await _get(api, MENTORS) == {
        "data": [],
        "pagination": {"page": 1, "limit": 20, "total": 0},
    }


async def test_supervisors_read_both_and_caseworkers_neither(
    tenant: Tenant, caseloads: Caseloads, frozen_now: datetime
) -> None:
    async with tenant.client(await tenant.token(Role.SUPERVISOR)) as supervisor:
        assert (await _get(supervisor, MENTORS))["data"] == caseloads.expected
        assert (await _get(supervisor, SUMMARY))["open_assignments"] == 4
    async with tenant.client(await tenant.token(Role.CASEWORKER)) as caseworker:
        assert (await caseworker.get(MENTORS)).status_code == 403
        assert (await caseworker.get(SUMMARY)).status_code == 403


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sort=notes", "sort"),
        ("sort=open,name", "sort"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("over_capacity=maybe", "over_capacity"),
    ],
)
async def test_bad_values_are_422_naming_the_parameter(
    api: httpx.AsyncClient, query: str, parameter: str
) -> None:
    response = await api.get(f"{MENTORS}?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == parameter


@pytest.mark.parametrize("url", [f"{MENTORS}?mentor=x", f"{SUMMARY}?page=1"])
async def test_unknown_parameters_are_400(api: httpx.AsyncClient, url: str) -> None:
    response = await api.get(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] in ("mentor", "page")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/v1/assignments?stale=true", "assignment_id"),
        ("/api/v1/assignments?stale=false&sort=-assigned_date", "assignment_id"),
        ("/api/v1/contacts?waiting=true", "contact_id"),
        (f"{MENTORS}?sort=-open", "mentor_id"),
        (f"{MENTORS}?sort=oldest_last_contact_date", "mentor_id"),
    ],
)
async def test_an_export_holds_the_lists_rows_with_its_flags(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime, url: str, key: str
) -> None:
    listed = [row[key] for row in (await _get(api, f"{url}&limit=100"))["data"]]
    response = await api.get(f"{url}&format=csv")
    assert response.status_code == 200, response.text
    exported = [row[key] for row in csv.DictReader(io.StringIO(response.text))]
    assert exported == listed
    assert listed  # the fixture's data reaches every one of these lists


async def test_a_caseload_export_writes_the_rows_cells(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    response = await api.get(f"{MENTORS}?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(caseloads.expected[0])
    for row, expected in zip(rows, caseloads.expected, strict=True):
        assert row == {
            name: "" if value is None else str(value) for name, value in expected.items()
        }


async def test_over_capacity_keeps_the_mentors_the_summary_counts_over_their_limit(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    over = await _get(api, f"{MENTORS}?over_capacity=true")
    assert over["data"] == [caseloads.expected[1]]  # Bo: two open against his own limit of 1
    assert over["pagination"]["total"] == (await _get(api, SUMMARY))["mentors_over_capacity"]
    others = await _get(api, f"{MENTORS}?over_capacity=false")
    assert [row["mentor_id"] for row in others["data"]] == [
        caseloads.ids[name] for name in ("Anna", "Cy", "Dee")
    ]
    assert others["pagination"]["total"] == 3


async def test_over_capacity_counts_only_limits_in_force(
    tenant: Tenant, api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    """Without any limit (no own, no agency default) nobody is over it."""
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=None)
    await set_columns(
        tenant.db, "mentors", tenant.agency_id, caseloads.ids["Bo"], max_open_assignments=None
    )
    assert (await _get(api, f"{MENTORS}?over_capacity=true"))["data"] == []
    assert (await _get(api, f"{MENTORS}?over_capacity=false"))["pagination"]["total"] == 4


async def test_an_over_capacity_export_holds_the_filtered_rows(
    api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    response = await api.get(f"{MENTORS}?over_capacity=true&format=csv")
    assert response.status_code == 200, response.text
    exported = [row["mentor_id"] for row in csv.DictReader(io.StringIO(response.text))]
    assert exported == [caseloads.ids["Bo"]]


async def test_a_mentor_over_its_limit_filtering_sees_only_itself(
    tenant: Tenant, caseloads: Caseloads, frozen_now: datetime
) -> None:
    token = await tenant.token(Role.MENTOR, mentor_id=caseloads.ids["Anna"])
    async with tenant.client(token) as anna:
        assert (await _get(anna, f"{MENTORS}?over_capacity=true"))["data"] == []
        assert (await _get(anna, f"{MENTORS}?over_capacity=false"))["data"] == [
            caseloads.expected[0]
        ]


async def test_a_mentors_load_is_its_open_count_against_the_limit_in_force(
    tenant: Tenant, api: httpx.AsyncClient, caseloads: Caseloads, frozen_now: datetime
) -> None:
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_load")
    anna = await caseloads_service.mentor_load(tenant.db, admin, caseloads.ids["Anna"])
    bo = await caseloads_service.mentor_load(tenant.db, admin, caseloads.ids["Bo"])
    assert (anna.open, anna.limit, bo.open, bo.limit) == (2, 2, 2, 1)  # the agency's, Bo's own
    with pytest.raises(NotFound):
        await caseloads_service.mentor_load(tenant.db, admin, "mentor_nobody1")
