"""Real-browser tests: Debian's Chromium driven by Playwright, axe-core in the page, screenshots.

The browser is the system's ``/usr/bin/chromium``, never one Playwright downloads; the flags are
the ones a headless container without a GPU, a sandbox or outside network needs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, Playwright

from tests.support.databases import IN_CI

CHROMIUM = Path(os.environ.get("CASEWORKS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# What axe must never find on a page: the two impacts WCAG 2.1 AA failures carry.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_axe = Axe()


def require_chromium() -> Path:
    """The browser's path; skips loudly when it is missing, and fails under CI=true."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"no Chromium at {CHROMIUM} (apt-get install chromium); real-browser tests NOT RUN"
    if IN_CI:
        pytest.fail(f"{reason}, and CI=true requires them", pytrace=False)
    pytest.skip(reason)


async def launch_chromium(playwright: Playwright) -> Browser:
    """Chromium headless, with a fresh temporary profile (Playwright makes one per launch)."""
    return await playwright.chromium.launch(
        executable_path=str(require_chromium()), args=list(CHROMIUM_FLAGS), headless=True
    )


def screenshot_folder(default: Path) -> Path:
    """``CASEWORKS_SCREENSHOTS`` when set (``make screenshots`` points it at docs/screenshots),
    otherwise ``default`` (a pytest temporary folder)."""
    configured = os.environ.get("CASEWORKS_SCREENSHOTS")
    folder = Path(configured) if configured else default
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def screenshot(page: Page, folder: Path, name: str) -> Path:
    """The whole page as ``<folder>/<name>.png``; the name becomes a safe file name."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    path = folder / f"{safe}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def blocking_violations(axe_response: dict[str, Any]) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = axe_response.get("violations", [])
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = "; ".join(
            " ".join(str(part) for part in node.get("target", []))
            for node in violation.get("nodes", [])
        )
        lines.append(
            f"{violation['id']} ({violation.get('impact')}): {violation.get('help')} at {targets}"
        )
    return "\n".join(lines)


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = await _axe.run(page)
    response: dict[str, Any] = results.response
    return blocking_violations(response)


async def assert_accessible(page: Page) -> None:
    """Fails listing every serious or critical axe-core violation: rule, help, the nodes."""
    violations = await axe_violations(page)
    assert not violations, f"axe-core found on {page.url}:\n{describe_violations(violations)}"
