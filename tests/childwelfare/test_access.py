"""Who may read and change child-welfare records."""

from __future__ import annotations

import json

import httpx
import pytest

from caseworks.auth.cache import evict_everywhere
from caseworks.auth.principal import Principal, Role
from caseworks.auth.tokens import hash_token
from caseworks.childwelfare import worker_assignments
from caseworks.core.errors import ServiceError
from caseworks.db import Database
from tests.support.childwelfare import (
    JSONAPI,
    application,
    application_assignment,
    child,
    child_assignment,
    jsonapi_client,
    nested,
    worker,
)
from tests.support.tenants import Tenant


async def test_a_caseworker_reads_what_its_worker_is_assigned_to_and_changes_nothing(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    mine, theirs = await child(jsonapi), await child(jsonapi, **{"last-name": "Hansen"})
    my_application = await application(jsonapi)
    me = await worker(jsonapi, email="me@example.org")
    colleague = await worker(jsonapi, email="colleague@example.org")
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, me))
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, colleague))
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(theirs, colleague))
    await jsonapi.post(
        "/api/v1/worker_assignments", json=application_assignment(my_application, me, "support")
    )

    async with jsonapi_client(
        tenant, await tenant.token(Role.CASEWORKER, worker_id=me)
    ) as caseworker:
        assert (await caseworker.get(f"/api/v1/children/{mine}")).status_code == 200
        assert (await caseworker.get(f"/api/v1/children/{theirs}")).status_code == 404
        listed = (await caseworker.get("/api/v1/children")).json()["data"]
        assert [item["id"] for item in listed] == [mine]
        assert (await caseworker.get(f"/api/v1/applications/{my_application}")).status_code == 200

        # Every assignment on my child (mine and my colleague's), none on theirs.
        assignments = (await caseworker.get("/api/v1/worker_assignments")).json()["data"]
        subjects = {
            item["relationships"].get("child", item["relationships"].get("application"))["data"][
                "id"
            ]
            for item in assignments
        }
        assert subjects == {mine, my_application}
        assert len(assignments) == 3
        theirs_list = await caseworker.get(
            f"/api/v1/children/{theirs}/relationships/worker_assignments"
        )
        assert theirs_list.status_code == 404

        # Read access but no update access: 403; no read access: 404.
        on_mine = await caseworker.post(
            f"/api/v1/children/{mine}/relationships/worker_assignments",
            json={"data": nested(colleague)},
        )
        assert on_mine.status_code == 403
        on_theirs = await caseworker.post(
            f"/api/v1/children/{theirs}/relationships/worker_assignments", json={"data": nested(me)}
        )
        assert on_theirs.status_code == 404
        assignment_id = assignments[0]["id"]
        assert (
            await caseworker.delete(f"/api/v1/worker_assignments/{assignment_id}")
        ).status_code == 403
        edit = await caseworker.patch(
            f"/api/v1/children/{mine}",
            json={"data": {"type": "children", "attributes": {"last-name": "X"}}},
        )
        assert edit.status_code == 403
        created = await caseworker.post(
            "/api/v1/children",
            json={"data": {"type": "children", "attributes": {"last-name": "X"}}},
        )
        assert created.status_code == 403


async def test_a_related_record_is_included_only_if_the_caller_may_read_it_directly(
    tenant: Tenant, db: Database, jsonapi: httpx.AsyncClient
) -> None:
    mine, theirs = await child(jsonapi), await child(jsonapi, **{"last-name": "Hansen"})
    me = await worker(jsonapi, email="me@example.org")
    colleague = await worker(jsonapi, email="colleague@example.org")
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, me))
    theirs_made = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(theirs, colleague)
    )
    their_assignment = theirs_made.json()["data"][0]["id"]

    # Asked for the related records of an assignment it cannot see (as an admin read it), a
    # caseworker gets what a direct read would give it: the worker, not the child.
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_admin")
    caseworker = Principal(tenant.agency_id, Role.CASEWORKER, "tok_caseworker", worker_id=me)
    rows = [await worker_assignments.get_assignment(db, admin, their_assignment)]
    wanted = {"worker", "child", "application"}

    async def included_for(caller: Principal) -> dict[str, list[str]]:
        related = await worker_assignments.included(db, caller, rows, wanted)
        return {kind.table: [row["id"] for row in found] for kind, found in related.items()}

    assert await included_for(caseworker) == {
        "agency_workers": [colleague],
        "children": [],
        "applications": [],
    }
    assert await included_for(admin) == {
        "agency_workers": [colleague],
        "children": [theirs],
        "applications": [],
    }

    # Through the API: every included record is one the caseworker reads directly too.
    token = await tenant.token(Role.CASEWORKER, worker_id=me)
    async with jsonapi_client(tenant, token) as client:
        document = (
            await client.get("/api/v1/worker_assignments", params={"include": "worker,child"})
        ).json()
        included = {(item["type"], item["id"]) for item in document["included"]}
        assert included == {("agency-workers", me), ("children", mine)}
        for kind, record_id in included:
            path = "agency_workers" if kind == "agency-workers" else "children"
            assert (await client.get(f"/api/v1/{path}/{record_id}")).status_code == 200
        assert (await client.get(f"/api/v1/children/{theirs}")).status_code == 404


async def test_a_supervisor_may_do_everything(tenant: Tenant, jsonapi: httpx.AsyncClient) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    async with jsonapi_client(tenant, await tenant.token(Role.SUPERVISOR)) as supervisor:
        created = await supervisor.post(
            "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
        )
        assert created.status_code == 201
        assignment_id = created.json()["data"][0]["id"]
        assert (
            await supervisor.delete(f"/api/v1/worker_assignments/{assignment_id}")
        ).status_code == 204


async def test_mentors_and_untied_caseworkers_have_no_casework_rights(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    mentor = await jsonapi.post(
        "/api/v1/mentors", json={"name": "M"}, headers={"Content-Type": "application/json"}
    )
    tokens = [
        await tenant.token(Role.MENTOR, mentor_id=mentor.json()["mentor_id"]),
        await tenant.token(Role.CASEWORKER),
    ]
    for token in tokens:
        async with jsonapi_client(tenant, token) as client:
            for path in (
                "/api/v1/children",
                "/api/v1/worker_assignments",
                "/api/v1/agency_workers",
            ):
                response = await client.get(path)
                assert response.status_code == 403
                assert response.headers["content-type"] == JSONAPI


async def test_another_agency_cannot_assign_to_or_with_our_records(
    tenant: Tenant, other_tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    our_child, our_worker = await child(jsonapi), await worker(jsonapi)
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as stranger:
        their_child = await child(stranger)
        their_worker = await worker(stranger)
        with_our_worker = await stranger.post(
            "/api/v1/worker_assignments", json=child_assignment(their_child, our_worker)
        )
        assert with_our_worker.status_code == 422
        assert with_our_worker.json()["errors"][0]["source"] == {
            "pointer": "/data/relationships/worker"
        }
        on_our_child = await stranger.post(
            "/api/v1/worker_assignments", json=child_assignment(our_child, their_worker)
        )
        assert on_our_child.status_code == 422
        assert on_our_child.json()["errors"][0]["source"] == {
            "pointer": "/data/relationships/child"
        }
        nested_on_ours = await stranger.post(
            f"/api/v1/children/{our_child}/relationships/worker_assignments",
            json={"data": nested(their_worker)},
        )
        assert nested_on_ours.status_code == 404
        assert (await stranger.get("/api/v1/worker_assignments")).json()["data"] == []


async def test_no_token_is_401_in_jsonapi_form(tenant: Tenant) -> None:
    async with tenant.client() as anonymous:
        response = await anonymous.get("/api/v1/worker_assignments")
    assert response.status_code == 401
    assert response.headers["content-type"] == JSONAPI
    assert response.json()["errors"][0]["status"] == "401"


async def test_deactivating_a_worker_revokes_its_caseworker_tokens(
    tenant: Tenant, jsonapi: httpx.AsyncClient, db: Database
) -> None:
    mine = await child(jsonapi)
    me = await worker(jsonapi, email="leaving@example.org")
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, me))
    token = await tenant.token(Role.CASEWORKER, worker_id=me)
    async with jsonapi_client(tenant, token) as caseworker:
        assert (await caseworker.get(f"/api/v1/children/{mine}")).status_code == 200

        deactivate = {"data": {"type": "agency-workers", "id": me, "attributes": {"active": False}}}
        assert (await jsonapi.patch(f"/api/v1/agency_workers/{me}", json=deactivate)).is_success
        assert (await caseworker.get(f"/api/v1/children/{mine}")).status_code == 401

        # Coming back does not bring old tokens back: a new one is issued.
        deactivate["data"]["attributes"] = {"active": True}
        assert (await jsonapi.patch(f"/api/v1/agency_workers/{me}", json=deactivate)).is_success
        assert (await caseworker.get(f"/api/v1/children/{mine}")).status_code == 401
    events = await db.fetch_all(
        "SELECT details FROM audit_events WHERE agency_id = :agency_id"
        " AND subject_type = 'agency_workers' AND subject_id = :id AND action = 'updated'",
        {"agency_id": tenant.agency_id, "id": me},
    )
    details = [
        json.loads(e["details"]) if isinstance(e["details"], str) else e["details"] for e in events
    ]
    assert {"fields": ["active"], "tokens_revoked": 1} in details


async def test_a_token_cannot_be_made_for_an_inactive_or_unknown_worker(
    tenant: Tenant, other_tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    inactive = await worker(jsonapi, email="gone@example.org", active=False)
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as theirs:
        elsewhere = await worker(theirs, email="elsewhere@example.org")
    for worker_id, why in (
        (inactive, f"agency worker {inactive} is not active"),
        ("worker_nobody", "no agency worker worker_nobody"),
        (elsewhere, f"no agency worker {elsewhere}"),
    ):
        with pytest.raises(ServiceError, match=why):
            await tenant.token(Role.CASEWORKER, worker_id=worker_id)
    count = await tenant.db.fetch_value(
        "SELECT count(*) FROM api_tokens WHERE agency_id = :a AND worker_id IS NOT NULL",
        {"a": tenant.agency_id},
    )
    assert count == 0


async def test_a_caseworker_token_of_an_inactive_worker_does_not_authenticate(
    tenant: Tenant, jsonapi: httpx.AsyncClient, db: Database
) -> None:
    """Even when the worker was made inactive some other way than the API (an import, SQL)."""
    mine = await child(jsonapi)
    me = await worker(jsonapi, email="quiet@example.org")
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, me))
    token = await tenant.token(Role.CASEWORKER, worker_id=me)
    async with jsonapi_client(tenant, token) as caseworker:
        assert (await caseworker.get(f"/api/v1/children/{mine}")).status_code == 200
        async with db.transaction() as tx:
            await tx.execute(
                "UPDATE agency_workers SET active = :no WHERE agency_id = :a AND id = :id",
                {"no": False, "a": tenant.agency_id, "id": me},
            )
        evict_everywhere(hash_token(token))  # as a process that never saw the change would
        response = await caseworker.get(f"/api/v1/children/{mine}")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
