"""`/contacts/{id}/assign`: the mentors lightest first with their load, the override a full
mentor needs, a contact already assigned refused, made by the API's own create."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import csrf_token_of, signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def _full_and_light(api: httpx.AsyncClient) -> tuple[str, str, str]:
    """Ada (1 of 1: full), Bea (0 of 5), and a waiting contact."""
    full = (await create_mentor(api, name="Ada Lovelace", max_open_assignments=1))["mentor_id"]
    light = (await create_mentor(api, name="Bea Berg", max_open_assignments=5))["mentor_id"]
    await create_assignment(api, full, (await create_contact(api, name="Held"))["contact_id"])
    waiting = (await create_contact(api, name="Kim Waiting"))["contact_id"]
    return full, light, waiting


async def _events(api: httpx.AsyncClient, assignment_id: str) -> list[str]:
    answer = await api.get(f"/api/v1/assignments/{assignment_id}/events")
    return [event["action"] for event in answer.json()["data"]]


async def test_the_form_lists_mentors_lightest_first_with_their_load(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    full, light, waiting = await _full_and_light(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get(f"/contacts/{waiting}/assign")
    assert answer.status_code == 200
    soup = BeautifulSoup(answer.text, "html.parser")
    assert soup.find("label", string="Mentor") is not None
    options = [(str(o["value"]), o.get_text()) for o in soup.select("select#mentor_id option")][1:]
    assert options == [
        (light, "Bea Berg — 0 of 5"),
        (full, "Ada Lovelace — 1 of 1 (at or over capacity)"),
    ]
    assert soup.find("label", string="Override capacity") is not None
    assert soup.find("button", string="Assign") is not None


async def test_assigning_makes_the_assignment_and_leaves_the_waiting_list(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    _, light, waiting = await _full_and_light(api)
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        form = await client.get(f"/contacts/{waiting}/assign")
        answer = await client.post(
            f"/contacts/{waiting}/assign",
            data={"csrf_token": csrf_token_of(form.text), "mentor_id": light},
        )
    assert answer.status_code == 303
    assignment_id = answer.headers["location"].removeprefix("/assignments/")
    made = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
    assert (made["mentor_id"], made["contact_id"], made["status"]) == (light, waiting, "open")
    assert await _events(api, assignment_id) == ["created"]
    still = (await api.get("/api/v1/contacts", params={"waiting": "true"})).json()["data"]
    assert waiting not in [row["contact_id"] for row in still]


async def test_a_full_mentor_needs_the_override_and_a_reason(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    full, _, waiting = await _full_and_light(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        token = csrf_token_of((await client.get(f"/contacts/{waiting}/assign")).text)
        refused = await client.post(
            f"/contacts/{waiting}/assign", data={"csrf_token": token, "mentor_id": full}
        )
        no_reason = await client.post(
            f"/contacts/{waiting}/assign",
            data={"csrf_token": token, "mentor_id": full, "override_capacity": "on"},
        )
        overridden = await client.post(
            f"/contacts/{waiting}/assign",
            data={
                "csrf_token": token,
                "mentor_id": full,
                "override_capacity": "on",
                "reason": "Sibling already with Ada",
            },
        )
    assert refused.status_code == 409
    alert = BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]")
    assert alert is not None
    assert "Ada Lovelace has 1 of 1 open" in alert.get_text()
    assert no_reason.status_code == 400
    assert "Give a reason" in no_reason.text
    assert overridden.status_code == 303
    held = await api.get("/api/v1/assignments", params={"mentor_id": full, "status": "open"})
    assert held.json()["pagination"]["total"] == 2


async def test_a_contact_already_assigned_is_refused_and_nothing_changes(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    _full, light, _ = await _full_and_light(api)
    held = (await api.get("/api/v1/assignments")).json()["data"][0]["contact_id"]
    async with signed_in(tenant, Role.ADMIN) as client:
        form = await client.get(f"/contacts/{held}/assign")
        answer = await client.post(
            f"/contacts/{held}/assign",
            data={"csrf_token": csrf_token_of(form.text), "mentor_id": light},
        )
    assert "already has a mentor" in form.text
    assert answer.status_code == 409
    assert "already has a mentor" in answer.text
    assert (await api.get("/api/v1/assignments")).json()["pagination"]["total"] == 1


async def test_without_the_csrf_token_nothing_changes(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    _, light, waiting = await _full_and_light(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        del client.headers["X-CSRF-Token"]
        answer = await client.post(f"/contacts/{waiting}/assign", data={"mentor_id": light})
    assert answer.status_code == 403
    assert (await api.get("/api/v1/assignments")).json()["pagination"]["total"] == 1


async def test_unknown_fields_and_mentors_are_refused(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    _, light, waiting = await _full_and_light(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        token = csrf_token_of((await client.get(f"/contacts/{waiting}/assign")).text)
        unknown = await client.post(
            f"/contacts/{waiting}/assign",
            data={"csrf_token": token, "mentor_id": light, "colour": "red"},
        )
        blank = await client.post(f"/contacts/{waiting}/assign", data={"csrf_token": token})
        nobody = await client.post(
            f"/contacts/{waiting}/assign", data={"csrf_token": token, "mentor_id": "mentor_nobody"}
        )
    assert unknown.status_code == 400
    assert "colour" in unknown.text
    assert blank.status_code == 400
    assert nobody.status_code == 400
    assert "Choose one of the mentors listed." in nobody.text
    assert (await api.get("/api/v1/assignments")).json()["pagination"]["total"] == 1


async def test_another_agencys_contact_is_404_and_mentors_cannot_assign(
    tenant: Tenant, other_tenant: Tenant, api: httpx.AsyncClient
) -> None:
    full, _, waiting = await _full_and_light(api)
    async with signed_in(other_tenant, Role.ADMIN) as client:
        assert (await client.get(f"/contacts/{waiting}/assign")).status_code == 404
    async with signed_in(tenant, Role.MENTOR, mentor_id=full) as client:
        assert (await client.get(f"/contacts/{waiting}/assign")).status_code == 404
