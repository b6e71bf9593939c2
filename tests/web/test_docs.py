"""The documentation pages work on a machine without internet: every file comes from us."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from caseworks.db import DatabaseURL
from tests.support.processes import cli_env
from tests.support.servers import serving_async
from tests.support.tenants import Tenant, agency_with_admin

# What a page references: attributes, and the document URL in Swagger UI's inline script.
_REFERENCE = re.compile(r"""(?:\b(?:src|href|spec-url)=["']|\burl:\s*')([^"']+)""")
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


def references(html: str) -> set[str]:
    return set(_REFERENCE.findall(html))


def check_page(html: str, expected: int) -> set[str]:
    """The page names no other host and `expected` files, each a local absolute path."""
    assert "//" not in html  # no http://, https:// or protocol-relative URL at all
    found = references(html)
    assert len(found) == expected, found
    for url in found:
        assert url.startswith("/"), url
    return found


def assert_served(url: str, response: httpx.Response) -> None:
    assert response.status_code == 200, url
    suffix = url[url.rfind(".") :]
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == _MEDIA_TYPES[suffix], url
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.content) > 1000, url


@pytest.mark.parametrize(("page", "expected"), [("/docs", 4), ("/redoc", 3)])
async def test_the_docs_pages_and_every_file_they_load_come_from_the_service(
    tenant: Tenant, page: str, expected: int
) -> None:
    async with tenant.client() as anonymous:  # the pages hold no data and need no token
        response = await anonymous.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        found = check_page(response.text, expected)
        assert "/openapi.json" in found
        for url in found:
            assert_served(url, await anonymous.get(url))


async def test_a_real_server_serves_the_docs_and_head_without_a_body(
    sqlite_url: DatabaseURL, tmp_path: Path
) -> None:
    """Through uvicorn itself, once: the sweep in test_methods covers both databases."""
    _, admin_token = await agency_with_admin(sqlite_url, "Docs Agency")
    env = {**cli_env(sqlite_url), "CASEWORKS_MAIL_DIR": str(tmp_path / "mail")}
    async with (
        serving_async(env, tmp_path / "serve.log", "--no-dispatch") as (base, _),
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        page = await client.get("/docs")
        for url in check_page(page.text, 4):
            assert_served(url, await client.get(url))
        token = {"Authorization": f"Bearer {admin_token}"}
        for path in ("/docs", "/openapi.json", "/health", "/api/v1/assignments"):
            got = await client.get(path, headers=token)
            head = await client.head(path, headers=token)
            assert (head.status_code, head.content) == (got.status_code, b""), path
            assert head.headers["content-length"] == got.headers["content-length"], path
