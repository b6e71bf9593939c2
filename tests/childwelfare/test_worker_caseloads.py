"""Gaps in the caseload: children without a case-carrying worker, applications without an
approvals worker, and each worker's counts by role."""

from __future__ import annotations

import httpx
import pytest

from caseworks.auth.principal import Role
from tests.support.childwelfare import (
    application,
    application_assignment,
    child,
    child_assignment,
    jsonapi_client,
    worker,
)
from tests.support.tenants import Tenant


async def ids(client: httpx.AsyncClient, path: str) -> list[str]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return [resource["id"] for resource in response.json()["data"]]


async def test_children_with_and_without_a_case_carrying_worker(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id = await worker(jsonapi)
    covered, uncovered = await child(jsonapi), await child(jsonapi)
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(covered, worker_id))

    assert await ids(jsonapi, "/api/v1/children?has_case_carrying_worker=false") == [uncovered]
    assert await ids(jsonapi, "/api/v1/children?has_case_carrying_worker=true") == [covered]
    assert await ids(jsonapi, "/api/v1/children?filter[has_case_carrying_worker]=false") == [
        uncovered
    ]
    assert await ids(jsonapi, "/api/v1/children") == [covered, uncovered]
    page = (await jsonapi.get("/api/v1/children?has_case_carrying_worker=false")).json()
    assert page["meta"]["total-records"] == 1


async def test_applications_with_and_without_an_approvals_worker(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id = await worker(jsonapi)
    approved, supported, bare = [await application(jsonapi) for _ in range(3)]
    for application_id, role in ((approved, "approvals"), (supported, "support")):
        body = application_assignment(application_id, worker_id, role)
        assert (await jsonapi.post("/api/v1/worker_assignments", json=body)).status_code == 201

    # A support worker is not an approvals worker: that application is still a gap.
    assert await ids(jsonapi, "/api/v1/applications?has_approvals_worker=false") == [
        supported,
        bare,
    ]
    assert await ids(jsonapi, "/api/v1/applications?has_approvals_worker=true") == [approved]


@pytest.mark.parametrize("value", ["", "1", "yes", "True", "FALSE", "no"])
async def test_the_gap_filters_take_exactly_true_or_false(
    jsonapi: httpx.AsyncClient, value: str
) -> None:
    for path, name in (
        ("/api/v1/children", "has_case_carrying_worker"),
        ("/api/v1/applications", "has_approvals_worker"),
    ):
        response = await jsonapi.get(path, params={name: value})
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["source"] == {"parameter": name}
        assert error["detail"] == "must be true or false"


async def test_a_caseworker_finds_gaps_only_among_what_it_reads(
    jsonapi: httpx.AsyncClient, tenant: Tenant
) -> None:
    mine = await worker(jsonapi)
    child_id = await child(jsonapi)
    await child(jsonapi)  # nobody's: outside a caseworker's scope
    application_id = await application(jsonapi)
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, mine))
    body = application_assignment(application_id, mine, "support")
    await jsonapi.post("/api/v1/worker_assignments", json=body)
    async with jsonapi_client(tenant, await tenant.token(Role.CASEWORKER, worker_id=mine)) as cw:
        assert await ids(cw, "/api/v1/children?has_case_carrying_worker=false") == []
        assert await ids(cw, "/api/v1/applications?has_approvals_worker=false") == [application_id]


async def test_each_worker_has_its_caseload_by_role(jsonapi: httpx.AsyncClient) -> None:
    anna = await worker(jsonapi, **{"max-case-carrying": 5})
    bjorn = await worker(jsonapi)
    for _ in range(2):
        await jsonapi.post(
            "/api/v1/worker_assignments", json=child_assignment(await child(jsonapi), anna)
        )
    application_id = await application(jsonapi)
    for role in ("approvals", "support"):
        body = application_assignment(application_id, anna, role)
        await jsonapi.post("/api/v1/worker_assignments", json=body)

    response = await jsonapi.get("/api/v1/worker_caseloads")
    assert response.status_code == 200
    document = response.json()
    assert [resource["id"] for resource in document["data"]] == [anna, bjorn]
    first, second = document["data"]
    assert first["type"] == "worker-caseloads"
    assert first["attributes"] == {
        "case-carrying": 2,
        "approvals": 1,
        "support": 1,
        "max-case-carrying": 5,
    }
    assert first["relationships"]["worker"] == {"data": {"type": "agency-workers", "id": anna}}
    assert first["links"]["self"].endswith(f"/api/v1/worker_caseloads/{anna}")
    assert second["attributes"] == {
        "case-carrying": 0,
        "approvals": 0,
        "support": 0,
        "max-case-carrying": None,
    }
    assert document["meta"]["total-records"] == 2

    shown = await jsonapi.get(f"/api/v1/worker_caseloads/{anna}")
    assert shown.status_code == 200
    assert shown.json()["data"] == first


async def test_caseloads_are_paginated_like_every_collection(jsonapi: httpx.AsyncClient) -> None:
    made = [await worker(jsonapi, email=f"w{n}@example.org") for n in range(3)]
    response = await jsonapi.get("/api/v1/worker_caseloads?page[size]=2&page[number]=2")
    document = response.json()
    assert [resource["id"] for resource in document["data"]] == made[2:]
    assert document["meta"]["total-pages"] == 2
    assert document["links"]["prev"].endswith("page%5Bnumber%5D=1&page%5Bsize%5D=2")
    assert document["links"]["next"] is None
    newest = await ids(jsonapi, "/api/v1/worker_caseloads?sort=-created_at")
    assert newest == made[::-1]
    wrong = await jsonapi.get("/api/v1/worker_caseloads?sort=name")
    assert wrong.status_code == 400


async def test_caseworkers_read_caseloads_as_they_read_workers(
    jsonapi: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    async with jsonapi_client(tenant, await tenant.token(Role.CASEWORKER, worker_id=anna)) as cw:
        assert await ids(cw, "/api/v1/worker_caseloads") == [anna, bjorn]
        assert (await cw.get(f"/api/v1/worker_caseloads/{bjorn}")).status_code == 200
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as stranger:
        assert await ids(stranger, "/api/v1/worker_caseloads") == []
        missing = await stranger.get(f"/api/v1/worker_caseloads/{anna}")
        assert missing.status_code == 404
        assert missing.json()["errors"][0]["status"] == "404"
