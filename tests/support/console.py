"""Signing in to the console in tests, through the real sign-in form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

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


@asynccontextmanager
async def signed_in(
    tenant: Tenant,
    role: Role,
    *,
    mentor_id: str | None = None,
    worker_id: str | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """``async with signed_in(tenant, role) as client``: signed in as a new user of ``role``."""
    email = await console_user(tenant, role, mentor_id=mentor_id, worker_id=worker_id)
    async with tenant.client() as client:
        answer = await client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        yield client
