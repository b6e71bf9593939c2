"""Agency workers: who supervises whom, the roles Binti shows, and the lookup by external id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseworks.db import Database
from tests.support.childwelfare import jsonapi_client, worker
from tests.support.tenants import Tenant

WORKERS = "/api/v1/agency_workers"


async def _patch(client: httpx.AsyncClient, worker_id: str, **attributes: Any) -> httpx.Response:
    body = {"data": {"type": "agency-workers", "id": worker_id, "attributes": attributes}}
    return await client.patch(f"{WORKERS}/{worker_id}", json=body)


async def _supervisors(client: httpx.AsyncClient, worker_id: str) -> list[dict[str, str]]:
    shown = await client.get(f"{WORKERS}/{worker_id}")
    assert shown.status_code == 200, shown.text
    supervisors: list[dict[str, str]] = shown.json()["data"]["attributes"]["supervisors"]
    return supervisors


async def _supervision_rows(db: Database, tenant: Tenant) -> list[tuple[str, str]]:
    rows = await db.fetch_all(
        "SELECT worker_id, supervisor_id FROM agency_worker_supervisors"
        " WHERE agency_id = :agency_id ORDER BY worker_id, supervisor_id",
        {"agency_id": tenant.agency_id},
    )
    return [(row["worker_id"], row["supervisor_id"]) for row in rows]


async def test_supervisors_are_set_by_id_and_shown_with_their_names(
    jsonapi: httpx.AsyncClient,
) -> None:
    anna = await worker(jsonapi, name="Anna Berg", email="anna@example.org")
    carl = await worker(jsonapi, name="Carl Lie", email="carl@example.org")
    wendy = await worker(jsonapi, supervisors=[anna])
    assert await _supervisors(jsonapi, wendy) == [{"id": anna, "name": "Anna Berg"}]

    changed = await _patch(jsonapi, wendy, supervisors=[carl, anna, carl])  # twice counts once
    assert changed.status_code == 200, changed.text
    expected = sorted(
        [{"id": anna, "name": "Anna Berg"}, {"id": carl, "name": "Carl Lie"}], key=str
    )
    assert sorted(changed.json()["data"]["attributes"]["supervisors"], key=str) == expected
    listed = (await jsonapi.get(WORKERS)).json()["data"]
    by_id = {item["id"]: item["attributes"]["supervisors"] for item in listed}
    assert sorted(by_id[wendy], key=str) == expected
    assert by_id[anna] == by_id[carl] == []

    # Another attribute changed alone leaves the supervisors as they are.
    assert (await _patch(jsonapi, wendy, name="Wendy W")).status_code == 200
    assert len(await _supervisors(jsonapi, wendy)) == 2
    cleared = await _patch(jsonapi, wendy, supervisors=[])
    assert cleared.json()["data"]["attributes"]["supervisors"] == []
    refused = await _patch(jsonapi, wendy, supervisors=None)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"] == {"pointer": "/data/attributes/supervisors"}


async def test_a_worker_cannot_supervise_itself(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna = await worker(jsonapi)
    response = await _patch(jsonapi, anna, supervisors=[anna])
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["source"] for error in errors] == [{"pointer": "/data/attributes/supervisors/0"}]
    assert "itself" in errors[0]["detail"]
    assert await _supervision_rows(db, tenant) == []


async def test_supervisors_are_workers_of_the_same_agency(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as elsewhere:
        stranger = await worker(elsewhere)
    anna = await worker(jsonapi)
    response = await jsonapi.post(
        WORKERS,
        json={
            "data": {
                "type": "agency-workers",
                "attributes": {
                    "name": "W",
                    "email": "w@example.org",
                    "supervisors": [anna, stranger, "worker_nobody"],
                },
            }
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == [
        "/data/attributes/supervisors/1",
        "/data/attributes/supervisors/2",
    ]
    assert stranger in errors[0]["detail"]
    # Nothing written: neither the worker nor its one valid supervisor.
    assert (await jsonapi.get(WORKERS)).json()["meta"]["total-records"] == 1
    assert await _supervision_rows(db, tenant) == []


async def test_supervision_cannot_go_round_in_a_circle(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    # Anna supervises Bo, and Bo supervises Cy.
    anna = await worker(jsonapi, name="Anna")
    bo = await worker(jsonapi, name="Bo", supervisors=[anna])
    cy = await worker(jsonapi, name="Cy", supervisors=[bo])
    before = await _supervision_rows(db, tenant)

    for boss in (bo, cy):  # directly, and through Bo
        response = await _patch(jsonapi, anna, supervisors=[boss])
        assert response.status_code == 422, boss
        errors = response.json()["errors"]
        assert [error["source"] for error in errors] == [
            {"pointer": "/data/attributes/supervisors/0"}
        ]
        assert "circle" in errors[0]["detail"]
    assert await _supervision_rows(db, tenant) == before
    # Up the chain is no circle: Cy may have Anna as a second supervisor.
    assert (await _patch(jsonapi, cy, supervisors=[bo, anna])).status_code == 200


@pytest.mark.parametrize(
    ("supervisors", "pointer"),
    [
        ("worker_a", "/data/attributes/supervisors"),
        ([7], "/data/attributes/supervisors/0"),
        (["not an id!"], "/data/attributes/supervisors/0"),
        (["worker_a"] * 51, "/data/attributes/supervisors"),
    ],
)
async def test_supervisors_must_be_a_short_list_of_ids(
    jsonapi: httpx.AsyncClient, supervisors: object, pointer: str
) -> None:
    anna = await worker(jsonapi)
    response = await _patch(jsonapi, anna, supervisors=supervisors)
    assert response.status_code == 422
    assert [error["source"]["pointer"] for error in response.json()["errors"]] == [pointer]


async def test_agency_role_and_role_for_permissions_are_kept_as_binti_shows_them(
    jsonapi: httpx.AsyncClient,
) -> None:
    permissions = {"id": 3, "name": "Approvals Worker"}
    wendy = await worker(
        jsonapi, **{"agency-role": "approvals", "role_for_permissions": permissions}
    )
    attributes = (await jsonapi.get(f"{WORKERS}/{wendy}")).json()["data"]["attributes"]
    assert attributes["agency-role"] == "approvals"
    assert attributes["role-for-permissions"] == permissions
    changed = await _patch(jsonapi, wendy, **{"role-for-permissions": None, "agency-role": "admin"})
    assert changed.json()["data"]["attributes"]["role-for-permissions"] is None
    assert changed.json()["data"]["attributes"]["agency-role"] == "admin"


@pytest.mark.parametrize(
    ("value", "pointers"),
    [
        ({"id": "3", "name": "Approvals Worker"}, ["/data/attributes/role-for-permissions/id"]),
        ({"id": 0, "name": "Approvals Worker"}, ["/data/attributes/role-for-permissions/id"]),
        ({"id": 3}, ["/data/attributes/role-for-permissions/name"]),
        (
            {"id": 3, "name": "Approvals Worker", "level": 2},
            ["/data/attributes/role-for-permissions/level"],
        ),
        ("Approvals Worker", ["/data/attributes/role-for-permissions"]),
    ],
)
async def test_a_wrong_role_for_permissions_is_422_at_its_member(
    jsonapi: httpx.AsyncClient, value: object, pointers: list[str]
) -> None:
    response = await jsonapi.post(
        WORKERS,
        json={
            "data": {
                "type": "agency-workers",
                "attributes": {
                    "name": "W",
                    "email": "w@example.org",
                    "role-for-permissions": value,
                },
            }
        },
    )
    assert response.status_code == 422
    assert [error["source"]["pointer"] for error in response.json()["errors"]] == pointers


async def test_a_lookup_by_external_identifier_finds_only_that_worker(
    jsonapi: httpx.AsyncClient,
) -> None:
    wanted = await worker(jsonapi, **{"external-identifier": "HR-17"})
    await worker(jsonapi, **{"external-identifier": "HR-170"})
    await worker(jsonapi, **{"external-identifier": "hr-17"})
    await worker(jsonapi)
    for name in ("external_identifier", "filter[external_identifier]"):
        found = await jsonapi.get(WORKERS, params={name: "HR-17"})
        assert found.status_code == 200, found.text
        assert [item["id"] for item in found.json()["data"]] == [wanted]
        assert found.json()["meta"]["total-records"] == 1
    assert (await jsonapi.get(WORKERS, params={"external_identifier": "HR"})).json()["data"] == []
    unknown = await jsonapi.get(WORKERS, params={"full_name_contains": "Wendy"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["source"] == {"parameter": "full_name_contains"}


async def test_managers_of_supervisors_are_the_supervisors_supervisors_each_once(
    jsonapi: httpx.AsyncClient,
) -> None:
    cleo = await worker(jsonapi, name="Cleo Top", email="cleo@example.org")
    dan = await worker(jsonapi, name="Dan Top", email="dan@example.org")
    bo = await worker(jsonapi, name="Bo Mid", email="bo@example.org", supervisors=[cleo, dan])
    eli = await worker(jsonapi, name="Eli Mid", email="eli@example.org", supervisors=[cleo])
    anna = await worker(jsonapi, name="Anna Low", supervisors=[bo, eli])

    shown = (await jsonapi.get(f"/api/v1/agency_workers/{anna}")).json()["data"]["attributes"]
    assert [item["id"] for item in shown["supervisors"]] == sorted([bo, eli])
    assert shown["managers-of-supervisors"] == sorted(
        [{"id": cleo, "name": "Cleo Top"}, {"id": dan, "name": "Dan Top"}], key=lambda m: m["id"]
    )
    listed = (await jsonapi.get("/api/v1/agency_workers")).json()["data"]
    managers = {item["id"]: item["attributes"]["managers-of-supervisors"] for item in listed}
    assert managers[anna] == shown["managers-of-supervisors"]
    assert managers[bo] == managers[eli] == managers[cleo] == []

    # The managers follow a change of supervision at once: they are read, never stored.
    assert (await _patch(jsonapi, anna, supervisors=[eli])).status_code == 200
    moved = (await jsonapi.get(f"/api/v1/agency_workers/{anna}")).json()["data"]["attributes"]
    assert moved["managers-of-supervisors"] == [{"id": cleo, "name": "Cleo Top"}]


async def test_sign_in_count_is_zero_and_the_computed_attributes_are_not_written(
    jsonapi: httpx.AsyncClient,
) -> None:
    anna = await worker(jsonapi)
    shown = (await jsonapi.get(f"/api/v1/agency_workers/{anna}")).json()["data"]["attributes"]
    assert shown["sign-in-count"] == 0
    for member, value in (("sign-in-count", 3), ("managers-of-supervisors", [])):
        refused = await _patch(jsonapi, anna, **{member: value})
        assert refused.status_code == 422, member
        assert [error["source"] for error in refused.json()["errors"]] == [
            {"pointer": f"/data/attributes/{member}"}
        ]
