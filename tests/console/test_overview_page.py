"""`/` for admins and supervisors: the tiles equal the caseload summary and drill through; the
two charts with their tables; the role's own start page for the others."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def _programme(api: httpx.AsyncClient) -> None:
    mentor = await create_mentor(api, name="Ada Lovelace", max_open_assignments=1)
    first = await create_contact(api, name="Per Olsen")
    await create_contact(api, name="Liv Svendsen")
    await create_assignment(
        api, mentor["mentor_id"], first["contact_id"], assigned_date="2020-01-01T00:00:00Z"
    )


def _tiles(html: str) -> dict[str, tuple[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    return {
        str(tile.select_one(".tile-label").get_text()): (  # type: ignore[union-attr]
            str(tile.select_one(".tile-count").get_text()),  # type: ignore[union-attr]
            str(tile["href"]),
        )
        for tile in soup.select("a.tile")
    }


async def test_the_tiles_equal_the_summary_and_drill_through(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _programme(api)
    summary = (await api.get("/api/v1/caseloads/summary")).json()
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert "<h1>Caseload overview</h1>" in answer.text
    assert _tiles(answer.text) == {
        "Open assignments": (str(summary["open_assignments"]), "/assignments?status=open"),
        "Waiting contacts": (str(summary["waiting_contacts"]), "/waiting"),
        "Stale assignments": (str(summary["stale_assignments"]), "/stale"),
        "Mentors over capacity": (
            str(summary["mentors_over_capacity"]),
            "/mentors?over_capacity=true",
        ),
    }
    assert summary["waiting_contacts"] == 1
    assert summary["stale_assignments"] == 1


async def test_the_charts_come_with_tables_of_their_figures(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _programme(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/")
    soup = BeautifulSoup(answer.text, "html.parser")
    capacity = soup.select_one("#capacity-chart")
    flow = soup.select_one("#flow-chart")
    assert capacity is not None
    assert flow is not None
    assert capacity.select_one("svg[role=img]") is not None
    rows = [
        [cell.get_text() for cell in row.select("th, td")] for row in capacity.select("tbody tr")
    ]
    assert rows == [["Ada Lovelace", "1", "1"]]
    assert len(flow.select("tbody tr")) == 12


async def test_numbers_and_months_in_norwegian(tenant: Tenant, api: httpx.AsyncClient) -> None:
    await _programme(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/", headers={"Accept-Language": "nb"})
    assert "Åpne tildelinger" in answer.text
    assert "Tildelinger åpnet og avsluttet per måned" in answer.text


async def test_a_mentor_gets_its_own_start_page_not_the_overview(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = await create_mentor(api)
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        answer = await client.get("/")
    assert answer.status_code == 200
    assert "Caseload overview" not in answer.text


async def test_htmx_gets_the_overview_without_the_layout(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/", headers={"HX-Request": "true"})
    assert "<h1>Caseload overview</h1>" in answer.text
    assert "<html" not in answer.text
