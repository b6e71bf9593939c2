"""The mentors' pages: the caseload list as the API gives it, a mentor's record, and the forms
that create and edit one through the API's own service."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor, set_agency
from tests.support.page_html import table_rows, tag
from tests.support.tenants import Tenant

MANAGERS = (Role.ADMIN, Role.SUPERVISOR)


async def _over_capacity_agency(tenant: Tenant, api: httpx.AsyncClient) -> dict[str, str]:
    """Anna holds two against the agency's limit of 1 (over), Bo one (at it), Cy none."""
    ids = {
        name: (await create_mentor(api, name=name))["mentor_id"] for name in ("Anna", "Bo", "Cy")
    }
    for mentor, count in (("Anna", 2), ("Bo", 1)):
        for _ in range(count):
            contact = (await create_contact(api))["contact_id"]
            await create_assignment(api, ids[mentor], contact)
    await set_agency(tenant.db, tenant.agency_id, default_mentor_capacity=1)
    return ids


@pytest.mark.parametrize("role", MANAGERS)
async def test_the_list_shows_each_mentors_caseload_as_the_api_does(
    tenant: Tenant, api: httpx.AsyncClient, role: Role
) -> None:
    ids = await _over_capacity_agency(tenant, api)
    async with signed_in(tenant, role) as client:
        page = await client.get("/mentors")
    assert page.status_code == 200
    assert [row[:4] for row in table_rows(page.text)] == [
        ["Anna", "2", "1", "0"],
        ["Bo", "1", "1", "0"],
        ["Cy", "0", "1", "0"],
    ]
    assert f'href="/mentors/{ids["Anna"]}"' in page.text
    assert 'href="/mentors/new"' in page.text


async def test_over_capacity_gives_as_many_rows_as_the_summary_counts(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _over_capacity_agency(tenant, api)
    summary = (await api.get("/api/v1/caseloads/summary")).json()
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get("/mentors?over_capacity=true")
    assert [row[0] for row in table_rows(page.text)] == ["Anna"]
    assert len(table_rows(page.text)) == summary["mentors_over_capacity"]


async def test_sorted_headers_are_links_and_the_sorted_one_says_so(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _over_capacity_agency(tenant, api)
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get("/mentors?sort=-open")
    assert [row[0] for row in table_rows(page.text)] == ["Anna", "Bo", "Cy"]
    soup = BeautifulSoup(page.text, "html.parser")
    sorted_header = tag(soup.find("th", attrs={"aria-sort": True}))
    assert sorted_header["aria-sort"] == "descending"
    assert tag(sorted_header.find("a"))["href"] == "/mentors?sort=open"


async def test_pages_are_linked_previous_and_next(tenant: Tenant, api: httpx.AsyncClient) -> None:
    await _over_capacity_agency(tenant, api)
    async with signed_in(tenant, Role.ADMIN) as client:
        first = await client.get("/mentors?limit=2")
        second = await client.get("/mentors?limit=2&page=2")
    assert "Next" in first.text
    assert "Previous" not in first.text
    assert [row[0] for row in table_rows(second.text)] == ["Cy"]
    assert "Previous" in second.text


async def test_the_export_is_the_apis_export_with_the_same_filter(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _over_capacity_agency(tenant, api)
    from_api = await api.get("/api/v1/caseloads/mentors?over_capacity=true&format=csv")
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        page = await client.get("/mentors?over_capacity=true")
        assert 'href="/mentors?over_capacity=true&amp;format=csv"' in page.text
        exported = await client.get("/mentors?over_capacity=true&format=csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text == from_api.text
    assert [row["name"] for row in csv.DictReader(io.StringIO(exported.text))] == ["Anna"]


@pytest.mark.parametrize(
    ("query", "named"),
    [("mentor=x", "mentor"), ("sort=notes", "sort"), ("over_capacity=maybe", "over_capacity")],
)
async def test_a_query_the_list_does_not_take_is_400_naming_it(
    tenant: Tenant, query: str, named: str
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get(f"/mentors?{query}")
    assert page.status_code == 400
    assert named in page.text


async def test_a_mentor_sees_only_itself_and_no_new_link(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids = await _over_capacity_agency(tenant, api)
    async with signed_in(tenant, Role.MENTOR, mentor_id=ids["Bo"]) as client:
        listed = await client.get("/mentors")
        own = await client.get(f"/mentors/{ids['Bo']}")
        other = await client.get(f"/mentors/{ids['Anna']}")
        new = await client.get("/mentors/new")
        edit = await client.get(f"/mentors/{ids['Bo']}/edit")
        posted = await client.post(f"/mentors/{ids['Bo']}/edit", data={"name": "Bob"})
    assert [row[0] for row in table_rows(listed.text)] == ["Bo"]
    assert "/mentors/new" not in listed.text
    assert own.status_code == 200
    assert "Reassign selected" not in own.text
    assert f"/mentors/{ids['Bo']}/edit" not in own.text
    assert other.status_code == 404
    assert new.status_code == 403
    assert edit.status_code == 403
    assert posted.status_code == 403
    assert (await api.get(f"/api/v1/mentors/{ids['Bo']}")).json()["name"] == "Bo"


async def test_a_caseworker_has_no_mentor_pages(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.CASEWORKER) as client:
        for path in ("/mentors", "/mentors/new"):
            assert (await client.get(path)).status_code == 404


async def test_another_agencys_mentor_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    async with other_tenant.client(other_tenant.admin_token) as theirs:
        foreign = (await create_mentor(theirs, name="Theirs"))["mentor_id"]
    async with signed_in(tenant, Role.ADMIN) as client:
        for path in (f"/mentors/{foreign}", f"/mentors/{foreign}/edit"):
            assert (await client.get(path)).status_code == 404
        assert (
            await client.post(f"/mentors/{foreign}/edit", data={"name": "X"})
        ).status_code == 404


async def test_the_record_shows_open_against_capacity_active_and_history(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = (await create_mentor(api, name="Anna", max_open_assignments=3))["mentor_id"]
    kari = (await create_contact(api, name="Kari"))["contact_id"]
    ola = (await create_contact(api, name="Ola"))["contact_id"]
    active = await create_assignment(api, mentor, kari)
    closed = await create_assignment(api, mentor, ola)
    change = {"status": "closed", "reason": "moved away"}
    url = f"/api/v1/assignments/{closed['assignment_id']}/status"
    assert (await api.patch(url, json=change)).status_code == 200
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        page = await client.get(f"/mentors/{mentor}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert tag(soup.find(id="open-count")).get_text(strip=True) == "1 of 3"
    form = tag(soup.find("form", attrs={"action": "/assignments/bulk-reassign"}))
    box = tag(form.find("input", attrs={"name": "assignment_id"}))
    assert box["value"] == active["assignment_id"]
    assert tag(soup.find("label", attrs={"for": box["id"]})).get_text(strip=True) == "Select Kari"
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    assert f'href="/assignments/{active["assignment_id"]}/log-contact"' in page.text
    history = table_rows(page.text, table=1)
    assert [(row[0], row[3]) for row in history] == [("Ola", "moved away")]
    assert f'href="/mentors/{mentor}/edit"' in page.text


async def test_creating_a_mentor_saves_every_field_and_is_audited(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    fields = {"name": "Anna", "email": "anna@example.org", "phone": "+47 22 22 22 22"}
    async with signed_in(tenant, Role.ADMIN) as client:
        form = await client.get("/mentors/new")
        for name in ("name", "email", "phone", "max_open_assignments", "mentor_id"):
            assert f'<label for="{name}">' in form.text
        made = await client.post("/mentors/new", data={**fields, "max_open_assignments": "4"})
        assert made.status_code == 303
        location = made.headers["location"]
        shown = await client.get(location)
    mentor_id = location.split("/")[2].split("?")[0]
    saved = (await api.get(f"/api/v1/mentors/{mentor_id}")).json()
    assert {name: saved[name] for name in fields} == fields
    assert saved["max_open_assignments"] == 4
    assert "Mentor created." in shown.text
    async with tenant.db.connection() as connection:
        actions = await connection.fetch_all(
            "SELECT action FROM audit_events WHERE subject_id = :id", {"id": mentor_id}
        )
    assert [row["action"] for row in actions] == ["created"]


async def test_bad_fields_are_shown_beside_each_and_nothing_is_saved(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            "/mentors/new", data={"name": "", "email": "not mail", "max_open_assignments": "-1"}
        )
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    for name in ("name", "email", "max_open_assignments"):
        assert soup.find(id=f"{name}-error") is not None, name
        assert tag(soup.find(id=name))["aria-invalid"] == "true"
    assert tag(soup.find(id="email"))["value"] == "not mail"
    assert (await api.get("/api/v1/mentors")).json()["pagination"]["total"] == 0


async def test_a_taken_id_is_shown_beside_the_id(tenant: Tenant, api: httpx.AsyncClient) -> None:
    await create_mentor(api, mentor_id="mentor_taken1")
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post("/mentors/new", data={"name": "A", "mentor_id": "mentor_taken1"})
    assert answer.status_code == 409
    assert BeautifulSoup(answer.text, "html.parser").find(id="mentor_id-error") is not None


async def test_editing_changes_the_fields_and_a_blank_one_is_cleared(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = await create_mentor(api, name="Anna", email="anna@example.org", max_open_assignments=2)
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        form = await client.get(f"/mentors/{mentor['mentor_id']}/edit")
        assert 'value="anna@example.org"' in form.text
        saved = await client.post(
            f"/mentors/{mentor['mentor_id']}/edit",
            data={"name": "Anna B", "email": "", "max_open_assignments": "5"},
        )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/mentors/{mentor['mentor_id']}?saved=updated"
    now = (await api.get(f"/api/v1/mentors/{mentor['mentor_id']}")).json()
    assert (now["name"], now["email"], now["max_open_assignments"]) == ("Anna B", None, 5)


async def test_a_form_without_its_csrf_token_is_403_and_changes_nothing(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        del client.headers["X-CSRF-Token"]
        answer = await client.post("/mentors/new", data={"name": "Anna"})
    assert answer.status_code == 403
    assert (await api.get("/api/v1/mentors")).json()["pagination"]["total"] == 0


async def test_htmx_gets_the_list_without_the_layout(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/mentors", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<h1>Mentors</h1>" in answer.text
    assert "<html" not in answer.text


async def test_a_record_or_form_page_refuses_parameters_it_does_not_take(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    async with signed_in(tenant, Role.ADMIN) as client:
        for path in (
            f"/mentors/{mentor}?tab=history",
            f"/mentors/{mentor}?saved=deleted",
            f"/mentors/{mentor}/edit?next=/",
            "/mentors/new?name=Anna",
        ):
            answer = await client.get(path)
            assert answer.status_code == 400, path
        assert (await client.get(f"/mentors/{mentor}?saved=updated")).status_code == 200


async def test_the_filter_form_left_at_every_mentor_lists_every_mentor(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _over_capacity_agency(tenant, api)
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get("/mentors?over_capacity=&sort=name")
    assert page.status_code == 200
    assert [row[0] for row in table_rows(page.text)] == ["Anna", "Bo", "Cy"]
