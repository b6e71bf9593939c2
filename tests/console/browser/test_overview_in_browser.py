"""A coordinator in Chromium: the overview's tiles equal the API's summary; a waiting contact
is given a mentor and leaves the waiting list. Every page of these checked by axe-core and
screenshotted."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from playwright.async_api import Page

from caseworks.auth.principal import Role
from caseworks.auth.users import create_user
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import open_database
from caseworks.demo import DEMO_AGENCY_ID
from tests.console.browser.conftest import ConsoleServer
from tests.support.browser import assert_accessible
from tests.support.console import PASSWORD

Screenshot = Callable[[Page, str], Awaitable[Path]]


async def _coordinator(server: ConsoleServer) -> str:
    """A new admin of the demo agency on the server's database; its e-mail."""
    email = f"{new_id('coord')}@demo.example"
    assert server.database_url is not None
    db = await open_database(server.database_url)
    try:
        async with db.transaction() as tx:
            await create_user(
                tx,
                agency_id=DEMO_AGENCY_ID,
                email=email,
                role=Role.ADMIN,
                now=utc_now(),
                name="Cora Coordinator",
                password=PASSWORD,
            )
    finally:
        await db.close()
    return email


async def _sign_in(page: Page, server: ConsoleServer) -> None:
    await page.goto(f"{server.base}/sign-in")
    await page.get_by_label("Email").fill(await _coordinator(server))
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Caseload overview").wait_for()


def _api(server: ConsoleServer) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    return httpx.AsyncClient(base_url=server.base, headers=headers)


async def test_the_tiles_equal_the_api_summary(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    await _sign_in(page, console_server)
    async with _api(console_server) as api:
        summary = (await api.get("/api/v1/caseloads/summary")).json()
    for label, key in (
        ("Open assignments", "open_assignments"),
        ("Waiting contacts", "waiting_contacts"),
        ("Stale assignments", "stale_assignments"),
        ("Mentors over capacity", "mentors_over_capacity"),
    ):
        tile = page.get_by_role("link", name=re.compile(f"^{label}"))
        shown = (await tile.inner_text()).split()
        assert shown == [*label.split(), f"{summary[key]:,}"]
    await assert_accessible(page)
    await screenshot(page, f"overview-{console_server.dialect}")
    await page.get_by_role("link", name=re.compile("^Stale assignments")).click()
    await page.get_by_role("heading", name="Stale assignments").wait_for()
    await assert_accessible(page)
    await screenshot(page, f"stale-{console_server.dialect}")


async def test_a_waiting_contact_is_given_a_mentor(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    async with _api(console_server) as api:
        made = await api.post("/api/v1/contacts", json={"name": f"Wren {new_id('w')[-6:]}"})
        contact = made.json()
    await _sign_in(page, console_server)
    await page.get_by_role("link", name=re.compile("^Waiting contacts")).click()
    await page.get_by_role("heading", name="Waiting contacts").wait_for()
    await assert_accessible(page)
    await screenshot(page, f"waiting-{console_server.dialect}")
    await page.get_by_role("link", name=f"Assign mentor for {contact['name']}").click()
    select = page.get_by_label("Mentor")
    await select.wait_for()
    await assert_accessible(page)
    await screenshot(page, f"assign-contact-{console_server.dialect}")
    first_choice = await select.locator("option").nth(1).get_attribute("value")
    assert first_choice
    await select.select_option(first_choice)
    await page.get_by_role("button", name="Assign").click()
    await page.wait_for_url(re.compile(r"/assignments/assign_"))
    assignment_id = page.url.rsplit("/", 1)[-1]
    async with _api(console_server) as api:
        assignment = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
        waiting = await api.get("/api/v1/contacts", params={"waiting": "true", "limit": "100"})
    assert (assignment["contact_id"], assignment["mentor_id"]) == (
        contact["contact_id"],
        first_choice,
    )
    assert contact["contact_id"] not in [row["contact_id"] for row in waiting.json()["data"]]
