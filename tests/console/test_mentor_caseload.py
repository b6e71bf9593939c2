"""`/` for a mentor: its open assignments, oldest contact first, each with Log contact."""

from __future__ import annotations

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.page_text import headings, links, table_rows
from tests.support.tenants import Tenant


def caseload_rows(html: str) -> list[tuple[str, str, str]]:
    """(contact, last contact, the Log contact link's address) per row of the caseload."""
    addresses = [link.href for link in links(html, "Log contact")]
    return [(row[0], row[1], href) for row, href in zip(table_rows(html), addresses, strict=True)]


async def test_a_mentor_sees_its_open_assignments_with_a_log_contact_link_each(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api, name="Mona Mentor")
        other_mentor = await create_mentor(api, name="Otto Other")
        seen = await create_contact(api, name="Siri Seen")
        never = await create_contact(api, name="Nils Never")
        theirs = await create_contact(api, name="Tor Theirs")
        closed = await create_contact(api, name="Cato Closed")
        recent = await create_assignment(api, mentor["mentor_id"], seen["contact_id"])
        waiting = await create_assignment(api, mentor["mentor_id"], never["contact_id"])
        await create_assignment(api, other_mentor["mentor_id"], theirs["contact_id"])
        done = await create_assignment(api, mentor["mentor_id"], closed["contact_id"])
        closing = await api.patch(
            f"/api/v1/assignments/{done['assignment_id']}/status",
            json={"status": "closed", "reason": "moved away"},
        )
        assert closing.status_code == 200, closing.text
    async with tenant.client(tenant.admin_token) as api:
        dated = await api.put(
            f"/api/v1/assignments/{recent['assignment_id']}",
            json={"last_contact_date": "2026-03-04T10:00:00Z"},
        )
        assert dated.status_code == 200, dated.text
    async with other_tenant.client(other_tenant.admin_token) as api:
        foreign_mentor = await create_mentor(api, name="Frida Foreign")
        foreign = await create_contact(api, name="Fiona Foreign")
        await create_assignment(api, foreign_mentor["mentor_id"], foreign["contact_id"])

    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert headings(answer.text) == ["My caseload"]
    # In the list's order by last contact; where never-contacted ones go is the database's.
    assert sorted(caseload_rows(answer.text)) == [
        ("Nils Never", "Never", f"/assignments/{waiting['assignment_id']}/log-contact?next=/"),
        ("Siri Seen", "4 Mar 2026", f"/assignments/{recent['assignment_id']}/log-contact?next=/"),
    ]
    for hidden in ("Tor Theirs", "Cato Closed", "Fiona Foreign"):
        assert hidden not in answer.text


async def test_each_log_contact_link_is_named_with_its_contact(tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api)
        contact = await create_contact(api, name="Siri Seen")
        await create_assignment(api, mentor["mentor_id"], contact["contact_id"])
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        answer = await client.get("/")
    [link] = links(answer.text, "Log contact")
    assert link.attributes["aria-label"] == "Log contact with Siri Seen"


async def test_the_caseload_is_the_api_list_of_the_mentor_s_open_assignments(
    tenant: Tenant,
) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api, max_open_assignments=30)
        for number in range(23):
            contact = await create_contact(api, name=f"Contact {number:02}")
            await create_assignment(api, mentor["mentor_id"], contact["contact_id"])
    token = await tenant.token(Role.MENTOR, mentor_id=mentor["mentor_id"])
    async with tenant.client(token) as api:
        listed = await api.get(
            "/api/v1/assignments",
            params={"status": "open", "sort": "last_contact_date", "limit": 100},
        )
    expected = [row["contact_name"] for row in listed.json()["data"]]
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        first = await client.get("/")
        second = await client.get("/", params={"page": "2"})
    shown = [row[0] for row in caseload_rows(first.text) + caseload_rows(second.text)]
    assert shown == expected
    assert len(shown) == 23
    assert [link.href for link in links(first.text, "Next")] == ["?page=2"]
    assert links(first.text, "Previous") == []
    assert [link.href for link in links(second.text, "Previous")] == ["?page=1"]
    assert links(second.text, "Next") == []


async def test_a_mentor_with_no_open_assignment_is_told_so(tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api)
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        answer = await client.get("/")
    assert "You have no open assignments." in answer.text
    assert "<table" not in answer.text


async def test_an_unknown_parameter_or_a_bad_page_is_refused_naming_it(tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api)
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        unknown = await client.get("/", params={"mentor_id": "mentor_x"})
        bad_page = await client.get("/", params={"page": "0"})
    assert unknown.status_code == 400
    assert "mentor_id" in unknown.text
    assert bad_page.status_code == 400
    assert "page" in bad_page.text


async def test_htmx_gets_only_the_caseload(tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api)
        contact = await create_contact(api, name="Siri Seen")
        await create_assignment(api, mentor["mentor_id"], contact["contact_id"])
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        answer = await client.get("/", headers={"HX-Request": "true"})
    assert "<h1>My caseload</h1>" in answer.text
    assert "Siri Seen" in answer.text
    assert "<html" not in answer.text


async def test_a_mentor_account_without_a_mentor_is_told_why_there_is_nothing(
    tenant: Tenant,
) -> None:
    async with signed_in(tenant, Role.MENTOR) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert headings(answer.text) == ["My caseload"]
    assert "not linked to a mentor" in answer.text
