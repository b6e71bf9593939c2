"""`/stale` and `/waiting`: the list's rows in the worklist's order, the row actions, the list
query refused when unknown, the same rows as CSV, managers only."""

from __future__ import annotations

import csv
import io

import httpx
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def _stale_pair(api: httpx.AsyncClient) -> list[str]:
    """Two stale assignments (contacted 2021, never contacted since 2020) and a fresh one."""
    mentor = (await create_mentor(api, name="Ada Lovelace"))["mentor_id"]
    made = []
    for name, assigned in (
        ("Old Contact", "2020-01-01T00:00:00Z"),
        ("Older", "2019-06-01T00:00:00Z"),
    ):
        contact = (await create_contact(api, name=name))["contact_id"]
        made.append(
            (await create_assignment(api, mentor, contact, assigned_date=assigned))["assignment_id"]
        )
    url = f"/api/v1/assignments/{made[0]}"
    assert (
        await api.put(url, json={"last_contact_date": "2021-01-01T00:00:00Z"})
    ).status_code == 200
    fresh = (await create_contact(api, name="Fresh"))["contact_id"]
    await create_assignment(api, mentor, fresh)
    return made


async def test_the_stale_worklist_lists_the_stale_with_their_actions(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    made = await _stale_pair(api)
    api_rows = (await api.get("/api/v1/assignments", params={"stale": "true"})).json()["data"]
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        answer = await client.get("/stale")
    assert answer.status_code == 200
    soup = BeautifulSoup(answer.text, "html.parser")
    names = [row.select_one("th").get_text() for row in soup.select("tbody tr")]  # type: ignore[union-attr]
    assert sorted(names) == sorted(row["contact_name"] for row in api_rows)
    assert "Fresh" not in names
    form = soup.select_one('form[action="/assignments/bulk-reassign"]')
    assert form is not None
    assert form.select_one("input[name=csrf_token]") is not None
    boxes = {str(box["value"]) for box in form.select("input[name=assignment_id]")}
    assert boxes == set(made)
    assert soup.find("label", string="Select Older") is not None
    for action in ("log-contact", "reassign", "close"):
        link = soup.select_one(f'a[href="/assignments/{made[1]}/{action}"]')
        assert link is not None
        assert "Older" in link.get_text()
    assert soup.find("button", string="Reassign selected") is not None


async def test_the_stale_worklist_refuses_what_its_list_does_not_take(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        unknown = await client.get("/stale", params={"colour": "red"})
        fixed = await client.get("/stale", params={"stale": "false"})
        wrong = await client.get("/stale", params={"sort": "colour"})
    assert unknown.status_code == fixed.status_code == wrong.status_code == 400
    assert "colour" in unknown.text
    assert "stale" in fixed.text
    assert "sort" in wrong.text


async def test_the_stale_export_holds_the_lists_rows(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    made = await _stale_pair(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/stale", params={"format": "csv"})
        paged = await client.get("/stale", params={"format": "csv", "page": "2"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {row["assignment_id"] for row in rows} == set(made)
    assert paged.status_code == 400


async def test_the_waiting_worklist_lists_the_waiting_longest_first(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _stale_pair(api)
    waiting = [(await create_contact(api, name=name))["contact_id"] for name in ("Ida", "Jon")]
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/waiting")
        exported = await client.get("/waiting", params={"format": "csv"})
        sorted_ = await client.get("/waiting", params={"sort": "name"})
    soup = BeautifulSoup(answer.text, "html.parser")
    links = [
        str(link["href"]) for link in soup.select("tbody a") if "Assign mentor" in link.get_text()
    ]
    assert links == [f"/contacts/{contact}/assign" for contact in waiting]
    assert [row["contact_id"] for row in csv.DictReader(io.StringIO(exported.text))] == waiting
    assert sorted_.status_code == 400


async def test_worklists_are_for_managers_only(tenant: Tenant, api: httpx.AsyncClient) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor) as client:
        assert (await client.get("/stale")).status_code == 404
        assert (await client.get("/waiting")).status_code == 404
    async with tenant.client() as anonymous:
        answer = await anonymous.get("/stale")
    assert answer.status_code == 303


async def test_htmx_gets_the_worklist_without_the_layout(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/waiting", headers={"HX-Request": "true"})
    assert "<h1>Waiting contacts</h1>" in answer.text
    assert "<html" not in answer.text
