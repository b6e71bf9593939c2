"""Stale assignments: open, with no contact (or, never contacted, no assignment) for longer than
the agency's stale_after_days, counted back from the request's moment."""

from __future__ import annotations

from datetime import datetime

import httpx

from caseworks.auth.principal import Role
from tests.support.mentoring import create_assignment, create_contact, create_mentor, set_agency
from tests.support.tenants import Tenant

# With stale_after_days 30 and the clock at 2026-06-01T12:00Z, stale means before 2026-05-02T12:00Z.
EDGE = "2026-05-02T12:00:00Z"


async def _assignment(
    api: httpx.AsyncClient, mentor_id: str, assigned: str, contact: str | None = None
) -> str:
    contact_id = (await create_contact(api))["contact_id"]
    made = await create_assignment(api, mentor_id, contact_id, assigned_date=assigned)
    if contact is not None:
        response = await api.put(
            f"/api/v1/assignments/{made['assignment_id']}", json={"last_contact_date": contact}
        )
        assert response.status_code == 200, response.text
    assignment_id: str = made["assignment_id"]
    return assignment_id


async def _ids(api: httpx.AsyncClient, query: str) -> set[str]:
    response = await api.get(f"/api/v1/assignments?{query}")
    assert response.status_code == 200, response.text
    return {row["assignment_id"] for row in response.json()["data"]}


async def test_stale_true_and_false_split_the_assignments(
    api: httpx.AsyncClient, frozen_now: datetime
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    old_contact = await _assignment(api, mentor, "2026-01-01T00:00:00Z", "2026-05-02T11:59:59Z")
    never_contacted = await _assignment(api, mentor, "2026-05-01T00:00:00Z")
    on_the_edge = await _assignment(api, mentor, "2026-01-01T00:00:00Z", EDGE)
    recent_contact = await _assignment(api, mentor, "2026-01-01T00:00:00Z", "2026-05-30T00:00:00Z")
    newly_assigned = await _assignment(api, mentor, "2026-05-31T00:00:00Z")
    closed = await _assignment(api, mentor, "2025-01-01T00:00:00Z")
    response = await api.patch(f"/api/v1/assignments/{closed}/status", json={"status": "closed"})
    assert response.status_code == 200

    assert await _ids(api, "stale=true") == {old_contact, never_contacted}
    fresh = {on_the_edge, recent_contact, newly_assigned}
    assert await _ids(api, "stale=false") == fresh | {closed}
    assert await _ids(api, "stale=false&status=open") == fresh
    assert await _ids(api, "stale=true&status=closed") == set()
    page = await api.get("/api/v1/assignments?stale=true&limit=1")
    assert page.json()["pagination"] == {"page": 1, "limit": 1, "total": 2}


async def test_stale_follows_the_agency_setting(
    tenant: Tenant, api: httpx.AsyncClient, frozen_now: datetime
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    twenty_days = await _assignment(api, mentor, "2026-01-01T00:00:00Z", "2026-05-12T12:00:00Z")
    assert await _ids(api, "stale=true") == set()
    await set_agency(tenant.db, tenant.agency_id, stale_after_days=10)
    assert await _ids(api, "stale=true") == {twenty_days}


async def test_a_mentor_sees_only_its_own_stale_assignments(
    tenant: Tenant, api: httpx.AsyncClient, frozen_now: datetime
) -> None:
    own = (await create_mentor(api))["mentor_id"]
    other = (await create_mentor(api, name="Other"))["mentor_id"]
    mine = await _assignment(api, own, "2025-01-01T00:00:00Z")
    await _assignment(api, other, "2025-01-01T00:00:00Z")
    async with tenant.client(await tenant.token(Role.MENTOR, mentor_id=own)) as mentor:
        assert await _ids(mentor, "stale=true") == {mine}


async def test_stale_takes_only_true_or_false(api: httpx.AsyncClient) -> None:
    for value in ("1", "0", "yes", "TRUE", "", "null"):
        response = await api.get(f"/api/v1/assignments?stale={value}")
        assert response.status_code == 422, value
        assert response.json()["errors"][0]["parameter"] == "stale"
