"""The mentor's and caseworker's start pages in the language chosen in the footer: the user's
own choice over Accept-Language, a signed-out visitor's cookie; dates and numbers follow it."""

from __future__ import annotations

from caseworks.auth.principal import Role
from tests.support.console import PASSWORD, console_user, csrf_token_of, signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.page_text import headings, links, table_rows
from tests.support.tenants import Tenant


async def a_contacted_assignment(tenant: Tenant) -> str:
    """A mentor with one open assignment last contacted on 4 March 2026; the mentor's id."""
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api)
        contact = await create_contact(api, name="Siri Seen")
        made = await create_assignment(api, mentor["mentor_id"], contact["contact_id"])
        dated = await api.put(
            f"/api/v1/assignments/{made['assignment_id']}",
            json={"last_contact_date": "2026-03-04T10:00:00Z"},
        )
        assert dated.status_code == 200, dated.text
    mentor_id: str = mentor["mentor_id"]
    return mentor_id


async def test_a_signed_in_mentor_s_choice_overrides_accept_language(tenant: Tenant) -> None:
    mentor_id = await a_contacted_assignment(tenant)
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor_id) as client:
        english = await client.get("/", headers={"Accept-Language": "en"})
        chosen = await client.post("/language", data={"language": "nb", "next": "/"})
        norwegian = await client.get("/", headers={"Accept-Language": "en"})
    assert headings(english.text) == ["My caseload"]
    assert chosen.status_code == 303
    assert headings(norwegian.text) == ["Mine saker"]
    assert table_rows(norwegian.text)[0][:2] == ["Siri Seen", "4. mars 2026"]
    [link] = links(norwegian.text, "Registrer kontakt")
    assert link.attributes["aria-label"] == "Registrer kontakt med Siri Seen"


async def test_a_visitor_s_language_carries_through_sign_in_to_the_caseload(
    tenant: Tenant,
) -> None:
    mentor_id = await a_contacted_assignment(tenant)
    email = await console_user(tenant, Role.MENTOR, mentor_id=mentor_id)
    async with tenant.client() as client:
        token = csrf_token_of((await client.get("/sign-in")).text)
        chosen = await client.post(
            "/language", data={"language": "nb", "next": "/sign-in", "csrf_token": token}
        )
        assert chosen.status_code == 303
        form = await client.get("/sign-in", headers={"Accept-Language": "en"})
        signing_in = await client.post(
            "/sign-in",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf_token_of(form.text)},
        )
        assert signing_in.status_code == 303, signing_in.text
        caseload = await client.get("/", headers={"Accept-Language": "en"})
    assert "Logg inn" in form.text
    assert headings(caseload.text) == ["Mine saker"]
    assert "4. mars 2026" in caseload.text


async def test_the_caseworker_s_children_in_norwegian(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.CASEWORKER) as client:
        await client.post("/language", data={"language": "nb", "next": "/"})
        answer = await client.get("/")
    assert headings(answer.text) == ["Mine barn"]
    assert "ikke knyttet til en saksbehandler" in answer.text
