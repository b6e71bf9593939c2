"""Ids a client chooses on create (an agency moving from Binti keeps its ids): the form, the
clash, and that a record so made reads back like any other."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseworks.db import Database
from tests.support.childwelfare import child, child_assignment, nested, worker
from tests.support.tenants import Tenant

RECORDS = [
    ("/api/v1/agency_workers", "agency-workers", {"name": "Ann", "email": "ann@example.org"}),
    ("/api/v1/children", "children", {"last-name": "Berg"}),
    ("/api/v1/applications", "initial-applications", {}),
]
# An application's intake answers 200, as Binti documents it; every other create 201.
CREATED = {"/api/v1/applications": 200}


async def rows(db: Database, tenant: Tenant, table: str) -> int:
    count = await db.fetch_value(
        f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    return int(count)


def body(kind: str, attributes: dict[str, Any], record_id: Any) -> dict[str, Any]:
    return {"data": {"type": kind, "id": record_id, "attributes": attributes}}


@pytest.mark.parametrize(("path", "kind", "attributes"), RECORDS)
async def test_a_record_keeps_the_id_its_client_gives_it(
    jsonapi: httpx.AsyncClient, path: str, kind: str, attributes: dict[str, Any]
) -> None:
    created = await jsonapi.post(path, json=body(kind, attributes, "48213"))
    assert created.status_code == CREATED.get(path, 201), created.text
    assert created.json()["data"]["id"] == "48213"
    assert created.headers["location"].endswith(f"{path}/48213")
    shown = await jsonapi.get(f"{path}/48213")
    assert shown.status_code == 200
    assert shown.json()["data"]["links"]["self"] == f"http://testserver{path}/48213"
    # Any form the rule allows reads back, a leading "-" or "_" too.
    for own in ("-7", "_legacy_9", "A" * 40):
        made = await jsonapi.post(path, json=body(kind, attributes, own))
        assert made.status_code == CREATED.get(path, 201)
        assert (await jsonapi.get(f"{path}/{own}")).status_code == 200


@pytest.mark.parametrize(("path", "kind", "attributes"), RECORDS)
async def test_an_id_the_agency_holds_already_is_409_at_data_id_and_nothing_is_written(
    jsonapi: httpx.AsyncClient,
    db: Database,
    tenant: Tenant,
    path: str,
    kind: str,
    attributes: dict[str, Any],
) -> None:
    first = await jsonapi.post(path, json=body(kind, attributes, "77"))
    assert first.status_code == CREATED.get(path, 201)
    table = path.rsplit("/", 1)[1]
    before = await rows(db, tenant, table)
    clash = await jsonapi.post(path, json=body(kind, attributes, "77"))
    assert clash.status_code == 409
    [error] = clash.json()["errors"]
    assert error["source"] == {"pointer": "/data/id"}
    assert error["code"] == "conflict"
    assert await rows(db, tenant, table) == before


async def test_the_same_id_in_another_agency_or_of_another_type_is_free(
    jsonapi: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    made = await jsonapi.post("/api/v1/children", json=body("children", {"last-name": "A"}, "5"))
    assert made.status_code == 201
    app = await jsonapi.post("/api/v1/applications", json=body("initial-applications", {}, "5"))
    assert app.status_code == 200
    async with other_tenant.client(other_tenant.admin_token) as other:
        other.headers["Content-Type"] = "application/vnd.api+json"
        theirs = await other.post(
            "/api/v1/children", json=body("children", {"last-name": "B"}, "5")
        )
        assert theirs.status_code == 201


@pytest.mark.parametrize("bad", ["", "a" * 41, "has space", "48213/x", "ünï", "x!", 48213, ["1"]])
async def test_an_id_of_the_wrong_form_is_422_at_data_id(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, bad: Any
) -> None:
    response = await jsonapi.post(
        "/api/v1/children", json=body("children", {"last-name": "C"}, bad)
    )
    assert response.status_code == 422, response.text
    assert {"pointer": "/data/id"} in [error["source"] for error in response.json()["errors"]]
    assert await rows(db, tenant, "children") == 0


async def test_every_problem_is_reported_with_the_id_at_once(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post("/api/v1/children", json=body("children", {}, "no way"))
    assert response.status_code == 422
    pointers = {error["source"]["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/data/id", "/data/attributes/last-name"}


async def test_an_assignment_keeps_its_clients_id_top_level_and_nested(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    document = child_assignment(child_id, worker_id)
    document["data"]["id"] = "9001"
    created = await jsonapi.post("/api/v1/worker_assignments", json=document)
    assert created.status_code == 201, created.text
    assert [item["id"] for item in created.json()["data"]] == ["9001"]
    assert (await jsonapi.get("/api/v1/worker_assignments/9001")).status_code == 200

    other = await worker(jsonapi, email="other@example.org")
    url = f"/api/v1/children/{child_id}/relationships/worker_assignments"
    made = await jsonapi.post(url, json={"data": {**nested(other), "id": "9002"}})
    assert made.status_code == 201, made.text
    assert {item["id"] for item in made.json()["data"]} == {"9001", "9002"}


async def test_an_assignment_id_clash_is_409_at_its_pointer_and_writes_nothing(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    document = child_assignment(child_id, worker_id)
    document["data"]["id"] = "9001"
    assert (await jsonapi.post("/api/v1/worker_assignments", json=document)).status_code == 201
    application_id = (
        await jsonapi.post("/api/v1/applications", json=body("initial-applications", {}, None))
    ).json()["data"]["id"]
    url = f"/api/v1/applications/{application_id}/relationships/worker_assignments"
    fresh = await worker(jsonapi, email="fresh@example.org")
    items = [
        {**nested(fresh, "support"), "id": "9100"},
        {**nested(worker_id, "approvals"), "id": "9001"},  # the child's assignment has it
    ]
    before = await rows(db, tenant, "worker_assignments")
    clash = await jsonapi.post(url, json={"data": items})
    assert clash.status_code == 409, clash.text
    assert clash.json()["errors"][0]["source"] == {"pointer": "/data/1/id"}
    # Twice in one request is the same clash, found before anything is read.
    twice = [{**nested(fresh, "support"), "id": "9200"}, {**nested(worker_id), "id": "9200"}]
    twice[1]["attributes"] = {"role": "approvals"}
    again = await jsonapi.post(url, json={"data": twice})
    assert again.status_code == 409
    assert again.json()["errors"][0]["source"] == {"pointer": "/data/1/id"}
    assert await rows(db, tenant, "worker_assignments") == before


async def test_an_assignment_id_of_the_wrong_form_is_422_at_its_pointer(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    document = child_assignment(child_id, worker_id)
    document["data"]["id"] = "x" * 41
    response = await jsonapi.post("/api/v1/worker_assignments", json=document)
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/id"}


async def test_a_repeated_create_bringing_the_assignments_own_id_is_the_200_no_op(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    document = child_assignment(child_id, worker_id)
    document["data"]["id"] = "9001"
    assert (await jsonapi.post("/api/v1/worker_assignments", json=document)).status_code == 201
    again = await jsonapi.post("/api/v1/worker_assignments", json=document)
    assert again.status_code == 200, again.text
    assert [item["id"] for item in again.json()["data"]] == ["9001"]
    assert await rows(db, tenant, "worker_assignments") == 1


async def test_a_repeated_create_bringing_another_id_is_409_naming_the_assignments_id(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    made = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    [existing] = [item["id"] for item in made.json()["data"]]  # generated
    document = child_assignment(child_id, worker_id)
    document["data"]["id"] = "9001"
    nested_url = f"/api/v1/children/{child_id}/relationships/worker_assignments"
    for url, body in (
        ("/api/v1/worker_assignments", document),
        (nested_url, {"data": {**nested(worker_id), "id": "9001"}}),
    ):
        clash = await jsonapi.post(url, json=body)
        assert clash.status_code == 409, clash.text
        [error] = clash.json()["errors"]
        assert error["source"] == {"pointer": "/data/id"}
        assert existing in error["detail"]
        assert "9001" in error["detail"]
    assert await rows(db, tenant, "worker_assignments") == 1
    assert (await jsonapi.get("/api/v1/worker_assignments/9001")).status_code == 404
    # Without an id, the same request is the no-op it always was.
    again = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assert again.status_code == 200


async def test_in_an_applications_array_the_clash_is_at_its_item_and_nothing_is_written(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    approver, supporter = await worker(jsonapi), await worker(jsonapi, email="s@example.org")
    application_id = (
        await jsonapi.post("/api/v1/applications", json=body("initial-applications", {}, None))
    ).json()["data"]["id"]
    url = f"/api/v1/applications/{application_id}/relationships/worker_assignments"
    first = await jsonapi.post(url, json={"data": [{**nested(approver, "approvals"), "id": "A1"}]})
    assert first.status_code == 201, first.text
    before = await rows(db, tenant, "worker_assignments")
    items = [
        {**nested(supporter, "support"), "id": "S1"},  # new: not made either
        {**nested(approver, "approvals"), "id": "A2"},  # held as A1
    ]
    clash = await jsonapi.post(url, json={"data": items})
    assert clash.status_code == 409, clash.text
    [error] = clash.json()["errors"]
    assert error["source"] == {"pointer": "/data/1/id"}
    assert "A1" in error["detail"]
    # An item repeating an earlier one of the request, with an id of its own, clashes too.
    repeated = [nested(supporter, "support"), {**nested(supporter, "support"), "id": "S2"}]
    twice = await jsonapi.post(url, json={"data": repeated})
    assert twice.status_code == 409, twice.text
    assert twice.json()["errors"][0]["source"] == {"pointer": "/data/1/id"}
    assert "/data/0" in twice.json()["errors"][0]["detail"]
    assert await rows(db, tenant, "worker_assignments") == before
    # The held one under its own id, beside a new one: 201, the new one made.
    fine = [{**nested(approver, "approvals"), "id": "A1"}, nested(supporter, "support")]
    made = await jsonapi.post(url, json={"data": fine})
    assert made.status_code == 201, made.text
    assert await rows(db, tenant, "worker_assignments") == before + 1
