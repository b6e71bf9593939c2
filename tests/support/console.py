"""Signing in to the console in tests, through the real sign-in form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from bs4 import BeautifulSoup, Tag

from caseworks.auth.principal import Role
from caseworks.auth.users import create_user
from caseworks.core.timestamps import utc_now
from tests.support.tenants import Tenant

PASSWORD = "tangerine kayak lantern"


async def console_user(
    tenant: Tenant,
    role: Role,
    *,
    mentor_id: str | None = None,
    worker_id: str | None = None,
) -> str:
    """A user of the tenant's agency with `PASSWORD`; its e-mail is returned."""
    async with tenant.db.transaction() as tx:
        user_id = await create_user(
            tx,
            agency_id=tenant.agency_id,
            email=f"{role.value}-{tenant.agency_id}@example.org",
            role=role,
            now=utc_now(),
            mentor_id=mentor_id,
            worker_id=worker_id,
            password=PASSWORD,
        )
    return f"{role.value}-{tenant.agency_id}@example.org".lower() if user_id else ""


def csrf_token_of(html: str) -> str:
    """The CSRF token a page's forms carry (its first hidden ``csrf_token`` input)."""
    found = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})
    assert isinstance(found, Tag), "the page has no form with a CSRF token"
    return str(found["value"])


async def post_sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next_path: str | None = None
) -> httpx.Response:
    """Sign in through the form as a browser does: show the sign-in page, post it back."""
    query = "" if next_path is None else f"?next={next_path}"
    form_page = await client.get(f"/sign-in{query}")
    token = csrf_token_of(form_page.text)
    data = {"email": email, "password": password, "csrf_token": token}
    return await client.post(f"/sign-in{query}", data=data)


@asynccontextmanager
async def signed_in(
    tenant: Tenant,
    role: Role,
    *,
    mentor_id: str | None = None,
    worker_id: str | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """``async with signed_in(tenant, role) as client``: signed in as a new user of ``role``.

    The client sends the session's CSRF token as `X-CSRF-Token` on every request (as htmx
    does), so a test posts a form with plain ``client.post(path, data=...)``; delete
    ``client.headers["X-CSRF-Token"]`` to see a request refused."""
    email = await console_user(tenant, role, mentor_id=mentor_id, worker_id=worker_id)
    async with tenant.client() as client:
        answer = await post_sign_in(client, email)
        assert answer.status_code == 303, answer.text
        start = await client.get("/")
        client.headers["X-CSRF-Token"] = csrf_token_of(start.text)
        yield client
