"""In Chromium: bulk reassign of three selected assignments where one conflicts, as a dialog,
and a CSV import's dry run with one bad row; axe and a screenshot of each page and dialog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from caseworks.auth.principal import Role
from caseworks.auth.users import create_user
from caseworks.core.timestamps import utc_now
from caseworks.db import open_database
from caseworks.demo import DEMO_AGENCY_ID
from tests.console.browser.conftest import ConsoleServer
from tests.support.browser import assert_accessible
from tests.support.console import PASSWORD

Screenshot = Callable[[Page, str], Awaitable[Path]]

# The assignments a list offers for bulk reassign, as every assignment list renders them.
SELECTABLE_LIST = """
<form method="post" action="/assignments/bulk-reassign" id="selectable">
  <input type="hidden" name="csrf_token" value="{token}">
  <table><caption>Assignments</caption><tbody>{rows}</tbody></table>
  <button type="submit">Reassign selected</button>
</form>"""
# Records what the upload's <progress> showed at each of htmx's progress events.
PROGRESS_SEEN = """() => {
  window.progressSeen = [];
  document.addEventListener("htmx:xhr:progress", () => {
    window.progressSeen.push(document.getElementById("import-progress").value);
  });
}"""
ROW = """<tr><td><input type="checkbox" id="pick-{id}" name="assignment_id" value="{id}">
<label for="pick-{id}">Select {name}</label></td></tr>"""


async def admin_of(server: ConsoleServer, label: str) -> str:
    """A console admin of the demo agency; its e-mail."""
    agency_id = DEMO_AGENCY_ID
    assert server.database_url is not None
    db = await open_database(server.database_url)
    email = f"{label}-{server.dialect}@example.org"
    try:
        async with db.transaction() as tx:
            await create_user(
                tx, agency_id=agency_id, email=email, role=Role.ADMIN, now=utc_now(),
                password=PASSWORD,
            )  # fmt: skip
    finally:
        await db.close()
    return email


async def sign_in(page: Page, server: ConsoleServer, email: str) -> None:
    await page.goto(f"{server.base}/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{server.base}/")


async def made(api: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await api.post(path, json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_bulk_reassign_shows_the_conflict_in_the_preview_and_the_result(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    headers = {"Authorization": f"Bearer {console_server.admin_token}"}
    async with httpx.AsyncClient(base_url=console_server.base, headers=headers) as api:
        email = await admin_of(console_server, "bulk")
        source = await made(api, "/api/v1/mentors", name="Aud Kilde", max_open_assignments=10)
        target = await made(api, "/api/v1/mentors", name="Aaa Bulk Target")
        picked = []
        for name in ("Cato Bulk", "Dina Bulk", "Emil Bulk"):
            contact = await made(api, "/api/v1/contacts", name=name)
            assignment = await made(
                api, "/api/v1/assignments",
                mentor_id=source["mentor_id"], contact_id=contact["contact_id"],
            )  # fmt: skip
            picked.append((assignment["assignment_id"], name))
        await made(
            api, "/api/v1/assignments",
            mentor_id=target["mentor_id"], contact_id=contact["contact_id"],
        )  # fmt: skip

    await sign_in(page, console_server, email)
    await page.goto(f"{console_server.base}/assignments/bulk-reassign")
    await expect(page.get_by_text("Select the assignments to move")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, f"bulk-reassign-explained-{console_server.dialect}")

    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    rows = "".join(ROW.format(id=assignment_id, name=name) for assignment_id, name in picked)
    await page.evaluate(
        "html => { document.querySelector('main').innerHTML = html; }",
        SELECTABLE_LIST.format(token=token, rows=rows),
    )
    for _, name in picked:
        await page.get_by_label(f"Select {name}").check()
    opener = page.get_by_role("button", name="Reassign selected")
    await opener.click()

    dialog = page.locator("dialog#bulk-reassign-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("Target mentor")).to_be_focused()
    await assert_accessible(page)
    await screenshot(page, f"bulk-reassign-dialog-{console_server.dialect}")
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(opener).to_be_focused()

    await opener.click()
    await dialog.get_by_label("Target mentor").select_option(target["mentor_id"])
    await dialog.get_by_label("Reason").fill("Aud is on leave")
    await dialog.get_by_role("button", name="Preview").click()
    conflict_row = dialog.locator(f"tr:has(a:text-is('{picked[2][0]}'))")
    await expect(conflict_row).to_contain_text("Conflict")
    await expect(dialog.locator("tbody tr", has_text="Reassigned")).to_have_count(2)
    await assert_accessible(page)
    await screenshot(page, f"bulk-reassign-preview-{console_server.dialect}")

    await dialog.get_by_role("button", name="Reassign", exact=True).click()
    await expect(dialog.get_by_text("Result, one row per assignment")).to_be_visible()
    await expect(dialog.locator(f"tr:has(a:text-is('{picked[2][0]}'))")).to_contain_text("Conflict")
    await expect(dialog.locator(".counts")).to_contain_text("Reassigned: 2")
    await expect(dialog.locator("tbody td:nth-of-type(4) a")).to_have_count(2)
    await assert_accessible(page)
    await screenshot(page, f"bulk-reassign-result-{console_server.dialect}")


async def test_a_csv_import_dry_run_shows_the_bad_row(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot, tmp_path: Path
) -> None:
    email = await admin_of(console_server, "import")
    upload = tmp_path / "contacts.csv"
    upload.write_text(
        "contact_id,name,email,phone\n"
        "contact_brw01,Ola Browser,ola@example.org,\n"
        "contact_brw02,Liv Browser,not-an-email,\n"
    )
    await sign_in(page, console_server, email)
    await page.goto(f"{console_server.base}/import")
    await assert_accessible(page)
    await screenshot(page, f"import-{console_server.dialect}")

    await page.get_by_label("Kind of records").select_option("contacts")
    await page.get_by_label("CSV file").set_input_files(upload)
    await page.evaluate(PROGRESS_SEEN)
    await page.get_by_role("button", name="Preview").click()
    problems = page.locator("table.import-errors tbody tr")
    await expect(problems).to_have_count(1)
    await expect(problems.first.locator("td").nth(0)).to_have_text("3")
    await expect(problems.first.locator("td").nth(1)).to_have_text("email")
    await expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)
    assert max(await page.evaluate("() => window.progressSeen")) == 100  # the upload's events
    await assert_accessible(page)
    await screenshot(page, f"import-dry-run-{console_server.dialect}")
