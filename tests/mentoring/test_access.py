"""Who may do what in the mentoring programme, and agencies never see each other."""

from __future__ import annotations

import json

import httpx
import pytest

from caseworks.auth.principal import Role
from caseworks.db import Database
from tests.support.mentoring import Programme, create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


@pytest.fixture
async def two_mentors(api: httpx.AsyncClient, programme: Programme) -> tuple[Programme, str, str]:
    """The programme's mentor, plus another mentor with an assignment of their own."""
    other = await create_mentor(api, name="Other Mentor")
    contact = await create_contact(api, name="Other Contact")
    assignment = await create_assignment(api, other["mentor_id"], contact["contact_id"])
    return programme, other["mentor_id"], assignment["assignment_id"]


async def test_supervisor_may_do_everything(tenant: Tenant, programme: Programme) -> None:
    async with tenant.client(await tenant.token(Role.SUPERVISOR)) as supervisor:
        url = f"/api/v1/assignments/{programme.assignment_id}"
        assert (
            await supervisor.put(url, json={"assigned_date": "2026-01-01T00:00:00Z"})
        ).status_code == 200
        assert (
            await supervisor.patch(f"{url}/status", json={"status": "closed"})
        ).status_code == 200
        assert (await supervisor.get(f"{url}/events")).status_code == 200
        assert (await supervisor.delete(url)).status_code == 200
        assert (await supervisor.post("/api/v1/mentors", json={"name": "New"})).status_code == 201


async def test_caseworker_has_no_mentoring_rights(tenant: Tenant, programme: Programme) -> None:
    async with tenant.client(await tenant.token(Role.CASEWORKER)) as caseworker:
        url = f"/api/v1/assignments/{programme.assignment_id}"
        mentor = f"/api/v1/assignments/mentor/{programme.mentor_id}"
        for response in (
            await caseworker.get("/api/v1/assignments"),
            await caseworker.get(url),
            await caseworker.put(url, json={"notes": "x"}),
            await caseworker.patch(f"{url}/status", json={"status": "closed"}),
            await caseworker.delete(url),
            await caseworker.get(f"{mentor}/active"),
            await caseworker.get(f"{mentor}/open-count"),
            await caseworker.get("/api/v1/mentors"),
            await caseworker.get("/api/v1/contacts"),
            await caseworker.post(
                "/api/v1/assignments",
                json={
                    "mentor_id": programme.mentor_id,
                    "contact_id": programme.contacts[1]["contact_id"],
                },
            ),
        ):
            assert response.status_code == 403, response.request.url
            assert response.headers["content-type"] == "application/problem+json"


async def test_mentor_sees_and_edits_only_its_own(
    tenant: Tenant, two_mentors: tuple[Programme, str, str]
) -> None:
    programme, other_mentor_id, other_assignment_id = two_mentors
    token = await tenant.token(Role.MENTOR, mentor_id=programme.mentor_id)
    async with tenant.client(token) as mentor:
        listing = (await mentor.get("/api/v1/assignments")).json()
        assert [item["assignment_id"] for item in listing["data"]] == [programme.assignment_id]
        filtered = await mentor.get("/api/v1/assignments", params={"mentor_id": other_mentor_id})
        assert filtered.json()["data"] == []

        own = f"/api/v1/assignments/{programme.assignment_id}"
        assert (await mentor.get(own)).status_code == 200
        edit = await mentor.put(
            own, json={"notes": "Met at the library", "last_contact_date": "2026-03-25T00:00:00Z"}
        )
        assert edit.status_code == 200
        assert (
            await mentor.put(own, json={"assigned_date": "2026-01-01T00:00:00Z"})
        ).status_code == 403
        assert (
            await mentor.put(own, json={"notes": "x", "assigned_date": "2026-01-01T00:00:00Z"})
        ).status_code == 403
        assert (await mentor.patch(f"{own}/status", json={"status": "closed"})).status_code == 403
        assert (await mentor.delete(own)).status_code == 403
        assert (await mentor.get(f"{own}/events")).status_code == 403
        new = {"mentor_id": programme.mentor_id, "contact_id": programme.contacts[1]["contact_id"]}
        assert (await mentor.post("/api/v1/assignments", json=new)).status_code == 403

        views = f"/api/v1/assignments/mentor/{programme.mentor_id}"
        assert (await mentor.get(f"{views}/active")).status_code == 200
        assert (await mentor.get(f"{views}/open-count")).json()["open_assignment_count"] == 1

        # Another mentor's records are invisible: 404, as if they did not exist.
        theirs = f"/api/v1/assignments/{other_assignment_id}"
        assert (await mentor.get(theirs)).status_code == 404
        assert (await mentor.put(theirs, json={"notes": "x"})).status_code == 404
        assert (
            await mentor.patch(f"{theirs}/status", json={"status": "closed"})
        ).status_code == 404
        assert (await mentor.delete(theirs)).status_code == 404
        for view in ("active", "history", "open-count"):
            response = await mentor.get(f"/api/v1/assignments/mentor/{other_mentor_id}/{view}")
            assert response.status_code == 404

        mentors = (await mentor.get("/api/v1/mentors")).json()
        assert [item["mentor_id"] for item in mentors["data"]] == [programme.mentor_id]
        assert (await mentor.get(f"/api/v1/mentors/{other_mentor_id}")).status_code == 404
        contacts = (await mentor.get("/api/v1/contacts")).json()
        assert [item["contact_id"] for item in contacts["data"]] == [
            programme.contacts[0]["contact_id"]
        ]
        assert (await mentor.post("/api/v1/contacts", json={"name": "X"})).status_code == 403
        assert (
            await mentor.put(f"/api/v1/mentors/{programme.mentor_id}", json={"name": "X"})
        ).status_code == 403


async def test_another_agency_sees_nothing(
    tenant: Tenant, other_tenant: Tenant, programme: Programme
) -> None:
    async with other_tenant.client(other_tenant.admin_token) as stranger:
        url = f"/api/v1/assignments/{programme.assignment_id}"
        for response in (
            await stranger.get(url),
            await stranger.put(url, json={"notes": "x"}),
            await stranger.patch(f"{url}/status", json={"status": "closed"}),
            await stranger.delete(url),
            await stranger.get(f"{url}/events"),
            await stranger.get(f"/api/v1/assignments/mentor/{programme.mentor_id}/active"),
            await stranger.get(f"/api/v1/assignments/mentor/{programme.mentor_id}/open-count"),
            await stranger.get(f"/api/v1/mentors/{programme.mentor_id}"),
            await stranger.delete(f"/api/v1/contacts/{programme.contacts[0]['contact_id']}"),
        ):
            assert response.status_code == 404, response.request.url
        assert (await stranger.get("/api/v1/assignments")).json()["pagination"]["total"] == 0
        # Records of another agency cannot be referenced either.
        response = await stranger.post(
            "/api/v1/assignments",
            json={
                "mentor_id": programme.mentor_id,
                "contact_id": programme.contacts[1]["contact_id"],
            },
        )
        assert response.status_code == 422
        assert [error["pointer"] for error in response.json()["errors"]] == [
            "/mentor_id",
            "/contact_id",
        ]
        # Ids are scoped per agency: the same imported id can exist in both.
        same_id = await stranger.post(
            "/api/v1/mentors", json={"mentor_id": programme.mentor_id, "name": "Namesake"}
        )
        assert same_id.status_code == 201


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer ", "Bearer cw_not-a-real-token", "Basic dXNlcjpwYXNz", "cw_no_scheme"],
)
async def test_requests_without_a_valid_token_are_401(
    tenant: Tenant, programme: Programme, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with tenant.client() as anonymous:
        response = await anonymous.get(
            f"/api/v1/assignments/{programme.assignment_id}", headers=headers
        )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


async def test_deleting_a_mentor_revokes_its_tokens_so_a_reused_id_is_not_reached(
    tenant: Tenant, api: httpx.AsyncClient, db: Database
) -> None:
    mentor = await create_mentor(api, mentor_id="mentor_imported01")
    first = await tenant.token(Role.MENTOR, mentor_id="mentor_imported01")
    second = await tenant.token(Role.MENTOR, mentor_id="mentor_imported01")
    async with tenant.client(first) as old_mentor:
        assert (await old_mentor.get("/api/v1/assignments")).status_code == 200

        deleted = await api.delete(f"/api/v1/mentors/{mentor['mentor_id']}")
        assert deleted.status_code == 200
        # A later import brings a different person under the same id, with a caseload.
        await create_mentor(api, mentor_id="mentor_imported01", name="Someone Else")
        contact = await create_contact(api, name="Ingrid Berg")
        await create_assignment(api, "mentor_imported01", contact["contact_id"])

        for token in (first, second):
            response = await old_mentor.get(
                "/api/v1/assignments", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401, response.text
    revoked = await db.fetch_value(
        "SELECT count(*) FROM api_tokens WHERE mentor_id = 'mentor_imported01'"
        " AND agency_id = :agency_id AND revoked_at IS NOT NULL",
        {"agency_id": tenant.agency_id},
    )
    assert revoked == 2
    events = await db.fetch_all(
        "SELECT details FROM audit_events WHERE agency_id = :agency_id"
        " AND subject_type = 'mentor' AND action = 'deleted'",
        {"agency_id": tenant.agency_id},
    )
    details = [event["details"] for event in events]
    assert [json.loads(d) if isinstance(d, str) else d for d in details] == [{"tokens_revoked": 2}]


async def test_a_mentor_keeps_its_closed_assignments_read_only_and_without_contact_details(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = await create_mentor(api)
    past = await create_contact(api, name="Per Olsen", email="per@example.org", phone="+4712345678")
    current = await create_contact(api, name="Liv Svendsen", email="liv@example.org")
    closed = await create_assignment(api, mentor["mentor_id"], past["contact_id"], notes="n")
    still_open = await create_assignment(api, mentor["mentor_id"], current["contact_id"])
    closed_url = f"/api/v1/assignments/{closed['assignment_id']}"
    assert (await api.patch(f"{closed_url}/status", json={"status": "closed"})).status_code == 200

    token = await tenant.token(Role.MENTOR, mentor_id=mentor["mentor_id"])
    async with tenant.client(token) as own:
        # The contact's details only through an open assignment: 404 as if it did not exist.
        assert (await own.get(f"/api/v1/contacts/{past['contact_id']}")).status_code == 404
        assert (await own.get(f"/api/v1/contacts/{current['contact_id']}")).status_code == 200
        contacts = (await own.get("/api/v1/contacts")).json()
        assert [item["contact_id"] for item in contacts["data"]] == [current["contact_id"]]
        assert contacts["pagination"]["total"] == 1

        # The closed assignment stays in its history, naming the contact and nothing more.
        history = await own.get(f"/api/v1/assignments/mentor/{mentor['mentor_id']}/history")
        listing = await own.get("/api/v1/assignments", params={"status": "closed"})
        single = await own.get(closed_url)
        for response in (history, listing, single):
            assert response.status_code == 200
            assert "Per Olsen" in response.text
            assert "per@example.org" not in response.text
            assert "+4712345678" not in response.text
        assert [item["assignment_id"] for item in listing.json()["data"]] == [
            closed["assignment_id"]
        ]
        assert single.json()["status"] == "closed"

        # Read-only to its mentor: no edit, no reopening.
        for refused in (
            await own.put(closed_url, json={"notes": "one more visit"}),
            await own.put(closed_url, json={"last_contact_date": "2026-03-25T00:00:00Z"}),
            await own.patch(f"{closed_url}/status", json={"status": "open"}),
            await own.patch(f"{closed_url}/status", json={"status": "closed"}),
        ):
            assert refused.status_code == 403, refused.text
        assert (await api.get(closed_url)).json()["notes"] == "n"
        # Its open assignment is still its own to edit.
        open_url = f"/api/v1/assignments/{still_open['assignment_id']}"
        assert (await own.put(open_url, json={"notes": "met"})).status_code == 200

    # A manager may still edit a closed assignment, and reopening gives the mentor its details.
    assert (await api.put(closed_url, json={"notes": "archived"})).status_code == 200
    assert (await api.patch(f"{closed_url}/status", json={"status": "open"})).status_code == 200
    async with tenant.client(token) as own:
        contact = await own.get(f"/api/v1/contacts/{past['contact_id']}")
        assert contact.status_code == 200
        assert contact.json()["email"] == "per@example.org"
