"""A client written as Binti's published document says: bodies as application/json."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.tenants import Tenant


@pytest.fixture
async def binti(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The Binti-compatible API as the tenant's admin, with Binti's request media type."""
    async with tenant.client(tenant.admin_token) as client:
        client.headers["Content-Type"] = "application/json"
        yield client
