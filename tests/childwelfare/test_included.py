"""Compound documents: which related records `included` holds, by `include` or Binti's
`included`, and that they obey the caller's read scope."""

from __future__ import annotations

import httpx
import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.childwelfare import worker_assignments
from caseworks.core.pagination import PageRequest
from caseworks.db import Database
from tests.support.childwelfare import (
    application,
    application_assignment,
    child,
    child_assignment,
    jsonapi_client,
    worker,
)
from tests.support.tenants import Tenant

EVERYTHING = {"agency-workers", "children", "initial-applications"}


async def _two_assignments(jsonapi: httpx.AsyncClient) -> tuple[str, str, str]:
    """A child and an application, one worker assigned to both: (worker, child, application)."""
    worker_id, child_id = await worker(jsonapi), await child(jsonapi)
    application_id = await application(jsonapi)
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, worker_id))
    await jsonapi.post(
        "/api/v1/worker_assignments", json=application_assignment(application_id, worker_id)
    )
    return worker_id, child_id, application_id


def included_types(document: dict[str, object]) -> set[str]:
    included = document.get("included")
    assert isinstance(included, list)
    return {item["type"] for item in included}


async def test_without_include_or_included_every_association_is_included(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id, child_id, application_id = await _two_assignments(jsonapi)
    document = (await jsonapi.get("/api/v1/worker_assignments")).json()
    # Each related record once, though the worker is on both assignments.
    assert sorted((item["type"], item["id"]) for item in document["included"]) == sorted(
        [
            ("agency-workers", worker_id),
            ("children", child_id),
            ("initial-applications", application_id),
        ]
    )
    one = document["data"][0]["id"]
    shown = (await jsonapi.get(f"/api/v1/worker_assignments/{one}")).json()
    assert included_types(shown) == {"agency-workers", "children"}
    nested = f"/api/v1/children/{child_id}/relationships/worker_assignments"
    assert included_types((await jsonapi.get(nested)).json()) == {"agency-workers", "children"}


async def test_a_create_answers_with_every_association_included_too(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id, child_id = await worker(jsonapi), await child(jsonapi)
    created = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assert created.status_code == 201
    assert included_types(created.json()) == {"agency-workers", "children"}


@pytest.mark.parametrize("name", ["include", "included"])
async def test_a_star_includes_all_an_empty_value_none_and_a_list_those(
    jsonapi: httpx.AsyncClient, name: str
) -> None:
    await _two_assignments(jsonapi)
    url = "/api/v1/worker_assignments"
    assert included_types((await jsonapi.get(url, params={name: "*"})).json()) == EVERYTHING
    # An empty value asks for nothing: the document has no `included` member at all.
    assert "included" not in (await jsonapi.get(url, params={name: ""})).json()
    listed = (await jsonapi.get(url, params={name: "worker"})).json()
    assert included_types(listed) == {"agency-workers"}
    both = (await jsonapi.get(url, params={name: "child, application"})).json()
    assert included_types(both) == {"children", "initial-applications"}


async def test_include_and_included_at_once_is_400_naming_included(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.get(
        "/api/v1/worker_assignments", params={"include": "worker", "included": "worker"}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["source"] == {"parameter": "included"}
    assert "given twice" in error["detail"]


async def test_an_unknown_name_is_400_naming_the_parameter_as_sent(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.get("/api/v1/worker_assignments", params={"included": "worker,nope"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["source"] == {"parameter": "included"}


@pytest.mark.parametrize("name", ["include", "included"])
async def test_records_take_include_with_nothing_to_add(
    jsonapi: httpx.AsyncClient, name: str
) -> None:
    child_id = await child(jsonapi)
    for url in ("/api/v1/children", f"/api/v1/children/{child_id}"):
        for value in ("*", ""):
            response = await jsonapi.get(url, params={name: value})
            assert response.status_code == 200, response.text
            assert "included" not in response.json()
        refused = await jsonapi.get(url, params={name: "worker"})
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["source"] == {"parameter": name}


async def test_by_default_a_caseworker_is_given_only_records_it_may_read(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    mine, theirs = await child(jsonapi), await child(jsonapi, **{"last-name": "Hansen"})
    me = await worker(jsonapi, email="me@example.org")
    colleague = await worker(jsonapi, email="colleague@example.org")
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, me))
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, colleague))
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(theirs, colleague))
    token = await tenant.token(Role.CASEWORKER, worker_id=me)
    async with jsonapi_client(tenant, token) as caseworker:
        document = (await caseworker.get("/api/v1/worker_assignments")).json()
        included = {(item["type"], item["id"]) for item in document["included"]}
        assert included == {
            ("agency-workers", me),
            ("agency-workers", colleague),
            ("children", mine),
        }
        for item in document["included"]:
            # Each is readable directly, at the URL its own links.self gives.
            assert (await caseworker.get(item["links"]["self"])).status_code == 200


async def test_related_records_of_many_rows_are_read_in_one_batch_within_scope(
    tenant: Tenant, db: Database, jsonapi: httpx.AsyncClient
) -> None:
    me = await worker(jsonapi, email="me@example.org")
    children = [await child(jsonapi, **{"last-name": f"Child {n}"}) for n in range(4)]
    for child_id in children[:2]:
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, me))
    for child_id in children[2:]:
        other = await worker(jsonapi, email=f"{child_id}@example.org")
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, other))
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_admin")
    caseworker = Principal(tenant.agency_id, Role.CASEWORKER, "tok_caseworker", worker_id=me)
    page = await worker_assignments.list_assignments(
        db, admin, {}, (("created_at", "asc"),), PageRequest(1, 20)
    )
    assert len(page.items) == 4

    related = await worker_assignments.included(db, caseworker, page.items, {"child"})
    # The children the caseworker's worker is assigned to, each once, by id; no others.
    assert [row["id"] for rows in related.values() for row in rows] == sorted(children[:2])
    every = await worker_assignments.included(db, admin, page.items, {"child"})
    assert [row["id"] for rows in every.values() for row in rows] == sorted(children)
