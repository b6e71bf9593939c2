"""The mentor's and caseworker's start pages in Chromium: logging a contact and seeing it in the
API, switching to Norwegian, and signing out so that going back shows no caseload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests.console.browser.conftest import ConsoleServer
from tests.support.browser import assert_accessible

Screenshot = Callable[[Page, str], Awaitable[Path]]
MENTOR = "mentor@demo.example"
CASEWORKER = "caseworker@demo.example"


async def sign_in(page: Page, server: ConsoleServer, email: str) -> None:
    await page.goto(f"{server.base}/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(server.passwords[email])
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{server.base}/")


async def caseload_names(page: Page) -> list[str]:
    """The contact names of the caseload's rows, as shown."""
    return [
        name.strip() for name in await page.locator("tbody tr td:first-child").all_inner_texts()
    ]


async def test_the_mentor_logs_a_contact_and_the_api_shows_it(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    await sign_in(page, console_server, MENTOR)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    await assert_accessible(page)
    await screenshot(page, f"mentor-caseload-{console_server.dialect}")
    contact = (await caseload_names(page))[0]
    link = page.get_by_role("link", name=f"Log contact with {contact}")
    assignment_id = (await link.get_attribute("href") or "").split("/")[2]
    async with httpx.AsyncClient(
        base_url=console_server.base,
        headers={"Authorization": f"Bearer {console_server.admin_token}"},
    ) as api:
        notes_before = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()["notes"]
        await link.click()
        await page.get_by_label("Contact date").fill("2026-11-30", timeout=5000)
        await assert_accessible(page)
        await screenshot(page, f"mentor-log-contact-{console_server.dialect}")
        await page.get_by_label("Note").fill("Met at the library; homework plan agreed.")
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url(f"{console_server.base}/")
        stored = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
    assert stored["last_contact_date"].startswith("2026-11-30")
    assert stored["notes"].endswith("Met at the library; homework plan agreed.")
    assert stored["notes"].startswith(notes_before or "")


async def test_switching_to_norwegian_changes_the_page_s_texts(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    await page.goto(f"{console_server.base}/sign-in")
    await page.get_by_label("Language").select_option("nb")
    await page.get_by_role("button", name="Change language").click()
    await expect(page.get_by_role("button", name="Logg inn")).to_be_visible()
    await page.get_by_label("E-post").fill(MENTOR)
    await page.get_by_label("Passord").fill(console_server.passwords[MENTOR])
    await page.get_by_role("button", name="Logg inn").click()
    await page.wait_for_url(f"{console_server.base}/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mine saker")
    await expect(page.get_by_role("link", name="Registrer kontakt").first).to_be_visible()
    assert await page.locator("html").get_attribute("lang") == "nb"
    await assert_accessible(page)
    await screenshot(page, f"mentor-caseload-nb-{console_server.dialect}")


async def test_after_signing_out_going_back_shows_no_caseload(
    page: Page, console_server: ConsoleServer
) -> None:
    await sign_in(page, console_server, MENTOR)
    names = await caseload_names(page)
    assert names
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(f"{console_server.base}/sign-in**")
    await page.go_back()
    # The caseload was never stored (no-store): going back asks again and is sent to sign in.
    await page.wait_for_url(f"{console_server.base}/sign-in**")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shown = await page.locator("body").inner_text()
    for name in names:
        assert name not in shown


async def test_the_caseworker_s_children_in_both_languages(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    await sign_in(page, console_server, CASEWORKER)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My children")
    await assert_accessible(page)
    await screenshot(page, f"caseworker-children-{console_server.dialect}")
    await page.get_by_label("Language").select_option("nb")
    await page.get_by_role("button", name="Change language").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mine barn")
    await assert_accessible(page)
    await screenshot(page, f"caseworker-children-nb-{console_server.dialect}")
