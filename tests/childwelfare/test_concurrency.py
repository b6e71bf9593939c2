"""Row limits and the 201/200 decision hold exactly under concurrent requests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from caseworks.db import Database
from tests.support.childwelfare import child, child_assignment, worker
from tests.support.figures import Figures
from tests.support.tenants import Tenant


async def test_fifty_identical_creates_make_one_assignment_and_one_mail(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, figures: Figures
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    body = child_assignment(child_id, worker_id)
    responses = await asyncio.gather(
        *(jsonapi.post("/api/v1/worker_assignments", json=body) for _ in range(50))
    )
    statuses = sorted(response.status_code for response in responses)
    figures.record("simultaneous identical creates", len(responses), "requests")
    assert statuses == [200] * 49 + [201]
    params = {"agency_id": tenant.agency_id}
    assert (
        await db.fetch_value(
            "SELECT count(*) FROM worker_assignments WHERE agency_id = :agency_id", params
        )
        == 1
    )
    assert (
        await db.fetch_value("SELECT count(*) FROM outbox WHERE agency_id = :agency_id", params)
        == 1
    )


async def test_concurrent_creates_around_the_limit_stop_exactly_at_it(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, figures: Figures
) -> None:
    child_id = await child(jsonapi)
    workers = [await worker(jsonapi, email=f"w{n}@example.org") for n in range(10)]
    responses = await asyncio.gather(
        *(
            jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, worker_id))
            for worker_id in workers
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 3 + [422] * 7
    count = await db.fetch_value(
        "SELECT count(*) FROM worker_assignments"
        " WHERE agency_id = :agency_id AND child_id = :child",
        {"agency_id": tenant.agency_id, "child": child_id},
    )
    assert count == 3
    figures.record("simultaneous creates for a limit of 3", len(responses), "requests")
    figures.record("rows made", count, "rows")


async def test_supervision_changes_made_at_once_cannot_close_a_circle(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, figures: Figures
) -> None:
    # Five workers, each asked at once to be supervised by the next: a ring if all were made.
    # Renames of the same workers run among them, holding the workers' rows meanwhile.
    ring = [await worker(jsonapi, email=f"w{n}@example.org") for n in range(5)]

    def patch(worker_id: str, attributes: dict[str, object]) -> Any:
        body = {"data": {"type": "agency-workers", "id": worker_id, "attributes": attributes}}
        return jsonapi.patch(f"/api/v1/agency_workers/{worker_id}", json=body)

    supervising = [
        patch(worker_id, {"supervisors": [ring[(n + 1) % len(ring)]]})
        for n, worker_id in enumerate(ring)
    ]
    renaming = [patch(worker_id, {"name": f"Renamed {n}"}) for n, worker_id in enumerate(ring)]
    responses = await asyncio.gather(*supervising, *renaming)
    statuses = [response.status_code for response in responses]
    assert sorted(statuses[: len(ring)]) == [200] * (len(ring) - 1) + [422]
    assert statuses[len(ring) :] == [200] * len(ring)
    rows = await db.fetch_all(
        "SELECT worker_id, supervisor_id FROM agency_worker_supervisors"
        " WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    assert len(rows) == len(ring) - 1
    figures.record("simultaneous supervision changes closing a ring", len(ring), "requests")
