"""What every operation of the Binti-compatible API shares: its media types, its error objects,
the answer to an unknown path under /api/v1/, Binti's tz, resource links and tokens in URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.childwelfare import child, child_assignment, jsonapi_client, worker
from tests.support.tenants import Tenant

JSONAPI = "application/vnd.api+json"


@pytest.fixture
async def jsonapi(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        yield client


@pytest.mark.parametrize(
    ("accept", "answered"),
    [
        (None, JSONAPI),
        ("*/*", JSONAPI),
        (JSONAPI, JSONAPI),
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        ("application/json, text/plain, */*", "application/json"),
        # Naming both, a client gets JSON:API's type, as JSON:API asks.
        (f"application/json, {JSONAPI}", JSONAPI),
    ],
)
async def test_the_media_type_follows_accept_and_the_bytes_do_not(
    jsonapi: httpx.AsyncClient, accept: str | None, answered: str
) -> None:
    child_id = await child(jsonapi)
    headers = {} if accept is None else {"Accept": accept}
    plain = await jsonapi.get(f"/api/v1/children/{child_id}")
    for path, status in (
        (f"/api/v1/children/{child_id}", 200),
        ("/api/v1/children", 200),
        ("/api/v1/children/nobody", 404),
        ("/api/v1/children?sort=nope", 400),
        ("/api/v1/no_such_collection", 404),
    ):
        response = await jsonapi.get(path, headers=headers)
        assert response.status_code == status, path
        assert response.headers["content-type"] == answered, path
    same = await jsonapi.get(f"/api/v1/children/{child_id}", headers=headers)
    assert same.content == plain.content


async def test_every_error_object_carries_the_request_id_and_a_code(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    cases = [
        ("GET", "/api/v1/children/nobody", None, 404, "not_found"),
        ("GET", "/api/v1/children?page[size]=0", None, 400, "bad_request"),
        (
            "POST",
            "/api/v1/children",
            {"data": {"type": "children", "attributes": {}}},
            422,
            "invalid",
        ),
        (
            "POST",
            "/api/v1/children",
            {"data": {"type": "mentors", "attributes": {}}},
            409,
            "conflict",
        ),
        ("DELETE", "/api/v1/children", None, 405, "method_not_allowed"),
    ]
    for method, path, body, status, code in cases:
        response = await jsonapi.request(
            method, path, json=body, headers={"X-Request-ID": f"req-{status}"}
        )
        assert response.status_code == status, (path, response.text)
        for error in response.json()["errors"]:
            assert error["id"] == f"req-{status}"
            assert error["code"] == code
            assert error["status"] == str(status)  # a string, as JSON:API requires
    async with jsonapi_client(tenant, None) as anonymous:
        response = await anonymous.get("/api/v1/children")
    [error] = response.json()["errors"]
    assert (error["status"], error["code"]) == ("401", "unauthorized")
    assert error["id"] == response.headers["x-request-id"]


async def test_an_unknown_path_under_api_v1_is_a_jsonapi_404_document(
    jsonapi: httpx.AsyncClient,
) -> None:
    for path in ("/api/v1/placements", "/api/v1/children/x/relationships/nope", "/api/v1/"):
        response = await jsonapi.get(path, headers={"X-Request-ID": "lost"})
        assert response.status_code == 404, path
        assert response.headers["content-type"] == JSONAPI
        [error] = response.json()["errors"]
        assert (error["status"], error["code"], error["id"]) == ("404", "not_found", "lost")
    # The mentoring API's paths keep their problem details, and so does the rest.
    for path in ("/api/v1/mentors/x/y", "/api/v1/assignments/x/y/z", "/nowhere"):
        response = await jsonapi.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path


async def test_tz_utc_is_taken_everywhere_and_any_other_zone_is_400_naming_it(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    created = await jsonapi.post(
        "/api/v1/worker_assignments?tz=utc", json=child_assignment(child_id, worker_id)
    )
    assert created.status_code == 201
    assignment_id = created.json()["data"][0]["id"]
    for path in (
        "/api/v1/children",
        f"/api/v1/children/{child_id}",
        "/api/v1/worker_assignments",
        f"/api/v1/worker_assignments/{assignment_id}",
    ):
        shown = await jsonapi.get(path, params={"tz": "utc"})
        assert shown.status_code == 200, path
        # Timestamps are UTC with or without it: the same resources.
        assert shown.json()["data"] == (await jsonapi.get(path)).json()["data"]
        for zone in ("pst", "UTC", "America/Los_Angeles", ""):
            refused = await jsonapi.get(path, params={"tz": zone})
            assert refused.status_code == 400, (path, zone)
            assert refused.json()["errors"][0]["source"] == {"parameter": "tz"}
    deleted = await jsonapi.delete(f"/api/v1/worker_assignments/{assignment_id}?tz=utc")
    assert deleted.status_code == 204


async def test_a_wrong_tz_is_reported_with_the_other_wrong_parameters(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.get("/api/v1/children", params={"tz": "pst", "sort": "nope"})
    assert response.status_code == 400
    named = [error["source"]["parameter"] for error in response.json()["errors"]]
    assert named == ["tz", "sort"]


async def test_every_resource_object_links_to_itself(jsonapi: httpx.AsyncClient) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    created = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    document = created.json()
    [assignment] = document["data"]
    base = "http://testserver/api/v1"
    assert assignment["links"] == {"self": f"{base}/worker_assignments/{assignment['id']}"}
    links = {item["id"]: item["links"]["self"] for item in document["included"]}
    assert links == {
        child_id: f"{base}/children/{child_id}",
        worker_id: f"{base}/agency_workers/{worker_id}",
    }
    listed = (await jsonapi.get("/api/v1/children")).json()["data"]
    assert [item["links"]["self"] for item in listed] == [f"{base}/children/{child_id}"]
    for link in (assignment["links"]["self"], *links.values()):
        assert (await jsonapi.get(link)).status_code == 200


async def test_a_token_in_the_url_is_401_saying_to_send_the_header(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    async with jsonapi_client(tenant, None) as anonymous:
        response = await anonymous.get(f"/api/v1/children?api_token={tenant.admin_token}")
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["source"] == {"parameter": "api_token"}
    assert "Authorization: Bearer" in error["detail"]
    assert response.headers["www-authenticate"] == "Bearer"
    async with jsonapi_client(tenant, None) as anonymous:
        escaped = await anonymous.get("/api/v1/children?api%5Ftoken=x")
    assert escaped.status_code == 401
    assert escaped.json()["errors"][0]["source"] == {"parameter": "api_token"}
    # With the header as well, the token in the URL is still refused, before anything is read.
    both = await jsonapi.get("/api/v1/children", params={"api_token": "x", "sort": "nope"})
    assert both.status_code == 401
    assert both.json()["errors"][0]["source"] == {"parameter": "api_token"}


async def test_links_follow_the_allowed_host_each_request_names(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id = await child(jsonapi)
    for host in ("testserver", "localhost", "testserver"):
        shown = await jsonapi.get(f"/api/v1/children/{child_id}", headers={"Host": host})
        assert shown.json()["data"]["links"]["self"] == f"http://{host}/api/v1/children/{child_id}"
