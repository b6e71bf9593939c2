"""The contacts' pages: the list as the API gives it, a contact's record with its assignments,
and the forms that create and edit one through the API's own service."""

from __future__ import annotations

import httpx
import pytest
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.page_html import element, table_rows, tag
from tests.support.tenants import Tenant


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
async def test_the_list_shows_the_contacts_in_the_apis_order(
    tenant: Tenant, api: httpx.AsyncClient, role: Role
) -> None:
    for name in ("Per", "Kari", "Ola"):
        await create_contact(api, name=name, email=f"{name.lower()}@example.org")
    from_api = (await api.get("/api/v1/contacts?sort=name")).json()["data"]
    async with signed_in(tenant, role) as client:
        page = await client.get("/contacts?sort=name")
    assert page.status_code == 200
    assert [row[:2] for row in table_rows(page.text)] == [
        [contact["name"], contact["email"]] for contact in from_api
    ]
    assert 'href="/contacts/new"' in page.text
    assert 'href="/waiting"' in page.text
    assert 'href="/contacts?sort=name&amp;format=csv"' in page.text


async def test_waiting_leads_to_the_waiting_worklist(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/contacts?waiting=true&limit=5")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/waiting?limit=5"


async def test_the_export_is_the_apis_export(tenant: Tenant, api: httpx.AsyncClient) -> None:
    await create_contact(api, name="Kari")
    async with signed_in(tenant, Role.ADMIN) as client:
        for query in ("sort=-name", "waiting=true"):
            from_api = await api.get(f"/api/v1/contacts?{query}&format=csv")
            exported = await client.get(f"/contacts?{query}&format=csv")
            assert exported.status_code == 200
            assert exported.text == from_api.text
            assert "Kari" in exported.text


@pytest.mark.parametrize(
    "query", ["name=Kari", "sort=email", "waiting=true&sort=name", "format=csv&page=2"]
)
async def test_a_query_the_list_does_not_take_is_400(tenant: Tenant, query: str) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get(f"/contacts?{query}")
    assert page.status_code == 400


async def test_a_mentor_sees_only_the_contacts_of_its_open_assignments(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    mine = (await create_contact(api, name="Mine"))["contact_id"]
    other = (await create_contact(api, name="Other"))["contact_id"]
    await create_assignment(api, mentor, mine)
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor) as client:
        listed = await client.get("/contacts")
        own = await client.get(f"/contacts/{mine}")
        hidden = await client.get(f"/contacts/{other}")
        edit = await client.get(f"/contacts/{mine}/edit")
        posted = await client.post(f"/contacts/{mine}/edit", data={"name": "Changed"})
        new = await client.post("/contacts/new", data={"name": "New"})
    assert [row[0] for row in table_rows(listed.text)] == ["Mine"]
    assert "/contacts/new" not in listed.text
    assert own.status_code == 200
    assert f"/contacts/{mine}/edit" not in own.text
    assert hidden.status_code == 404
    assert (edit.status_code, posted.status_code, new.status_code) == (403, 403, 403)
    assert (await api.get(f"/api/v1/contacts/{mine}")).json()["name"] == "Mine"
    assert (await api.get("/api/v1/contacts")).json()["pagination"]["total"] == 2


async def test_another_agencys_contact_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    async with other_tenant.client(other_tenant.admin_token) as theirs:
        foreign = (await create_contact(theirs))["contact_id"]
    async with signed_in(tenant, Role.ADMIN) as client:
        for path in (f"/contacts/{foreign}", f"/contacts/{foreign}/edit"):
            assert (await client.get(path)).status_code == 404
        posted = await client.post(f"/contacts/{foreign}/edit", data={"name": "X"})
    assert posted.status_code == 404


async def test_a_waiting_contact_offers_assign_mentor(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    contact = (await create_contact(api, name="Kari"))["contact_id"]
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        page = await client.get(f"/contacts/{contact}")
    assert f'href="/contacts/{contact}/assign"' in page.text
    assert "Assign mentor" in page.text
    assert f'href="/contacts/{contact}/edit"' in page.text


async def test_the_record_shows_the_current_assignment_and_the_history(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    first = (await create_mentor(api, name="Anna"))["mentor_id"]
    second = (await create_mentor(api, name="Bo"))["mentor_id"]
    contact = (await create_contact(api, name="Kari"))["contact_id"]
    old = await create_assignment(api, first, contact, assigned_date="2026-01-05T10:00:00Z")
    url = f"/api/v1/assignments/{old['assignment_id']}/reassign"
    moved = await api.post(url, json={"mentor_id": second, "reason": "Anna moved away"})
    assert moved.status_code == 201, moved.text
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get(f"/contacts/{contact}")
    assert f"/contacts/{contact}/assign" not in page.text
    assert f'href="/mentors/{second}"' in page.text
    assert "With mentor Bo since" in page.text
    assert [(row[0], row[3]) for row in table_rows(page.text)] == [(first, "Anna moved away")]


async def test_creating_a_contact_with_a_bad_email_shows_it_beside_the_field_then_saves(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        form = await client.get("/contacts/new")
        for name in ("name", "email", "phone", "contact_id"):
            assert f'<label for="{name}">' in form.text
        refused = await client.post("/contacts/new", data={"name": "Kari", "email": "kari at"})
        assert refused.status_code == 422
        assert "Email" in element(refused.text, "email-error").get_text()
        assert element(refused.text, "name")["value"] == "Kari"
        assert (await api.get("/api/v1/contacts")).json()["pagination"]["total"] == 0
        saved = await client.post(
            "/contacts/new", data={"name": "Kari", "email": "kari@example.org"}
        )
        assert saved.status_code == 303
        shown = await client.get(saved.headers["location"])
    assert "Contact created." in shown.text
    listed = (await api.get("/api/v1/contacts")).json()["data"]
    assert [(row["name"], row["email"]) for row in listed] == [("Kari", "kari@example.org")]


async def test_a_bad_own_id_is_the_services_message_beside_the_id(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        refused = await client.post("/contacts/new", data={"name": "K", "contact_id": "mentor_x1y"})
    assert refused.status_code == 422
    assert "contact_" in element(refused.text, "contact_id-error").get_text()


async def test_editing_a_contact_saves_through_the_api_service(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    contact = await create_contact(api, name="Kari", phone="+47 1234 5678")
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        form = await client.get(f"/contacts/{contact['contact_id']}/edit")
        assert element(form.text, "phone")["value"] == "+47 1234 5678"
        blank_name = await client.post(
            f"/contacts/{contact['contact_id']}/edit", data={"name": " ", "phone": ""}
        )
        assert blank_name.status_code == 422
        assert element(blank_name.text, "name-error") is not None
        saved = await client.post(
            f"/contacts/{contact['contact_id']}/edit", data={"name": "Kari N", "phone": ""}
        )
    assert saved.status_code == 303
    now = (await api.get(f"/api/v1/contacts/{contact['contact_id']}")).json()
    assert (now["name"], now["phone"]) == ("Kari N", None)


async def test_an_unknown_form_field_is_refused_and_nothing_saved(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post("/contacts/new", data={"name": "Kari", "notes": "x"})
    assert answer.status_code == 400
    assert "notes" in answer.text
    assert (await api.get("/api/v1/contacts")).json()["pagination"]["total"] == 0


async def test_htmx_gets_the_form_without_the_layout(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/contacts/new", headers={"HX-Request": "true"})
    assert "<h1>New contact</h1>" in answer.text
    assert "<html" not in answer.text
    assert tag(BeautifulSoup(answer.text, "html.parser").find("form"))["action"] == "/contacts/new"


async def test_a_record_or_form_page_refuses_parameters_it_does_not_take(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    contact = (await create_contact(api))["contact_id"]
    async with signed_in(tenant, Role.ADMIN) as client:
        for path in (
            f"/contacts/{contact}?x=1",
            f"/contacts/{contact}/edit?x=1",
            "/contacts/new?x=1",
        ):
            assert (await client.get(path)).status_code == 400, path
