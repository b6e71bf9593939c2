"""Agency workers, children and applications: JSON:API resources with create, list, show, update."""

from __future__ import annotations

import httpx
import pytest

from tests.support.childwelfare import JSONAPI, application, child, worker
from tests.support.tenants import Tenant


async def test_create_and_show_an_agency_worker(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post(
        "/api/v1/agency_workers",
        json={
            "data": {
                "type": "agency-workers",
                "attributes": {
                    "name": "Wendy Worker",
                    "email": "wendy@example.org",
                    "assignable_roles": ["case-carrying", "support"],  # snake_case keys work too
                    "external-identifier": "HR-17",
                },
            }
        },
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == JSONAPI
    resource = response.json()["data"]
    assert resource["type"] == "agency-workers"
    assert isinstance(resource["id"], str)
    assert resource["attributes"] == {
        "name": "Wendy Worker",
        "email": "wendy@example.org",
        "active": True,
        "assignable-roles": ["case_carrying", "support"],
        "external-identifier": "HR-17",
        "agency-role": None,
        "role-for-permissions": None,
        "max-case-carrying": None,
        "supervisors": [],
        "managers-of-supervisors": [],
        "sign-in-count": 0,
        "created-at": resource["attributes"]["created-at"],
        "updated-at": resource["attributes"]["updated-at"],
    }
    assert response.headers["location"] == f"/api/v1/agency_workers/{resource['id']}"
    shown = await jsonapi.get(f"/api/v1/agency_workers/{resource['id']}")
    assert shown.json() == {"data": resource}


async def test_children_and_their_name_filter(jsonapi: httpx.AsyncClient) -> None:
    first = await child(
        jsonapi, **{"first-name": "Ola", "last-name": "Nordmann", "date-of-birth": "2015-04-01"}
    )
    await child(jsonapi, **{"first-name": "Kari", "last-name": "Hansen"})
    shown = (await jsonapi.get(f"/api/v1/children/{first}")).json()["data"]
    assert shown["type"] == "children"
    assert shown["attributes"]["date-of-birth"] == "2015-04-01"
    assert shown["attributes"]["last-name"] == "Nordmann"
    found = (
        await jsonapi.get("/api/v1/children", params={"full_name_contains": "ola nord"})
    ).json()
    assert [item["id"] for item in found["data"]] == [first]
    also = (
        await jsonapi.get("/api/v1/children", params={"filter[full_name_contains]": "NORD"})
    ).json()
    assert [item["id"] for item in also["data"]] == [first]
    percent = (await jsonapi.get("/api/v1/children", params={"full_name_contains": "%"})).json()
    assert percent["data"] == []


@pytest.mark.parametrize("kind", ["initial-applications", "renewal-applications"])
async def test_applications_keep_their_own_type(jsonapi: httpx.AsyncClient, kind: str) -> None:
    application_id = await application(jsonapi, kind, **{"applicant-name": "The Hansens"})
    shown = (await jsonapi.get(f"/api/v1/applications/{application_id}")).json()["data"]
    assert shown["type"] == kind
    assert shown["attributes"]["status"] == "applying"
    listed = (await jsonapi.get("/api/v1/applications")).json()["data"]
    assert [item["type"] for item in listed] == [kind]


async def test_update_changes_only_what_is_sent(jsonapi: httpx.AsyncClient) -> None:
    worker_id = await worker(jsonapi)
    response = await jsonapi.patch(
        f"/api/v1/agency_workers/{worker_id}",
        json={"data": {"type": "agency-workers", "id": worker_id, "attributes": {"active": False}}},
    )
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert attributes["active"] is False
    assert attributes["name"] == "Wendy Worker"
    refused = await jsonapi.patch(
        f"/api/v1/agency_workers/{worker_id}",
        json={"data": {"type": "agency-workers", "attributes": {"name": None}}},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"] == {"pointer": "/data/attributes/name"}


@pytest.mark.parametrize(
    ("attributes", "pointers"),
    [
        ({}, ["/data/attributes/name", "/data/attributes/email"]),
        ({"name": "W", "email": "not-an-address"}, ["/data/attributes/email"]),
        ({"name": "W", "email": "w@example.org", "active": "yes"}, ["/data/attributes/active"]),
        (
            {"name": "W", "email": "w@example.org", "assignable-roles": ["boss"]},
            ["/data/attributes/assignable-roles/0"],
        ),
        ({"name": "W", "email": "w@example.org", "salary": 1}, ["/data/attributes/salary"]),
    ],
)
async def test_invalid_attributes_are_422_with_every_pointer(
    jsonapi: httpx.AsyncClient, attributes: dict[str, object], pointers: list[str]
) -> None:
    response = await jsonapi.post(
        "/api/v1/agency_workers",
        json={"data": {"type": "agency-workers", "attributes": attributes}},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert sorted(error["source"]["pointer"] for error in errors) == sorted(pointers)
    assert all(error["status"] == "422" and error["title"] and error["detail"] for error in errors)
    assert (await jsonapi.get("/api/v1/agency_workers")).json()["meta"]["total-records"] == 0


async def test_a_missing_attribute_is_named_as_clients_spell_it(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.post(
        "/api/v1/children",
        json={"data": {"type": "children", "attributes": {"first-name": "Emma"}}},
    )
    assert response.status_code == 422
    pointers = [error["source"]["pointer"] for error in response.json()["errors"]]
    assert pointers == ["/data/attributes/last-name"]


async def test_a_resource_of_another_type_is_409(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post(
        "/api/v1/children",
        json={"data": {"type": "agency-workers", "attributes": {"last-name": "X"}}},
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["status"] == "409"


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/vnd.api+json", 201),
        ("application/json", 201),
        ('application/vnd.api+json; ext="https://example.org/ext"', 201),
        ("application/vnd.api+json; charset=utf-8", 415),
        ("text/plain", 415),
    ],
)
async def test_media_types(tenant: Tenant, content_type: str, status: int) -> None:
    async with tenant.client(tenant.admin_token) as client:
        response = await client.post(
            "/api/v1/children",
            content=b'{"data": {"type": "children", "attributes": {"last-name": "X"}}}',
            headers={"Content-Type": content_type},
        )
    assert response.status_code == status
    assert response.headers["content-type"] == JSONAPI


async def test_malformed_json_is_400(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post("/api/v1/children", content=b'{"data": ')
    assert response.status_code == 400
    assert response.json()["errors"][0]["status"] == "400"


async def test_collections_page_with_links_and_meta(jsonapi: httpx.AsyncClient) -> None:
    ids = [await child(jsonapi, **{"last-name": f"Child {n}"}) for n in range(5)]
    response = await jsonapi.get(
        "/api/v1/children", params={"page[number]": "2", "page[size]": "2", "sort": "-created_at"}
    )
    document = response.json()
    assert [item["id"] for item in document["data"]] == list(reversed(ids))[2:4]
    assert document["meta"] == {
        "total-records": 5,
        "page-size": 2,
        "page-number": 2,
        "total-pages": 3,
        "sort": {"created_at": "desc"},
    }
    links = document["links"]
    assert links["first"].startswith("http://testserver/api/v1/children?")
    assert "sort=-created_at" in links["next"]
    assert "page%5Bnumber%5D=3" in links["next"]
    assert "page%5Bnumber%5D=1" in links["prev"]
    assert "page%5Bnumber%5D=3" in links["last"]
    last = (await jsonapi.get(links["last"])).json()
    assert last["links"]["next"] is None
    assert [item["id"] for item in last["data"]] == [ids[0]]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page[size]": "201"}, "page[size]"),
        ({"page[size]": "0"}, "page[size]"),
        ({"page[number]": "-1"}, "page[number]"),
        ({"page[number]": "abc"}, "page[number]"),
        ({"sort": "name"}, "sort"),
        ({"sort": "--created_at"}, "sort"),
    ],
)
async def test_bad_query_parameters_are_400(
    jsonapi: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    response = await jsonapi.get("/api/v1/children", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"parameter": parameter}


async def test_another_agency_sees_none_of_it(
    jsonapi: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    child_id = await child(jsonapi)
    worker_id = await worker(jsonapi)
    async with other_tenant.client(other_tenant.admin_token) as stranger:
        assert (await stranger.get(f"/api/v1/children/{child_id}")).status_code == 404
        assert (await stranger.get(f"/api/v1/agency_workers/{worker_id}")).status_code == 404
        assert (await stranger.get("/api/v1/children")).json()["data"] == []
        response = await stranger.patch(
            f"/api/v1/children/{child_id}",
            json={"data": {"type": "children", "attributes": {"last-name": "X"}}},
            headers={"Content-Type": JSONAPI},
        )
        assert response.status_code == 404


@pytest.mark.parametrize(
    "email",
    ["carl@example.org,root", "carl@example.org, anna@example.org", "Carl <carl@example.org>"],
)
async def test_an_agency_worker_has_exactly_one_address(
    jsonapi: httpx.AsyncClient, email: str
) -> None:
    body = {"data": {"type": "agency-workers", "attributes": {"name": "W", "email": email}}}
    refused = await jsonapi.post("/api/v1/agency_workers", json=body)
    assert refused.status_code == 422
    assert [e["source"] for e in refused.json()["errors"]] == [
        {"pointer": "/data/attributes/email"}
    ]
    worker_id = await worker(jsonapi)
    patched = await jsonapi.patch(
        f"/api/v1/agency_workers/{worker_id}",
        json={"data": {"type": "agency-workers", "attributes": {"email": email}}},
    )
    assert patched.status_code == 422
    shown = (await jsonapi.get(f"/api/v1/agency_workers/{worker_id}")).json()["data"]
    assert shown["attributes"]["email"] == "wendy@example.org"


async def test_an_address_is_stored_normalised(jsonapi: httpx.AsyncClient) -> None:
    worker_id = await worker(jsonapi, email=" Wendy@Example.ORG ")
    shown = (await jsonapi.get(f"/api/v1/agency_workers/{worker_id}")).json()["data"]
    assert shown["attributes"]["email"] == "Wendy@example.org"


async def test_an_attribute_under_both_spellings_is_400(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post(
        "/api/v1/children",
        json={
            "data": {
                "type": "children",
                "attributes": {"last-name": "N", "first-name": "Ola", "first_name": "Kari"},
            }
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/attributes/first_name"}
    assert (await jsonapi.get("/api/v1/children")).json()["meta"]["total-records"] == 0


@pytest.mark.parametrize(
    ("created", "sent", "status"),
    [
        ("initial-applications", "renewal-applications", 409),
        ("renewal-applications", "initial-applications", 409),
        ("initial-applications", "initial-applications", 200),
        ("renewal-applications", "applications", 200),
    ],
)
async def test_a_patch_typed_as_another_subtype_is_409(
    jsonapi: httpx.AsyncClient, created: str, sent: str, status: int
) -> None:
    application_id = await application(jsonapi, created)
    response = await jsonapi.patch(
        f"/api/v1/applications/{application_id}",
        json={
            "data": {
                "type": sent,
                "id": application_id,
                "attributes": {"status": "ready_for_review"},
            }
        },
    )
    assert response.status_code == status, response.text
    shown = (await jsonapi.get(f"/api/v1/applications/{application_id}")).json()["data"]
    assert shown["type"] == created
    if status == 409:
        assert response.json()["errors"][0]["source"] == {"pointer": "/data/type"}
        assert shown["attributes"]["status"] == "applying"


async def test_a_relationship_a_record_does_not_have_is_422(jsonapi: httpx.AsyncClient) -> None:
    relationships = {"guardian": {"data": {"type": "people", "id": "p1"}}}
    created = await jsonapi.post(
        "/api/v1/children",
        json={
            "data": {
                "type": "children",
                "attributes": {"last-name": "N"},
                "relationships": relationships,
            }
        },
    )
    assert created.status_code == 422
    assert [e["source"] for e in created.json()["errors"]] == [
        {"pointer": "/data/relationships/guardian"}
    ]
    assert (await jsonapi.get("/api/v1/children")).json()["meta"]["total-records"] == 0
    child_id = await child(jsonapi)
    patched = await jsonapi.patch(
        f"/api/v1/children/{child_id}",
        json={
            "data": {
                "type": "children",
                "attributes": {"last-name": "Changed"},
                "relationships": relationships,
            }
        },
    )
    assert patched.status_code == 422
    assert [e["source"] for e in patched.json()["errors"]] == [
        {"pointer": "/data/relationships/guardian"}
    ]
    shown = (await jsonapi.get(f"/api/v1/children/{child_id}")).json()["data"]
    assert shown["attributes"]["last-name"] == "Nordmann"
