"""Simultaneous status changes and deletes on one assignment end in a consistent state, with one
audit event per change that took effect."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from caseworks.db import Database, Row
from tests.mentoring.test_reassign import reassign
from tests.support.figures import Figures
from tests.support.mentoring import Programme, create_mentor
from tests.support.polling import until_answered
from tests.support.tenants import Tenant


async def history(db: Database, tenant: Tenant, assignment_id: str) -> list[Row]:
    return await db.fetch_all(
        "SELECT action, from_status, to_status FROM audit_events"
        " WHERE agency_id = :agency_id AND subject_id = :subject_id ORDER BY id",
        {"agency_id": tenant.agency_id, "subject_id": assignment_id},
    )


def assert_a_chain(events: list[Row]) -> str:
    """Each change starts where the previous one ended; returns where the last one ended."""
    status = "open"
    for event in events:
        assert event["from_status"] == status, events
        assert event["to_status"] != status, events
        status = event["to_status"]
    return status


async def test_simultaneous_status_changes_leave_a_consistent_chain(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme, figures: Figures
) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}"
    wanted = ["closed", "open"] * 20
    random.Random(5).shuffle(wanted)
    responses = await asyncio.gather(
        *(api.patch(f"{url}/status", json={"status": status}) for status in wanted)
    )
    assert {response.status_code for response in responses} == {200}

    final = (await api.get(url)).json()
    changes = [
        e for e in await history(db, tenant, programme.assignment_id) if e["action"] != "created"
    ]
    assert all(event["action"] == "status_changed" for event in changes)
    assert assert_a_chain(changes) == final["status"]
    assert (final["closed_date"] is None) == (final["status"] == "open")
    assert 1 <= len(changes) <= len(wanted)
    figures.record("simultaneous status changes", len(wanted), "requests")
    figures.record("changes that took effect, each in the chain", len(changes), "events")


async def test_simultaneous_deletes_and_changes_delete_once(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme, figures: Figures
) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}"
    requests = [api.delete(url) for _ in range(10)] + [
        api.patch(f"{url}/status", json={"status": status}) for status in ["closed", "open"] * 10
    ]
    random.Random(9).shuffle(requests)
    responses = await asyncio.gather(*requests)

    deletes = [r for r in responses if r.request.method == "DELETE"]
    patches = [r for r in responses if r.request.method == "PATCH"]
    figures.record("simultaneous deletes", len(deletes), "requests")
    figures.record("simultaneous status changes among them", len(patches), "requests")
    assert sorted(r.status_code for r in deletes) == [200] + [404] * 9
    assert {r.status_code for r in patches} <= {200, 404}
    assert (await api.get(url)).status_code == 404

    events = await history(db, tenant, programme.assignment_id)
    actions = [event["action"] for event in events]
    assert actions[0] == "created"
    assert actions[-1] == "deleted"
    assert actions.count("deleted") == 1
    assert_a_chain([event for event in events if event["action"] == "status_changed"])
    # Every change answered 200 before the delete is in the history, and none after it.
    assert actions.count("status_changed") <= sum(r.status_code == 200 for r in patches)
    remaining = await db.fetch_value(
        "SELECT count(*) FROM assignments WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": tenant.agency_id, "id": programme.assignment_id},
    )
    assert remaining == 0


async def test_a_reassign_caught_in_a_deadlock_is_503_and_may_be_retried(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    if db.dialect == "sqlite":
        pytest.skip("SQLite runs one writer at a time: it has no deadlocks")
    target = (await create_mentor(api, name="Taking over"))["mentor_id"]
    key = {"agency_id": tenant.agency_id}
    async with db.transaction() as tx:
        # The request's own detector (the server's default second) fires long before this one:
        # the request is the transaction PostgreSQL aborts.
        await tx.execute("SET LOCAL deadlock_timeout = '30s'")
        await tx.execute(
            "SELECT id FROM assignments WHERE agency_id = :agency_id AND id = :id FOR UPDATE",
            {**key, "id": programme.assignment_id},
        )
        # The reassign locks its target mentor, then waits here for the assignment …
        request = asyncio.create_task(reassign(api, programme.assignment_id, target))
        await until_answered(lambda: lock_awaited(db))
        # … and this transaction, taking the mentor, closes the circle.
        await tx.execute(
            "SELECT id FROM mentors WHERE agency_id = :agency_id AND id = :id FOR UPDATE",
            {**key, "id": target},
        )
        response = await request
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert "may be retried" in response.json()["detail"]
    assert (await history(db, tenant, programme.assignment_id))[-1]["action"] == "created"

    retried = await reassign(api, programme.assignment_id, target)
    assert retried.status_code == 201, retried.text


async def lock_awaited(db: Database) -> bool:
    """Whether a transaction of this database waits for a row lock (the tests run one at a time,
    so it is the request's)."""
    waiting = await db.fetch_value(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return int(waiting) > 0
