"""Contacts waiting for a mentor: no open assignment, longest waiting first, with since when."""

from __future__ import annotations

from typing import Any

import httpx

from caseworks.auth.principal import Role
from tests.support.mentoring import (
    at,
    create_assignment,
    create_contact,
    create_mentor,
    set_columns,
)
from tests.support.tenants import Tenant

WAITING = "/api/v1/contacts?waiting=true"


async def _contact(tenant: Tenant, api: httpx.AsyncClient, name: str, created: str) -> str:
    contact_id: str = (await create_contact(api, name=name))["contact_id"]
    await set_columns(tenant.db, "contacts", tenant.agency_id, contact_id, created_at=at(created))
    return contact_id


async def _closed_assignment(
    tenant: Tenant, api: httpx.AsyncClient, mentor_id: str, contact_id: str, closed: str
) -> None:
    made = await create_assignment(api, mentor_id, contact_id, assigned_date="2020-01-01T00:00:00Z")
    response = await api.patch(
        f"/api/v1/assignments/{made['assignment_id']}/status", json={"status": "closed"}
    )
    assert response.status_code == 200, response.text
    await set_columns(
        tenant.db, "assignments", tenant.agency_id, made["assignment_id"], closed_date=at(closed)
    )


async def _waiting(api: httpx.AsyncClient, query: str = "") -> dict[str, Any]:
    response = await api.get(WAITING + query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_waiting_lists_contacts_without_an_open_assignment_longest_waiting_first(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    never = await _contact(tenant, api, "Never Matched", "2025-03-01T00:00:00Z")
    matched = await _contact(tenant, api, "Matched Now", "2025-01-01T00:00:00Z")
    await create_assignment(api, mentor, matched)
    # Closed after its creation: waiting since the close.
    ended = await _contact(tenant, api, "Match Ended", "2025-01-01T00:00:00Z")
    await _closed_assignment(tenant, api, mentor, ended, "2025-05-01T12:00:00Z")
    # Two closes: the later one counts.
    twice = await _contact(tenant, api, "Matched Twice", "2024-01-01T00:00:00Z")
    await _closed_assignment(tenant, api, mentor, twice, "2024-06-01T00:00:00Z")
    await _closed_assignment(tenant, api, mentor, twice, "2025-02-01T00:00:00Z")
    # Closed before its creation (an imported history): waiting since its creation.
    imported = await _contact(tenant, api, "Imported", "2025-04-01T00:00:00Z")
    await _closed_assignment(tenant, api, mentor, imported, "2019-01-01T00:00:00Z")

    body = await _waiting(api)

    assert [(row["contact_id"], row["waiting_since"]) for row in body["data"]] == [
        (twice, "2025-02-01T00:00:00Z"),
        (never, "2025-03-01T00:00:00Z"),
        (imported, "2025-04-01T00:00:00Z"),
        (ended, "2025-05-01T12:00:00Z"),
    ]
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 4}
    assert {"contact_id", "name", "email", "phone", "created_at", "updated_at"} <= set(
        body["data"][0]
    )
    assert matched not in {row["contact_id"] for row in body["data"]}


async def test_equal_waits_are_ordered_by_id_and_paged(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    same = [await _contact(tenant, api, f"Contact {n}", "2025-01-01T00:00:00Z") for n in range(5)]
    first = await _waiting(api, "&limit=2")
    third = await _waiting(api, "&limit=2&page=3")
    assert [row["contact_id"] for row in first["data"]] == sorted(same)[:2]
    assert [row["contact_id"] for row in third["data"]] == sorted(same)[4:]
    assert third["pagination"] == {"page": 3, "limit": 2, "total": 5}


async def test_the_plain_contact_list_has_no_waiting_since(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _contact(tenant, api, "Anyone", "2025-01-01T00:00:00Z")
    for query in ("", "?waiting=false"):
        response = await api.get("/api/v1/contacts" + query)
        assert response.status_code == 200
        assert "waiting_since" not in response.json()["data"][0]


async def test_a_mentor_sees_no_waiting_contacts(tenant: Tenant, api: httpx.AsyncClient) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    await _contact(tenant, api, "Waiting", "2025-01-01T00:00:00Z")
    held = await _contact(tenant, api, "Held", "2025-01-01T00:00:00Z")
    await create_assignment(api, mentor, held)
    async with tenant.client(await tenant.token(Role.MENTOR, mentor_id=mentor)) as own:
        body = await _waiting(own)
    assert body == {"data": [], "pagination": {"page": 1, "limit": 20, "total": 0}}


async def test_sort_is_refused_with_waiting(api: httpx.AsyncClient) -> None:
    for sort in ("name", "created_at"):
        response = await api.get(f"{WAITING}&sort={sort}")
        assert response.status_code == 422
        assert response.json()["errors"][0]["parameter"] == "sort"


async def test_waiting_takes_only_true_or_false(api: httpx.AsyncClient) -> None:
    for value in ("1", "yes", "True", "", "on"):
        response = await api.get(f"/api/v1/contacts?waiting={value}")
        assert response.status_code == 422, value
        assert response.json()["errors"][0]["parameter"] == "waiting"
