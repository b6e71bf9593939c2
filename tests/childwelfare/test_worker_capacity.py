"""A worker's own limit of case-carrying assignments (``max-case-carrying``), on every create."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from caseworks.db import Database
from tests.support.childwelfare import (
    application_assignment,
    child,
    child_assignment,
    intake,
    nested,
    worker,
)
from tests.support.figures import Figures
from tests.support.tenants import Tenant

WORKER = "/data/relationships/worker"


async def count(db: Database, tenant: Tenant, table: str) -> int:
    found = await db.fetch_value(
        f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    return int(found)


async def assign(client: httpx.AsyncClient, child_id: str, worker_id: str) -> httpx.Response:
    return await client.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )


def only_error(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    assert isinstance(error, dict)
    return error


async def test_the_limit_is_an_attribute_of_workers_null_by_default(
    jsonapi: httpx.AsyncClient,
) -> None:
    unlimited = await worker(jsonapi)
    limited = await worker(jsonapi, **{"max-case-carrying": 2})
    shown = (await jsonapi.get(f"/api/v1/agency_workers/{unlimited}")).json()["data"]
    assert shown["attributes"]["max-case-carrying"] is None
    shown = (await jsonapi.get(f"/api/v1/agency_workers/{limited}")).json()["data"]
    assert shown["attributes"]["max-case-carrying"] == 2

    changed = await jsonapi.patch(
        f"/api/v1/agency_workers/{limited}",
        json={
            "data": {
                "type": "agency-workers",
                "id": limited,
                "attributes": {"max_case_carrying": 0},
            }
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["attributes"]["max-case-carrying"] == 0


async def test_a_limit_must_be_a_whole_number_of_zero_or_more(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    for wrong in (-1, "3", 2.5, True):
        response = await jsonapi.post(
            "/api/v1/agency_workers",
            json={
                "data": {
                    "type": "agency-workers",
                    "attributes": {
                        "name": "W",
                        "email": "w@example.org",
                        "max-case-carrying": wrong,
                    },
                }
            },
        )
        assert response.status_code == 422, wrong
        assert only_error(response)["source"]["pointer"] == "/data/attributes/max-case-carrying"
    assert await count(db, tenant, "agency_workers") == 0


async def test_a_create_over_the_limit_is_422_at_the_worker_and_writes_nothing(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    worker_id = await worker(jsonapi, **{"max-case-carrying": 1})
    first, second = await child(jsonapi), await child(jsonapi)
    assert (await assign(jsonapi, first, worker_id)).status_code == 201

    refused = await assign(jsonapi, second, worker_id)
    assert refused.status_code == 422
    error = only_error(refused)
    assert error["code"] == "invalid"
    assert error["source"] == {"pointer": WORKER}
    assert "max-case-carrying is 1" in error["detail"]
    assert await count(db, tenant, "worker_assignments") == 1
    assert await count(db, tenant, "outbox") == 1


async def test_the_nested_child_create_keeps_the_limit_too(jsonapi: httpx.AsyncClient) -> None:
    worker_id = await worker(jsonapi, **{"max-case-carrying": 0})
    child_id = await child(jsonapi)
    refused = await jsonapi.post(
        f"/api/v1/children/{child_id}/relationships/worker_assignments",
        json={"data": nested(worker_id)},
    )
    assert refused.status_code == 422
    assert only_error(refused)["source"] == {"pointer": WORKER}


async def test_already_assigned_at_the_limit_is_still_the_200_no_op(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    worker_id = await worker(jsonapi, **{"max-case-carrying": 1})
    child_id = await child(jsonapi)
    assert (await assign(jsonapi, child_id, worker_id)).status_code == 201
    assert (await assign(jsonapi, child_id, worker_id)).status_code == 200
    assert await count(db, tenant, "worker_assignments") == 1


async def test_the_limit_counts_case_carrying_only(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    # Approvals and support are not case-carrying: a worker at its limit still takes them,
    # through a single create and through an application's intake alike.
    worker_id = await worker(jsonapi, **{"max-case-carrying": 0})
    made = await intake(jsonapi, workers=[(worker_id, "approvals")])
    support = await jsonapi.post(
        "/api/v1/worker_assignments", json=application_assignment(made["id"], worker_id)
    )
    assert support.status_code == 201
    assert await count(db, tenant, "worker_assignments") == 2


async def test_lowering_the_limit_keeps_what_is_held_and_refuses_more(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id = await worker(jsonapi)
    children = [await child(jsonapi) for _ in range(3)]
    for child_id in children[:2]:
        assert (await assign(jsonapi, child_id, worker_id)).status_code == 201
    lowered = await jsonapi.patch(
        f"/api/v1/agency_workers/{worker_id}",
        json={"data": {"type": "agency-workers", "attributes": {"max-case-carrying": 1}}},
    )
    assert lowered.status_code == 200
    assert (await assign(jsonapi, children[2], worker_id)).status_code == 422
    listed = await jsonapi.get(f"/api/v1/children/{children[0]}/relationships/worker_assignments")
    assert listed.json()["meta"]["total-records"] == 1


async def test_simultaneous_creates_stop_exactly_at_the_limit(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, figures: Figures
) -> None:
    worker_id = await worker(jsonapi, **{"max-case-carrying": 3})
    children = [await child(jsonapi) for _ in range(10)]
    responses = await asyncio.gather(
        *(assign(jsonapi, child_id, worker_id) for child_id in children)
    )
    statuses = sorted(response.status_code for response in responses)
    figures.record("simultaneous creates for one worker's limit of 3", len(responses), "requests")
    assert statuses == [201] * 3 + [422] * 7
    assert await count(db, tenant, "worker_assignments") == 3
    assert await count(db, tenant, "outbox") == 3
