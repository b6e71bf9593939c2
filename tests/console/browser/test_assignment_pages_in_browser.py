"""The assignment pages in Chromium against a real server: a coordinator reassigns an
assignment from its page and the API then shows the closed one and its successor; every page
passes axe-core and is screenshotted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from caseworks.auth.principal import Role
from caseworks.auth.tokens import list_tokens
from caseworks.auth.users import create_user
from caseworks.core.timestamps import utc_now
from caseworks.db import DatabaseURL, open_database
from tests.console.browser.conftest import printed_token, run_cli
from tests.support.browser import assert_accessible
from tests.support.console import PASSWORD
from tests.support.databases import new_postgres_database
from tests.support.processes import cli_env
from tests.support.servers import serving_async

Screenshot = Callable[[Page, str], Awaitable[Path]]
COORDINATOR = "assignments.coordinator@example.org"


@dataclass(frozen=True)
class DemoServer:
    base: str
    dialect: str
    admin_token: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def demo_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DemoServer]:
    """``caseworks serve`` over the demo agency, with a coordinator who signs in by password."""
    dialect: str = request.param
    folder = tmp_path_factory.mktemp(f"assignments-{dialect}")
    async with AsyncExitStack() as stack:
        if dialect == "sqlite":
            url = DatabaseURL.parse(f"sqlite:///{folder / 'caseworks.db'}")
        else:
            url = await stack.enter_async_context(new_postgres_database("caseworks_assign_pages"))
        env = cli_env(url) | {"CASEWORKS_MAIL_DIR": str(folder / "mail")}
        await run_cli(env, "migrate")
        token = printed_token(await run_cli(env, "demo"))
        await _coordinator(url)
        base, _ = await stack.enter_async_context(
            serving_async(env, folder / "serve.log", "--no-dispatch")
        )
        yield DemoServer(base, dialect, token)


async def _coordinator(url: DatabaseURL) -> None:
    db = await open_database(url)
    try:
        agency_id = (await list_tokens(db))[0]["agency_id"]
        async with db.transaction() as tx:
            await create_user(
                tx,
                agency_id=agency_id,
                email=COORDINATOR,
                role=Role.ADMIN,
                now=utc_now(),
                name="Cora Coordinator",
                password=PASSWORD,
            )
    finally:
        await db.close()


async def sign_in(page: Page, base: str, path: str) -> None:
    await page.goto(f"{base}{path}")  # sent to sign in, and back after
    await page.get_by_label("Email").fill(COORDINATOR)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}{path}")


async def checked(page: Page, screenshot: Screenshot, name: str) -> None:
    await assert_accessible(page)
    await screenshot(page, name)


async def test_a_coordinator_reassigns_an_assignment_from_its_page(
    page: Page, demo_server: DemoServer, screenshot: Screenshot
) -> None:
    base = demo_server.base
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {demo_server.admin_token}"}
    ) as api:
        listed = (await api.get("/api/v1/assignments", params={"status": "open"})).json()
        moved = listed["data"][0]
        made = await api.post("/api/v1/mentors", json={"name": "Ola Hansen"})
        assert made.status_code == 201
        await sign_in(page, base, "/assignments")
        await checked(page, screenshot, f"assignments-list-{demo_server.dialect}")

        await page.get_by_role("link", name=moved["contact_name"]).first.click()
        await page.wait_for_url(f"{base}/assignments/{moved['assignment_id']}")
        await checked(page, screenshot, f"assignment-record-{demo_server.dialect}")

        for action, name in [("log-contact", "Log contact"), ("close", "Close")]:
            await page.get_by_role("link", name=name, exact=True).click()
            await page.wait_for_url(f"{base}/assignments/{moved['assignment_id']}/{action}")
            await checked(page, screenshot, f"assignment-{action}-{demo_server.dialect}")
            await page.go_back()

        await page.get_by_role("link", name="Reassign", exact=True).click()
        await page.get_by_role("button", name="Reassign").click()  # nothing chosen: refused
        await page.wait_for_load_state()
        if await page.get_by_role("alert").count() == 0:  # the browser held it back: required
            await page.evaluate("document.querySelector('form[action$=reassign]').noValidate=1")
            await page.get_by_role("button", name="Reassign").click()
        assert await page.get_by_role("alert").count() >= 1
        await checked(page, screenshot, f"assignment-reassign-errors-{demo_server.dialect}")

        target = made.json()["mentor_id"]
        await page.get_by_label("Mentor", exact=True).select_option(target)
        await page.get_by_label("Reason").fill("Closer to home")
        await checked(page, screenshot, f"assignment-reassign-{demo_server.dialect}")
        await page.get_by_role("button", name="Reassign").click()
        await page.get_by_text("this is the new one").wait_for()

        closed = (await api.get(f"/api/v1/assignments/{moved['assignment_id']}")).json()
        assert closed["status"] == "closed"
        assert closed["closed_reason"] == "Closer to home"
        opened = (await api.get(f"/api/v1/assignments/{closed['next_assignment_id']}")).json()
        assert opened["mentor_id"] == target
        assert opened["previous_assignment_id"] == moved["assignment_id"]
        assert page.url.startswith(f"{base}/assignments/{opened['assignment_id']}")
        link = page.get_by_role("link", name=moved["assignment_id"])
        assert await link.count() == 1
