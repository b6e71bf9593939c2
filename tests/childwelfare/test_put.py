"""PUT on children and applications, as Binti updates them: the same as PATCH, only the
attributes sent change."""

from __future__ import annotations

import httpx
import pytest

from tests.support.childwelfare import application, child, worker


async def test_put_changes_only_the_attributes_sent_on_a_child(jsonapi: httpx.AsyncClient) -> None:
    child_id = await child(jsonapi, **{"middle-name": "Kari", "client-id": "C-1"})
    response = await jsonapi.put(
        f"/api/v1/children/{child_id}",
        json={"data": {"type": "children", "id": child_id, "attributes": {"last-name": "Berg"}}},
    )
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert (attributes["first-name"], attributes["middle-name"]) == ("Ola", "Kari")
    assert (attributes["last-name"], attributes["client-id"]) == ("Berg", "C-1")
    shown = (await jsonapi.get(f"/api/v1/children/{child_id}")).json()["data"]["attributes"]
    assert shown == attributes


@pytest.mark.parametrize("kind", ["applications", "initial-applications"])
async def test_put_updates_an_application_typed_either_way(
    jsonapi: httpx.AsyncClient, kind: str
) -> None:
    application_id = await application(jsonapi, **{"applicant-name": "Hansen"})
    response = await jsonapi.put(
        f"/api/v1/applications/{application_id}",
        json={"data": {"type": kind, "attributes": {"status": "ready_for_review"}}},
    )
    assert response.status_code == 200, response.text
    document = response.json()["data"]
    assert document["type"] == "initial-applications"
    assert document["attributes"]["status"] == "ready_for_review"
    assert document["attributes"]["applicant-name"] == "Hansen"
    assert document["links"]["self"] == f"http://testserver/api/v1/applications/{application_id}"


async def test_put_refuses_what_patch_refuses(jsonapi: httpx.AsyncClient) -> None:
    child_id = await child(jsonapi)
    url = f"/api/v1/children/{child_id}"
    nulled = await jsonapi.put(
        url, json={"data": {"type": "children", "attributes": {"last-name": None}}}
    )
    assert nulled.status_code == 422
    assert nulled.json()["errors"][0]["source"] == {"pointer": "/data/attributes/last-name"}
    other = await jsonapi.put(
        url, json={"data": {"type": "children", "id": "child_other", "attributes": {}}}
    )
    assert other.status_code == 409


async def test_put_takes_binti_s_child_member_and_changes_only_the_keys_sent(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id = await child(jsonapi, **{"middle-name": "Kari", "client-id": "C-1"})
    url = f"/api/v1/children/{child_id}"
    response = await jsonapi.put(url, json={"child": {"last_name": "Berg", "suffix": None}})
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert (attributes["first-name"], attributes["middle-name"]) == ("Ola", "Kari")
    assert (attributes["last-name"], attributes["suffix"]) == ("Berg", None)
    assert attributes["client-id"] == "C-1"


async def test_binti_s_child_member_is_refused_beside_others_or_with_a_needed_value_nulled(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id = await child(jsonapi)
    url = f"/api/v1/children/{child_id}"
    beside = await jsonapi.put(url, json={"child": {"last_name": "Berg"}, "data": {}})
    assert beside.status_code == 422
    assert [error["source"] for error in beside.json()["errors"]] == [{"pointer": "/data"}]
    nulled = await jsonapi.put(url, json={"child": {"last_name": None}})
    assert nulled.status_code == 422
    assert [error["source"] for error in nulled.json()["errors"]] == [
        {"pointer": "/child/last_name"}
    ]
    unknown = await jsonapi.put(url, json={"child": {"sad_muffin": "yes"}})
    assert unknown.status_code == 422
    assert [error["source"] for error in unknown.json()["errors"]] == [
        {"pointer": "/child/sad_muffin"}
    ]
    shown = (await jsonapi.get(url)).json()["data"]["attributes"]
    assert shown["last-name"] == "Nordmann"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_a_child_update_without_a_type_is_of_the_child_s_own_type(
    jsonapi: httpx.AsyncClient, method: str
) -> None:
    child_id = await child(jsonapi)
    response = await jsonapi.request(
        method,
        f"/api/v1/children/{child_id}",
        json={"data": {"id": child_id, "attributes": {"first-name": "Kari"}}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["type"] == "children"
    assert response.json()["data"]["attributes"]["first-name"] == "Kari"


async def test_agency_workers_have_no_put_as_in_binti(jsonapi: httpx.AsyncClient) -> None:
    worker_id = await worker(jsonapi)
    response = await jsonapi.put(
        f"/api/v1/agency_workers/{worker_id}",
        json={"data": {"type": "agency-workers", "attributes": {"name": "New"}}},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PATCH, OPTIONS"
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
