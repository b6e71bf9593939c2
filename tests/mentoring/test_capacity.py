"""A mentor's caseload limit: its own, else the agency's default, else none; enforced exactly on
create and reopen, even under simultaneous requests, unless a manager overrides it with a
reason."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from caseworks.auth.principal import Role
from caseworks.core.errors import Conflict
from caseworks.db import Database
from caseworks.mentoring.capacity import CapacityCheck, OverCapacity, claim_capacity
from caseworks.web.problem_details import problem_body
from tests.support.figures import Figures
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def contacts(api: httpx.AsyncClient, count: int) -> list[str]:
    return [(await create_contact(api, name=f"Contact {n}"))["contact_id"] for n in range(count)]


async def set_default_capacity(db: Database, tenant: Tenant, capacity: int | None) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE agencies SET default_mentor_capacity = :capacity WHERE id = :id",
            {"capacity": capacity, "id": tenant.agency_id},
        )


async def audit_rows(db: Database, tenant: Tenant, assignment_id: str) -> list[dict[str, Any]]:
    return await db.fetch_all(
        "SELECT action, reason, details FROM audit_events"
        " WHERE agency_id = :agency_id AND subject_id = :id ORDER BY id",
        {"agency_id": tenant.agency_id, "id": assignment_id},
    )


def assert_over_capacity(response: httpx.Response, open_count: int, limit: int) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["open"], body["limit"]) == (open_count, limit)
    assert body["status"] == 409


async def test_a_mentor_has_its_own_limit_in_its_answers(api: httpx.AsyncClient) -> None:
    mentor = await create_mentor(api, max_open_assignments=2)
    assert mentor["max_open_assignments"] == 2
    url = f"/api/v1/mentors/{mentor['mentor_id']}"
    changed = await api.put(url, json={"max_open_assignments": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["max_open_assignments"] is None
    assert (await api.get(url)).json()["max_open_assignments"] is None


@pytest.mark.parametrize("value", [-1, "3", 1.5, True])
async def test_a_limit_is_a_whole_number_from_zero(api: httpx.AsyncClient, value: object) -> None:
    response = await api.post("/api/v1/mentors", json={"name": "M", "max_open_assignments": value})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/max_open_assignments"


async def test_contacts_have_no_limit(api: httpx.AsyncClient) -> None:
    contact = await create_contact(api)
    assert "max_open_assignments" not in contact
    response = await api.post("/api/v1/contacts", json={"name": "C", "max_open_assignments": 1})
    assert response.status_code == 422
    response = await api.put(
        f"/api/v1/contacts/{contact['contact_id']}", json={"max_open_assignments": 1}
    )
    assert response.status_code == 422


async def test_create_over_the_mentors_own_limit_is_409_with_open_and_limit(
    api: httpx.AsyncClient,
) -> None:
    mentor = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    first, second = await contacts(api, 2)
    await create_assignment(api, mentor, first)
    response = await api.post(
        "/api/v1/assignments", json={"mentor_id": mentor, "contact_id": second}
    )
    assert_over_capacity(response, 1, 1)


async def test_the_agency_default_applies_without_a_limit_of_its_own(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    await set_default_capacity(db, tenant, 1)
    mentor = (await create_mentor(api))["mentor_id"]
    roomy = (await create_mentor(api, max_open_assignments=3))["mentor_id"]
    first, second = await contacts(api, 2)
    await create_assignment(api, mentor, first)
    response = await api.post(
        "/api/v1/assignments", json={"mentor_id": mentor, "contact_id": second}
    )
    assert_over_capacity(response, 1, 1)
    await create_assignment(api, roomy, first)
    await create_assignment(api, roomy, second)


async def test_no_limit_and_no_default_means_no_limit(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    for contact in await contacts(api, 4):
        await create_assignment(api, mentor, contact)


async def test_a_limit_of_zero_takes_no_assignment(api: httpx.AsyncClient) -> None:
    mentor = (await create_mentor(api, max_open_assignments=0))["mentor_id"]
    (contact,) = await contacts(api, 1)
    response = await api.post(
        "/api/v1/assignments", json={"mentor_id": mentor, "contact_id": contact}
    )
    assert_over_capacity(response, 0, 0)


async def test_closed_assignments_do_not_count(api: httpx.AsyncClient) -> None:
    mentor = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    first, second = await contacts(api, 2)
    made = await create_assignment(api, mentor, first)
    closed = await api.patch(
        f"/api/v1/assignments/{made['assignment_id']}/status", json={"status": "closed"}
    )
    assert closed.status_code == 200
    await create_assignment(api, mentor, second)


async def test_a_manager_overrides_with_a_reason_and_the_event_records_it(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    mentor = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    first, second = await contacts(api, 2)
    await create_assignment(api, mentor, first)
    body = {
        "mentor_id": mentor,
        "contact_id": second,
        "override_capacity": True,
        "reason": "sibling of a current contact",
    }
    supervisor = await tenant.token(Role.SUPERVISOR)
    async with tenant.client(supervisor) as client:
        response = await client.post("/api/v1/assignments", json=body)
    assert response.status_code == 201, response.text
    (event,) = await audit_rows(db, tenant, response.json()["assignment_id"])
    assert event["reason"] == "sibling of a current contact"
    assert '"capacity_override":true' in event["details"]


@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_an_override_without_a_reason_is_422_naming_reason(
    api: httpx.AsyncClient, reason: str | None
) -> None:
    mentor = (await create_mentor(api, max_open_assignments=0))["mentor_id"]
    (contact,) = await contacts(api, 1)
    body: dict[str, Any] = {"mentor_id": mentor, "contact_id": contact, "override_capacity": True}
    if reason is not None:
        body["reason"] = reason
    response = await api.post("/api/v1/assignments", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/reason"


async def test_a_mentor_may_not_override(api: httpx.AsyncClient, tenant: Tenant) -> None:
    mentor = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    (contact,) = await contacts(api, 1)
    made = await create_assignment(api, mentor, contact)
    url = f"/api/v1/assignments/{made['assignment_id']}/status"
    await api.patch(url, json={"status": "closed"})
    token = await tenant.token(Role.MENTOR, mentor_id=mentor)
    body = {"status": "open", "override_capacity": True, "reason": "mine"}
    async with tenant.client(token) as client:
        response = await client.patch(url, json=body)
    assert response.status_code == 403, response.text


async def test_reopening_over_the_limit_is_409_and_an_override_allows_it(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    mentor = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    first, second = await contacts(api, 2)
    earlier = await create_assignment(api, mentor, first)
    url = f"/api/v1/assignments/{earlier['assignment_id']}/status"
    assert (await api.patch(url, json={"status": "closed"})).status_code == 200
    await create_assignment(api, mentor, second)

    assert_over_capacity(await api.patch(url, json={"status": "open"}), 1, 1)
    reopened = await api.patch(
        url, json={"status": "open", "override_capacity": True, "reason": "returning family"}
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "open"
    last = (await audit_rows(db, tenant, earlier["assignment_id"]))[-1]
    assert last["reason"] == "returning family"
    assert '"capacity_override":true' in last["details"]


async def test_reopening_within_the_limit_and_repeating_a_status_need_no_room(
    api: httpx.AsyncClient,
) -> None:
    mentor = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    (contact,) = await contacts(api, 1)
    made = await create_assignment(api, mentor, contact)
    url = f"/api/v1/assignments/{made['assignment_id']}/status"
    assert (await api.patch(url, json={"status": "open"})).status_code == 200  # already open
    assert (await api.patch(url, json={"status": "closed"})).status_code == 200
    assert (await api.patch(url, json={"status": "open"})).status_code == 200


async def test_closing_records_the_reason_on_the_assignment(api: httpx.AsyncClient) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    (contact,) = await contacts(api, 1)
    made = await create_assignment(api, mentor, contact)
    url = f"/api/v1/assignments/{made['assignment_id']}"
    closed = await api.patch(f"{url}/status", json={"status": "closed", "reason": "moved away"})
    assert closed.json()["closed_reason"] == "moved away"
    reopened = await api.patch(f"{url}/status", json={"status": "open"})
    assert reopened.json()["closed_reason"] is None


async def test_capacity_is_exact_under_20_simultaneous_creates(
    api: httpx.AsyncClient, figures: Figures
) -> None:
    mentor = (await create_mentor(api, max_open_assignments=5))["mentor_id"]
    targets = await contacts(api, 20)
    responses = await asyncio.gather(
        *(
            api.post("/api/v1/assignments", json={"mentor_id": mentor, "contact_id": contact})
            for contact in targets
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 5 + [409] * 15, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert_over_capacity(response, 5, 5)
    count = await api.get(f"/api/v1/assignments/mentor/{mentor}/open-count")
    assert count.json()["open_assignment_count"] == 5
    figures.record("simultaneous creates to one mentor with a limit of 5", 20, "requests")


async def set_limits(
    db: Database, tenant: Tenant, mentor_id: str, own: int | None, default: int | None
) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE mentors SET max_open_assignments = :own WHERE agency_id = :agency AND id = :id",
            {"own": own, "agency": tenant.agency_id, "id": mentor_id},
        )
        await tx.execute(
            "UPDATE agencies SET default_mentor_capacity = :default WHERE id = :agency",
            {"default": default, "agency": tenant.agency_id},
        )


@pytest.mark.parametrize(
    ("own", "default", "limit"), [(2, None, 2), (None, 2, 2), (2, 9, 2), (None, None, None)]
)
async def test_claim_capacity_counts_open_assignments_against_the_limit_in_force(
    api: httpx.AsyncClient,
    db: Database,
    tenant: Tenant,
    own: int | None,
    default: int | None,
    limit: int | None,
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    contact = (await create_contact(api))["contact_id"]
    await create_assignment(api, mentor, contact)
    await set_limits(db, tenant, mentor, own, default)
    async with db.transaction() as tx:
        assert await claim_capacity(tx, tenant.agency_id, mentor) == CapacityCheck(1, limit, False)
        if limit is None:
            return
        with pytest.raises(OverCapacity) as refused:
            await claim_capacity(tx, tenant.agency_id, mentor, adding=2)
        assert (refused.value.open, refused.value.limit) == (1, 2)
        forced = await claim_capacity(tx, tenant.agency_id, mentor, adding=2, override=True)
        assert forced == CapacityCheck(1, 2, True)


def test_over_capacity_is_a_conflict_with_open_and_limit_in_the_problem_body() -> None:
    error = OverCapacity("mentor_abc", 5, 5)
    assert isinstance(error, Conflict)
    body = problem_body(error, "req")
    assert (body["status"], body["open"], body["limit"]) == (409, 5, 5)
    assert body["request_id"] == "req"
