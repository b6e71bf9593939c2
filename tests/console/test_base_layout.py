"""The layout every page shares: htmx from the service itself, the agency, the navigation."""

from __future__ import annotations

from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.tenants import Tenant


async def test_htmx_is_served_by_the_service_and_configured_for_the_policy(
    tenant: Tenant,
) -> None:
    async with tenant.client() as client:
        page = await client.get("/sign-in")
        html = BeautifulSoup(page.text, "html.parser")
        script = html.select_one("head script[src]")
        assert script is not None
        assert script["src"] == "/static/htmx-2.0.11.min.js"
        served = await client.get(str(script["src"]))
    assert served.status_code == 200
    assert 'version:"2.0.11"' in served.text
    config = html.select_one("meta[name='htmx-config']")
    assert config is not None
    assert config["content"] == '{"includeIndicatorStyles": false}'


def links(page: str) -> list[str]:
    nav = BeautifulSoup(page, "html.parser").select("header nav a")
    return [str(link["href"]) for link in nav]


async def test_the_navigation_shows_what_the_role_may_open(tenant: Tenant) -> None:
    managed = ["/", "/stale", "/waiting", "/assignments", "/mentors", "/contacts"]
    async with signed_in(tenant, Role.ADMIN) as client:
        admin = (await client.get("/")).text
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        supervisor = (await client.get("/")).text
    async with signed_in(tenant, Role.CASEWORKER) as client:
        caseworker = (await client.get("/")).text
    assert links(admin) == [*managed, "/import"]
    assert links(supervisor) == managed
    assert links(caseworker) == ["/"]


async def test_the_header_names_the_agency(tenant: Tenant) -> None:
    row = await tenant.db.fetch_one(
        "SELECT name FROM agencies WHERE id = :id", {"id": tenant.agency_id}
    )
    assert row is not None
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        page = await client.get("/")
    agency = BeautifulSoup(page.text, "html.parser").select_one("header .agency")
    assert agency is not None
    assert agency.get_text() == row["name"]
