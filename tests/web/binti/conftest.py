"""Clients of the Binti-compatible API, as one written from Binti's published document would be."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.childwelfare import jsonapi_client
from tests.support.tenants import Tenant


@pytest.fixture
async def binti(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The tenant's admin, speaking as Binti's clients do: JSON in and out, the bearer header,
    and ``tz=utc`` on every request, as Binti asks."""
    async with tenant.client(tenant.admin_token) as client:
        client.headers["Accept"] = "application/json"
        client.headers["Content-Type"] = "application/json"
        client.params = client.params.set("tz", "utc")
        yield client


@pytest.fixture
async def jsonapi(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The JSON:API as the tenant's admin."""
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        yield client
