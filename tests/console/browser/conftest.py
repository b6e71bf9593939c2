"""Fixtures of the real-browser tests: one Chromium for the session, one real ``caseworks serve``
per database seeded with the demo agency by the ``caseworks`` command, and a fresh browser
context (cookies, storage, locale) per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from caseworks.db import DatabaseURL
from tests.support import browser
from tests.support.databases import new_postgres_database
from tests.support.processes import cli_env
from tests.support.servers import CASEWORKS, serving_async


@dataclass(frozen=True)
class ConsoleServer:
    """A running ``caseworks serve`` on its own database holding the demo agency."""

    base: str
    dialect: str
    admin_token: str
    url: DatabaseURL  # the server's database, for tests that add what the demo lacks (users)


async def run_cli(env: dict[str, str], *args: str) -> str:
    """``caseworks ARGS`` run to completion; its stdout."""
    process = await asyncio.create_subprocess_exec(
        CASEWORKS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


def printed_token(demo_output: str) -> str:
    for line in demo_output.splitlines():
        if line.startswith("Admin token: "):
            return line.removeprefix("Admin token: ").strip()
    raise AssertionError(f"caseworks demo printed no admin token:\n{demo_output}")


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    browser.require_chromium()
    async with async_playwright() as playwright:
        launched = await browser.launch_chromium(playwright)
        yield launched
        await launched.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def console_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ConsoleServer]:
    """``caseworks serve`` on a free loopback port over a database of its own (a SQLite file, or
    a new PostgreSQL database dropped afterwards), loaded by ``caseworks demo``."""
    dialect: str = request.param
    folder = tmp_path_factory.mktemp(f"console-{dialect}")
    async with AsyncExitStack() as stack:
        if dialect == "sqlite":
            url = DatabaseURL.parse(f"sqlite:///{folder / 'caseworks.db'}")
        else:
            url = await stack.enter_async_context(new_postgres_database("caseworks_browser"))
        env = cli_env(url) | {"CASEWORKS_MAIL_DIR": str(folder / "mail")}
        await run_cli(env, "migrate")
        token = printed_token(await run_cli(env, "demo"))
        base, _ = await stack.enter_async_context(
            serving_async(env, folder / "serve.log", "--no-dispatch")
        )
        yield ConsoleServer(base=base, dialect=dialect, admin_token=token, url=url)


@pytest.fixture
def locale() -> str:
    """The browser's language; override the fixture (or parametrize it) for another."""
    return "en-GB"


@pytest.fixture
async def page(chromium: Browser, locale: str) -> AsyncIterator[Page]:
    """A page in a new browser context: no cookies or storage shared with any other test."""
    context = await chromium.new_context(locale=locale)
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return browser.screenshot_folder(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def screenshot(screenshots: Path) -> Callable[[Page, str], Awaitable[Path]]:
    """``await screenshot(page, name)`` writes ``<screenshots>/<name>.png``."""

    async def take(page: Page, name: str) -> Path:
        return await browser.screenshot(page, screenshots, name)

    return take
