"""`/` for a caseworker: the children its agency worker is assigned to, read-only."""

from __future__ import annotations

from datetime import date

from caseworks.auth.principal import Role
from caseworks.console.caseworker_children import age_on
from tests.support.childwelfare import child, child_assignment, jsonapi_client, worker
from tests.support.console import signed_in
from tests.support.page_text import headings, links, table_rows
from tests.support.tenants import Tenant

ASSIGNMENTS = "/api/v1/worker_assignments"


async def test_a_caseworker_sees_the_children_its_worker_is_assigned_to(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    async with jsonapi_client(tenant, tenant.admin_token) as api:
        me = await worker(api, name="Mia Me", email="mia@example.org")
        colleague = await worker(api, name="Cal Colleague", email="cal@example.org")
        mine = await child(
            api, **{"first-name": "Ola", "last-name": "Nordmann", "date-of-birth": "2015-03-01"}
        )
        theirs = await child(api, **{"first-name": "Kari", "last-name": "Hidden"})
        for child_id, worker_id in ((mine, me), (theirs, colleague)):
            made = await api.post(ASSIGNMENTS, json=child_assignment(child_id, worker_id))
            assert made.status_code == 201, made.text
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as api:
        foreign = await child(api, **{"first-name": "Fia", "last-name": "Foreign"})
        foreign_worker = await worker(api)
        await api.post(ASSIGNMENTS, json=child_assignment(foreign, foreign_worker))

    async with signed_in(tenant, Role.CASEWORKER, worker_id=me) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert headings(answer.text) == ["My children"]
    [row] = table_rows(answer.text)
    assert row[0] == "Ola Nordmann"
    assert row[1] == "1 Mar 2015"
    assert row[3] == "Case-carrying"
    assert "Kari Hidden" not in answer.text
    assert "Fia Foreign" not in answer.text
    assert "<form" not in answer.text.split("<main", 1)[1].split("</main>", 1)[0]  # read-only


async def test_the_children_are_paged_twenty_at_a_time(tenant: Tenant) -> None:
    async with jsonapi_client(tenant, tenant.admin_token) as api:
        me = await worker(api, **{"max-case-carrying": 30})
        for number in range(21):
            child_id = await child(api, **{"first-name": f"Child{number:02}"})
            made = await api.post(ASSIGNMENTS, json=child_assignment(child_id, me))
            assert made.status_code == 201, made.text
    async with signed_in(tenant, Role.CASEWORKER, worker_id=me) as client:
        first = await client.get("/")
        second = await client.get("/", params={"page": "2"})
        refused = await client.get("/", params={"sort": "last_name"})
    assert len(table_rows(first.text)) == 20
    assert len(table_rows(second.text)) == 1
    assert [link.href for link in links(first.text, "Next")] == ["?page=2"]
    assert [link.href for link in links(second.text, "Previous")] == ["?page=1"]
    assert refused.status_code == 400
    assert "sort" in refused.text


async def test_a_caseworker_without_a_worker_is_told_why_there_is_nothing(
    tenant: Tenant,
) -> None:
    async with signed_in(tenant, Role.CASEWORKER) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert headings(answer.text) == ["My children"]
    assert "not linked to an agency worker" in answer.text
    assert "<table" not in answer.text


def test_an_age_counts_whole_years_from_the_birthday() -> None:
    assert age_on(date(2015, 3, 1), date(2026, 2, 28)) == 10
    assert age_on(date(2015, 3, 1), date(2026, 3, 1)) == 11
    assert age_on(None, date(2026, 3, 1)) is None
