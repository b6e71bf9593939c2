"""What Binti's document promises every operation, as its client reads it: `tz=utc`,
`included` (all by default, `*`, empty for none), collections' `links` and `meta` (with `sort`
as an object), error objects, string ids (an agency's own kept on create) and PUT."""

from __future__ import annotations

from typing import Any

import httpx

API = "/api/v1"


async def create(client: httpx.AsyncClient, path: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"{API}/{path}", json={"data": data})
    # Binti documents 201 for its creates, and 200 for an application's intake.
    assert response.status_code == (200 if path == "applications" else 201), response.text
    assert response.headers["content-type"] == "application/json"
    document: dict[str, Any] = response.json()
    return document


async def world(binti: httpx.AsyncClient) -> dict[str, str]:
    """A worker, a child and an application carried over from Binti with their integer ids, and
    the worker assigned to both."""
    await create(
        binti,
        "agency_workers",
        {
            "type": "agency-workers",
            "id": "134",
            "attributes": {
                "name": "Talia Boyle",
                "email": "talia@example.org",
                "assignable-roles": ["case_carrying", "approvals"],
            },
        },
    )
    await create(
        binti, "children", {"type": "children", "id": "48213", "attributes": {"last-name": "Berg"}}
    )
    await create(
        binti,
        "applications",
        {"type": "initial-applications", "id": "42", "attributes": {"status": "applying"}},
    )
    worker = {"data": {"id": "134", "type": "agency-workers"}}
    await create(
        binti,
        "worker_assignments",
        {
            "type": "worker-assignments",
            "attributes": {"role": "case_carrying"},
            "relationships": {
                "child": {"data": {"id": "48213", "type": "children"}},
                "worker": worker,
            },
        },
    )
    made = await binti.post(
        f"{API}/applications/42/relationships/worker_assignments",
        json={
            "type": "worker-assignments",
            "data": [
                {
                    "type": "worker-assignments",
                    "attributes": {"role": "approvals"},
                    "relationships": {"worker": worker},
                }
            ],
        },
    )
    assert made.status_code == 201, made.text
    return {"worker": "134", "child": "48213", "application": "42"}


async def test_the_index_of_worker_assignments_as_binti_documents_it(
    binti: httpx.AsyncClient,
) -> None:
    await world(binti)
    response = await binti.get(f"{API}/worker_assignments")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert set(document) == {"data", "included", "links", "meta"}
    for item in document["data"]:
        assert item["type"] == "worker-assignments"
        assert isinstance(item["id"], str)
        assert item["relationships"]["worker"]["data"] == {"type": "agency-workers", "id": "134"}
    # Without `included`, every available association, each once.
    assert sorted((item["type"], item["id"]) for item in document["included"]) == [
        ("agency-workers", "134"),
        ("children", "48213"),
        ("initial-applications", "42"),
    ]
    assert document["meta"] == {
        "total-records": 2,
        "page-size": 20,
        "page-number": 1,
        "total-pages": 1,
        "sort": {},
    }
    links = document["links"]
    assert links["prev"] is None
    assert links["next"] is None
    assert links["first"] == links["last"]
    assert "tz=utc" in links["first"]
    assert "page%5Bnumber%5D=1" in links["first"]


async def test_included_limits_the_bundle_and_empty_excludes_it(
    binti: httpx.AsyncClient,
) -> None:
    await world(binti)
    url = f"{API}/worker_assignments"
    only = (await binti.get(url, params={"included": "worker"})).json()
    assert {item["type"] for item in only["included"]} == {"agency-workers"}
    every = (await binti.get(url, params={"included": "*"})).json()
    assert len(every["included"]) == 3
    none = (await binti.get(url, params={"included": ""})).json()
    assert none.get("included", []) == []
    one = only["data"][0]["id"]
    shown = (await binti.get(f"{url}/{one}", params={"included": "worker"})).json()
    assert [item["id"] for item in shown["included"]] == ["134"]


async def test_sort_is_echoed_in_meta_as_binti_shows_it(binti: httpx.AsyncClient) -> None:
    await world(binti)
    for sort, shown in (
        ("-created_at", {"created_at": "desc"}),
        ("created_at", {"created_at": "asc"}),
    ):
        document = (await binti.get(f"{API}/worker_assignments", params={"sort": sort})).json()
        assert document["meta"]["sort"] == shown
        assert f"sort={sort}" in document["links"]["self"]


async def test_the_nested_lists_and_shows_of_records(binti: httpx.AsyncClient) -> None:
    await world(binti)
    nested = (await binti.get(f"{API}/applications/42/relationships/worker_assignments")).json()
    [assignment] = nested["data"]
    assert assignment["attributes"]["role"] == "approvals"
    assert assignment["relationships"]["application"]["data"] == {
        "type": "initial-applications",
        "id": "42",
    }
    child = (await binti.get(f"{API}/children/48213")).json()["data"]
    assert (child["type"], child["id"]) == ("children", "48213")
    assert child["links"]["self"].endswith(f"{API}/children/48213")
    listed = (await binti.get(f"{API}/agency_workers", params={"included": ""})).json()
    assert [item["id"] for item in listed["data"]] == ["134"]


async def test_put_updates_a_child_and_an_application(binti: httpx.AsyncClient) -> None:
    await world(binti)
    child = await binti.put(
        f"{API}/children/48213",
        json={"data": {"type": "children", "attributes": {"first-name": "Ola"}}},
    )
    assert child.status_code == 200, child.text
    assert child.json()["data"]["attributes"]["last-name"] == "Berg"
    application = await binti.put(
        f"{API}/applications/42",
        json={
            "data": {"type": "initial-applications", "attributes": {"status": "ready_for_review"}}
        },
    )
    assert application.status_code == 200, application.text
    assert application.json()["data"]["attributes"]["status"] == "ready_for_review"


async def test_errors_as_binti_documents_them(binti: httpx.AsyncClient) -> None:
    missing = await binti.get(f"{API}/children/definitely_not_found")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    [error] = missing.json()["errors"]
    # Binti's fields, with the request id to quote; status a string here (Binti sends a number).
    assert {"title", "detail", "status", "id"} <= set(error)
    assert int(error["status"]) == 404
    assert error["id"] == missing.headers["x-request-id"]

    invalid = await binti.post(
        f"{API}/children", json={"data": {"type": "children", "attributes": {"ethnicity": "x"}}}
    )
    assert invalid.status_code == 422
    pointers = {error["source"]["pointer"] for error in invalid.json()["errors"]}
    assert "/data/attributes/ethnicity" in pointers

    unknown = await binti.get(f"{API}/agency_placements")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/json"
    assert unknown.json()["errors"][0]["status"] == "404"


async def test_an_id_binti_already_gave_out_is_a_conflict(binti: httpx.AsyncClient) -> None:
    await world(binti)
    again = await binti.post(
        f"{API}/children",
        json={"data": {"type": "children", "id": "48213", "attributes": {"last-name": "Dup"}}},
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["source"] == {"pointer": "/data/id"}


async def test_the_deprecated_api_token_parameter_is_refused(binti: httpx.AsyncClient) -> None:
    del binti.headers["Authorization"]
    response = await binti.get(f"{API}/children", params={"api_token": "whatever"})
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["errors"][0]["detail"]
