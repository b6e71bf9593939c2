"""Bulk reassignment: every selected assignment goes through the single reassignment's rule, in
order, and each gets a result; a dry run answers the same and writes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from caseworks.auth.principal import Role
from caseworks.db import Database
from caseworks.mentoring.mentoring_models import AssignmentQuery, AssignmentSelection
from tests.mentoring.test_reassign import count, events, mail_to
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant

URL = "/api/v1/assignments/bulk-reassign"


async def caseload(api: httpx.AsyncClient, mentor_id: str, size: int) -> list[str]:
    """``size`` open assignments of the mentor, oldest first."""
    made = []
    for n in range(size):
        contact = (await create_contact(api, name=f"Contact {n}"))["contact_id"]
        made.append((await create_assignment(api, mentor_id, contact))["assignment_id"])
    return made


async def bulk(api: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await api.post(URL, json={"reason": "mentor left the programme", **body})


def outcomes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["result"] for item in response.json()["results"]]


async def test_each_assignment_is_reassigned_in_order(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api, name="Leaving"))["mentor_id"]
    target = (await create_mentor(api, name="Taking over"))["mentor_id"]
    ids = await caseload(api, leaving, 3)
    response = await bulk(api, assignment_ids=ids, mentor_id=target)
    assert outcomes(response) == ["reassigned"] * 3
    results = response.json()["results"]
    assert [item["assignment_id"] for item in results] == ids
    for item in results:
        assert item["detail"] is None
        opened = (await api.get(f"/api/v1/assignments/{item['opened_assignment_id']}")).json()
        assert opened["mentor_id"] == target
        assert opened["previous_assignment_id"] == item["assignment_id"]
        closed = (await api.get(f"/api/v1/assignments/{item['assignment_id']}")).json()
        assert closed["closed_reason"] == "mentor left the programme"
        assert [e["action"] for e in await events(db, tenant, item["assignment_id"])] == [
            "created",
            "reassigned",
        ]


async def test_capacity_used_by_earlier_items_counts(api: httpx.AsyncClient) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api, max_open_assignments=3))["mentor_id"]
    await caseload(api, target, 1)
    ids = await caseload(api, leaving, 4)
    response = await bulk(api, assignment_ids=ids, mentor_id=target)
    assert outcomes(response) == ["reassigned", "reassigned", "over_capacity", "over_capacity"]
    assert response.json()["results"][2]["opened_assignment_id"] is None
    assert "3" in response.json()["results"][2]["detail"]
    count = await api.get(f"/api/v1/assignments/mentor/{target}/open-count")
    assert count.json()["open_assignment_count"] == 3
    kept = await api.get(f"/api/v1/assignments/{ids[3]}")
    assert (kept.json()["status"], kept.json()["mentor_id"]) == ("open", leaving)


async def test_an_override_lets_every_item_through(api: httpx.AsyncClient) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    ids = await caseload(api, leaving, 3)
    response = await bulk(api, assignment_ids=ids, mentor_id=target, override_capacity=True)
    assert outcomes(response) == ["reassigned"] * 3


async def test_every_failure_is_reported_and_the_rest_go_on(
    api: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 4)
    closed, already_with_target, fine, own = ids
    await api.patch(f"/api/v1/assignments/{closed}/status", json={"status": "closed"})
    contact = (await api.get(f"/api/v1/assignments/{already_with_target}")).json()["contact_id"]
    await create_assignment(api, target, contact)
    own_mentor = await caseload(api, target, 1)
    async with other_tenant.client(other_tenant.admin_token) as other:
        foreign_mentor = (await create_mentor(other))["mentor_id"]
        foreign = await caseload(other, foreign_mentor, 1)
    selection = [closed, already_with_target, "assign_nosuchassignment", *foreign, fine]
    selection += own_mentor
    response = await bulk(api, assignment_ids=selection, mentor_id=target)
    assert outcomes(response) == [
        "conflict",
        "conflict",
        "not_found",
        "not_found",
        "reassigned",
        "conflict",
    ]
    assert all(
        item["detail"] for item in response.json()["results"] if item["result"] != "reassigned"
    )
    assert (await api.get(f"/api/v1/assignments/{own}")).json()["mentor_id"] == leaving


async def test_a_filter_selects_like_the_list(api: httpx.AsyncClient) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    staying = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 3)
    await caseload(api, staying, 2)
    await api.patch(f"/api/v1/assignments/{ids[0]}/status", json={"status": "closed"})
    response = await bulk(api, filter={"mentor_id": leaving, "status": "open"}, mentor_id=target)
    assert outcomes(response) == ["reassigned", "reassigned"]
    assert [item["assignment_id"] for item in response.json()["results"]] == ids[1:]
    everything = await bulk(api, filter={"mentor_id": leaving}, mentor_id=target)
    assert outcomes(everything) == ["conflict"] * 3  # closed now, each reported


async def test_a_stale_filter_takes_the_agencys_stale_rule(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    contact = (await create_contact(api))["contact_id"]
    old = await create_assignment(api, leaving, contact, assigned_date="2020-01-01T00:00:00Z")
    await caseload(api, leaving, 1)  # assigned now: not stale
    response = await bulk(api, filter={"mentor_id": leaving, "stale": True}, mentor_id=target)
    assert [item["assignment_id"] for item in response.json()["results"]] == [old["assignment_id"]]


async def test_dry_run_gives_the_same_results_and_writes_nothing(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api, max_open_assignments=2))["mentor_id"]
    ids = await caseload(api, leaving, 3)
    before = (await count(db, tenant, "assignments"), await count(db, tenant, "audit_events"))
    outbox = await db.fetch_value(
        "SELECT count(*) FROM outbox WHERE agency_id = :a", {"a": tenant.agency_id}
    )
    dry = await bulk(api, assignment_ids=ids, mentor_id=target, dry_run=True)
    assert outcomes(dry) == ["reassigned", "reassigned", "over_capacity"]
    after = (await count(db, tenant, "assignments"), await count(db, tenant, "audit_events"))
    assert after == before
    assert outbox == await db.fetch_value(
        "SELECT count(*) FROM outbox WHERE agency_id = :a", {"a": tenant.agency_id}
    )
    for assignment_id in ids:
        shown = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
        assert (shown["status"], shown["mentor_id"]) == ("open", leaving)

    real = await bulk(api, assignment_ids=ids, mentor_id=target)
    assert outcomes(real) == outcomes(dry)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/assignment_ids"),
        ({"assignment_ids": ["assign_abcdef"], "filter": {}}, "/assignment_ids"),
        ({"assignment_ids": ["assign_abcdef", "assign_abcdef"]}, "/assignment_ids/1"),
        ({"assignment_ids": []}, "/assignment_ids"),
        ({"assignment_ids": [f"assign_{n:06d}" for n in range(501)]}, "/assignment_ids"),
        ({"filter": {"sort": "created_at"}}, "/filter/sort"),
        ({"filter": {"status": "paused"}}, "/filter/status"),
    ],
)
async def test_a_bad_selection_is_422_and_writes_nothing(
    api: httpx.AsyncClient, body: dict[str, Any], pointer: str
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    response = await bulk(api, mentor_id=target, **body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == pointer


async def test_more_than_500_given_says_how_many(api: httpx.AsyncClient) -> None:
    target = (await create_mentor(api))["mentor_id"]
    ids = [f"assign_{n:06d}" for n in range(501)]
    response = await bulk(api, mentor_id=target, assignment_ids=ids)
    assert response.status_code == 422
    assert "501" in response.json()["detail"]


async def test_a_filter_matching_more_than_500_is_422_saying_the_count(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    contact = (await create_contact(api))["contact_id"]
    async with db.transaction() as tx:  # 501 closed assignments, written directly: quicker
        for n in range(501):
            await tx.execute(
                "INSERT INTO assignments (agency_id, id, mentor_id, contact_id, status,"
                " assigned_date, closed_date, created_at, updated_at) VALUES (:agency, :id,"
                " :mentor, :contact, 'closed', :now, :now, :now, :now)",
                {
                    "agency": tenant.agency_id,
                    "id": f"assign_bulk{n:06d}",
                    "mentor": leaving,
                    "contact": contact,
                    "now": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )
    response = await bulk(api, mentor_id=target, filter={"mentor_id": leaving})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/filter"
    assert "501" in response.json()["detail"]


async def test_an_unknown_target_is_422_naming_mentor_id(api: httpx.AsyncClient) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 1)
    response = await bulk(api, assignment_ids=ids, mentor_id="mentor_nosuchmentor")
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/mentor_id"


async def test_an_override_needs_a_reason_and_a_manager(
    api: httpx.AsyncClient, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 1)
    response = await api.post(
        URL,
        json={"assignment_ids": ids, "mentor_id": target, "override_capacity": True},
    )
    assert response.status_code == 422  # reason is required anyway
    assert response.json()["errors"][0]["pointer"] == "/reason"


@pytest.mark.parametrize("role", [Role.MENTOR, Role.CASEWORKER])
async def test_only_admins_and_supervisors(
    api: httpx.AsyncClient, tenant: Tenant, role: Role
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 1)
    token = await tenant.token(role, mentor_id=leaving if role is Role.MENTOR else None)
    async with tenant.client(token) as client:
        response = await bulk(client, assignment_ids=ids, mentor_id=target)
    assert response.status_code == 403
    async with tenant.client(await tenant.token(Role.SUPERVISOR)) as client:
        assert outcomes(await bulk(client, assignment_ids=ids, mentor_id=target)) == ["reassigned"]


def test_the_filter_takes_the_lists_filters_by_their_names() -> None:
    listed = set(AssignmentQuery.model_fields) - {"page", "limit", "sort"}
    assert listed | {"stale"} == set(AssignmentSelection.model_fields)


async def test_a_batch_and_single_moves_of_its_items_at_once_move_each_once(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 10)
    single = {"mentor_id": target, "reason": "one by one"}
    batch, *singles = await asyncio.gather(
        bulk(api, assignment_ids=ids, mentor_id=target),
        *(api.post(f"/api/v1/assignments/{one}/reassign", json=single) for one in reversed(ids)),
    )
    moved_alone = {r.json()["closed"]["assignment_id"] for r in singles if r.status_code == 201}
    assert {r.status_code for r in singles} <= {201, 409}
    results = {item["assignment_id"]: item["result"] for item in batch.json()["results"]}
    for one in ids:  # each moved exactly once, by the batch or alone
        assert (results[one] == "reassigned") != (one in moved_alone), one
    count = await api.get(f"/api/v1/assignments/mentor/{target}/open-count")
    assert count.json()["open_assignment_count"] == 10


# --- the new mentor's messages -------------------------------------------------------------------


async def test_the_new_mentor_gets_one_message_per_assignment_moved(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api, email="new@example.org", max_open_assignments=2))[
        "mentor_id"
    ]
    ids = await caseload(api, leaving, 3)
    response = await bulk(api, assignment_ids=[*ids, "assign_nosuch00"], mentor_id=target)
    assert outcomes(response) == ["reassigned", "reassigned", "over_capacity", "not_found"]
    rows = await mail_to(db, tenant)
    assert [row["recipient"] for row in rows] == ["new@example.org"] * 2
    moved = [item["opened_assignment_id"] for item in response.json()["results"][:2]]
    for row, opened, name in zip(rows, moved, ("Contact 0", "Contact 1"), strict=True):
        assert row["subject"] == f"New mentoring assignment: {name}"
        assert opened in row["body"]
        assert "mentor left the programme" in row["body"]
    assert len({row["message_id"] for row in rows}) == 2


async def test_a_dry_run_queues_no_message(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    target = (await create_mentor(api, email="new@example.org"))["mentor_id"]
    ids = await caseload(api, leaving, 2)
    dry = await bulk(api, assignment_ids=ids, mentor_id=target, dry_run=True)
    assert outcomes(dry) == ["reassigned"] * 2
    assert await mail_to(db, tenant) == []


async def test_send_notification_false_or_no_email_queues_no_message(
    api: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    with_email = (await create_mentor(api, email="new@example.org"))["mentor_id"]
    without = (await create_mentor(api))["mentor_id"]
    ids = await caseload(api, leaving, 2)
    quiet = await bulk(api, assignment_ids=ids, mentor_id=with_email, send_notification=False)
    assert outcomes(quiet) == ["reassigned"] * 2
    moved = [item["opened_assignment_id"] for item in quiet.json()["results"]]
    assert outcomes(await bulk(api, assignment_ids=moved, mentor_id=without)) == ["reassigned"] * 2
    assert await mail_to(db, tenant) == []
