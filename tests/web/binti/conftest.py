"""Fixtures of the Binti-shaped client tests: requests written from Binti's published document."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.childwelfare import jsonapi_client
from tests.support.tenants import Tenant


@pytest.fixture
async def jsonapi(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The Binti-compatible API as the tenant's admin, sending bodies as Binti documents them
    (``application/json``)."""
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        client.headers["Content-Type"] = "application/json"
        yield client
