"""The mentors' and contacts' pages in Chromium: a contact created through the form (a mistake
shown beside its field, corrected, saved), and every one of these pages accessible."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import Page, expect

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


async def _admin_signed_in(page: Page, server: ConsoleServer) -> None:
    """A new admin of the demo agency, signed in through the form."""
    assert server.database_url is not None
    email = f"{new_id('admin')}@example.org"
    database = await open_database(server.database_url)
    try:
        async with database.transaction() as tx:
            await create_user(
                tx,
                agency_id=DEMO_AGENCY_ID,
                email=email,
                role=Role.ADMIN,
                now=utc_now(),
                password=PASSWORD,
            )
    finally:
        await database.close()
    await page.goto(f"{server.base}/sign-in?next=/contacts/new")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="New contact")).to_be_visible()


async def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    await assert_accessible(page)
    await screenshot(page, name)


async def test_a_contact_is_created_after_its_mistake_is_shown_and_corrected(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    dialect = console_server.dialect
    await _admin_signed_in(page, console_server)
    await _checked(page, screenshot, f"contact-new-{dialect}")
    await page.get_by_label("Name").fill("Ingrid Hansen")
    await page.get_by_label("Email").fill("ingrid at example")
    await page.get_by_role("button", name="Save").click()
    error = page.locator("#email-error")
    await expect(error).to_be_visible()
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    await _checked(page, screenshot, f"contact-new-invalid-{dialect}")
    await page.get_by_label("Email").fill("ingrid@example.org")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", name="Ingrid Hansen")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text("Contact created.")
    await _checked(page, screenshot, f"contact-record-{dialect}")
    await page.get_by_role("link", name="Edit").click()
    await expect(page.get_by_label("Email")).to_have_value("ingrid@example.org")
    await _checked(page, screenshot, f"contact-edit-{dialect}")
    await page.goto(f"{console_server.base}/contacts?sort=name")
    await expect(page.get_by_role("link", name="Ingrid Hansen")).to_be_visible()
    await _checked(page, screenshot, f"contacts-{dialect}")


async def test_the_mentor_pages_are_accessible(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    dialect = console_server.dialect
    await _admin_signed_in(page, console_server)
    await page.goto(f"{console_server.base}/mentors")
    await expect(page.get_by_role("heading", name="Mentors", exact=True)).to_be_visible()
    await _checked(page, screenshot, f"mentors-{dialect}")
    await page.get_by_role("link", name="New mentor").click()
    await _checked(page, screenshot, f"mentor-new-{dialect}")
    await page.get_by_label("Name").fill("Sara Berg")
    await page.get_by_label("Capacity").fill("3")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#open-count")).to_have_text("0 of 3")
    await _checked(page, screenshot, f"mentor-record-{dialect}")
    await page.get_by_role("link", name="Edit").click()
    await _checked(page, screenshot, f"mentor-edit-{dialect}")
    await page.goto(f"{console_server.base}/mentors/mentor_a1b2c3")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await _checked(page, screenshot, f"mentor-record-demo-{dialect}")
