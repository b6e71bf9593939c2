"""Failed authentication is limited per client address; a valid token is never refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from caseworks.auth.limits import FailureLimiter
from caseworks.db import Database, DatabaseURL
from caseworks.web.app import Caseworks, create_app
from tests.support.databases import make_settings
from tests.support.figures import Figures
from tests.support.tenants import Tenant

LIMIT = 3
WRONG = {"Authorization": "Bearer cw_wrong"}
PROXY = ("10.0.0.5", 4000)


class Clock:
    """Monotonic seconds that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def limited_app(
    database_url: DatabaseURL, db: Database, clock: Clock
) -> AsyncIterator[Caseworks]:
    settings = make_settings(
        database_url, auth_failures_per_minute=LIMIT, trusted_proxies=("10.0.0.0/8",)
    )
    app = create_app(settings, database=db)
    app.state.auth_limiter = FailureLimiter(LIMIT, clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def calling(app: Caseworks, address: str, **headers: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        yield client


async def paths(tenant: Tenant) -> list[str]:
    """REST and JSON:API paths: declared endpoints, framework routes and the fast lane."""
    async with tenant.client(tenant.admin_token) as api:
        mentor = (await api.post("/api/v1/mentors", json={"name": "M"})).json()["mentor_id"]
    return [
        "/api/v1/mentors",
        f"/api/v1/assignments/mentor/{mentor}/open-count",  # a hot read, declared
        "/api/v1/children",
        "/api/v1/worker_assignments",  # fast lane
    ]


async def test_the_failure_after_the_limit_is_429_and_a_valid_token_still_passes(
    limited_app: Caseworks, tenant: Tenant, clock: Clock, figures: Figures
) -> None:
    urls = await paths(tenant)
    async with calling(limited_app, "192.0.2.50") as client:
        for _ in range(LIMIT):
            assert (await client.get(urls[0], headers=WRONG)).status_code == 401
        for url in urls:
            for headers in (WRONG, {}, {"Authorization": "Basic eDp5"}):
                refused = await client.get(url, headers=headers)
                assert refused.status_code == 429, (url, headers, refused.text)
                assert refused.headers["retry-after"] == "60"
                assert "www-authenticate" not in refused.headers
                figures.add("failures after the limit, each 429", 1, "requests")
            valid = await client.get(url, headers={"Authorization": f"Bearer {tenant.admin_token}"})
            assert valid.status_code == 200, (url, valid.text)
        # Both surfaces answer in their own format.
        rest = await client.get(urls[0], headers=WRONG)
        assert rest.headers["content-type"] == "application/problem+json"
        jsonapi = await client.get(urls[2], headers=WRONG)
        assert jsonapi.json()["errors"][0]["status"] == "429"
        figures.record("failures allowed per minute and address", LIMIT, "failures")

        clock.now += 45.2
        assert (await client.get(urls[1], headers=WRONG)).headers["retry-after"] == "15"
        clock.now += 15
        assert (await client.get(urls[1], headers=WRONG)).status_code == 401  # a new window

    async with calling(limited_app, "192.0.2.51") as other:
        assert (await other.get(urls[0], headers=WRONG)).status_code == 401


async def test_the_address_behind_a_trusted_proxy_is_the_one_counted(
    limited_app: Caseworks, tenant: Tenant
) -> None:
    async with calling(limited_app, PROXY[0], **WRONG) as proxy:
        for _ in range(LIMIT):
            failed = await proxy.get("/api/v1/mentors", headers={"X-Forwarded-For": "198.51.100.1"})
            assert failed.status_code == 401
        limited = await proxy.get("/api/v1/mentors", headers={"X-Forwarded-For": "198.51.100.1"})
        assert limited.status_code == 429
        other = await proxy.get("/api/v1/mentors", headers={"X-Forwarded-For": "198.51.100.2"})
        assert other.status_code == 401

    # From an address that is not a proxy, X-Forwarded-For cannot spread the count.
    async with calling(limited_app, "192.0.2.60", **WRONG) as direct:
        answers = [
            (await direct.get("/api/v1/mentors", headers={"X-Forwarded-For": f"203.0.113.{n}"}))
            for n in range(LIMIT + 1)
        ]
    assert [answer.status_code for answer in answers] == [401] * LIMIT + [429]


def test_the_table_of_addresses_is_bounded_and_forgets_the_oldest_first() -> None:
    clock = Clock()
    limiter = FailureLimiter(2, clock=clock, capacity=100)
    for _ in range(2):
        limiter.failed("192.0.2.1")
    for n in range(1000):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
        assert len(limiter) <= 100
    assert limiter.retry_after("192.0.2.1") is None  # forgotten, not grown without bound
    limiter.failed("192.0.2.2")
    limiter.failed("192.0.2.2")
    assert limiter.retry_after("192.0.2.2") == 60
    assert len(limiter) == 100


def test_failures_in_an_old_window_do_not_count() -> None:
    clock = Clock()
    limiter = FailureLimiter(2, clock=clock)
    limiter.failed("192.0.2.1")
    clock.now += 60
    limiter.failed("192.0.2.1")
    assert limiter.retry_after("192.0.2.1") is None
    limiter.failed("192.0.2.1")
    assert limiter.retry_after("192.0.2.1") == 60
