"""The real-browser machinery itself: Chromium opens a page of a real server, screenshots are
written, and axe-core both passes a sound page and reports a broken one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.console.browser.conftest import ConsoleServer
from tests.support.browser import CHROMIUM, assert_accessible, axe_violations

Screenshot = Callable[[Page, str], Awaitable[Path]]

SOUND_PAGE = """<!doctype html>
<html lang="en"><head><title>Sign in</title></head>
<body><main><h1>Sign in</h1>
<form><label for="email">Email</label><input id="email" name="email" type="email">
<button type="submit">Sign in</button></form></main></body></html>"""

UNLABELLED_INPUT = """<!doctype html>
<html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><form><input id="email" name="email" type="text"></form></main>
</body></html>"""


async def test_the_browser_driven_is_the_system_chromium(chromium: Browser) -> None:
    process = await asyncio.create_subprocess_exec(
        str(CHROMIUM), "--version", stdout=asyncio.subprocess.PIPE
    )
    printed, _ = await asyncio.wait_for(process.communicate(), 30)
    assert chromium.version in printed.decode()  # "Chromium 156.0.8078.114 built on Debian …"


async def test_the_offline_api_docs_open_in_chromium_and_are_screenshotted(
    page: Page, console_server: ConsoleServer, screenshot: Screenshot
) -> None:
    answer = await page.goto(f"{console_server.base}/docs")
    assert answer is not None
    assert answer.status == 200
    await page.locator(".swagger-ui .info .title").wait_for()  # drawn by the served script
    shot = await screenshot(page, f"api-docs-{console_server.dialect}")
    assert shot.read_bytes().startswith(b"\x89PNG")


async def test_axe_passes_a_page_whose_input_is_labelled(page: Page) -> None:
    await page.set_content(SOUND_PAGE)
    await assert_accessible(page)


async def test_axe_reports_an_input_without_a_label(page: Page) -> None:
    await page.set_content(UNLABELLED_INPUT)
    violations = await axe_violations(page)
    assert "label" in {violation["id"] for violation in violations}
    with pytest.raises(AssertionError, match=r"label \(critical\).*#email"):
        await assert_accessible(page)
