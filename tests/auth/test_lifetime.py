"""Token lifetime: an expired token is 401 on every path, cached or not; last use is written
coarsely, never on a cache hit; ``--expires-in`` is parsed strictly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from caseworks.auth.cache import TokenCache, evict_everywhere
from caseworks.auth.principal import Role
from caseworks.auth.tokens import (
    DEFAULT_LIFETIME,
    LAST_USE_GRANULARITY,
    create_token,
    hash_token,
    parse_lifetime,
)
from caseworks.core.timestamps import utc_now
from caseworks.db import Database
from caseworks.web.app import Caseworks
from tests.support.childwelfare import JSONAPI
from tests.support.figures import Figures
from tests.support.polling import until
from tests.support.tenants import Tenant

# One path of each kind: the mentoring API, the Binti-compatible API and a hot mentoring read.
PATHS = ("/api/v1/mentors", "/api/v1/children", "/api/v1/assignments")


async def make_token(tenant: Tenant, lifetime: timedelta | None, now: datetime) -> str:
    async with tenant.db.transaction() as tx:
        _, token = await create_token(
            tx, agency_id=tenant.agency_id, role=Role.ADMIN, lifetime=lifetime, now=now
        )
    return token


async def get(tenant: Tenant, token: str, path: str) -> httpx.Response:
    async with tenant.client(token) as client:
        return await client.get(path, headers={"Accept": JSONAPI} if "children" in path else {})


def assert_expired(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert "expired" in response.text


@pytest.fixture
def clock(app: Caseworks) -> Iterator[list[datetime]]:
    """The app's clock, frozen now and moved by the test (restored afterwards)."""
    now = [utc_now()]
    real = app.state.clock
    app.state.clock = lambda: now[0].timestamp()
    yield now
    app.state.clock = real


@pytest.mark.parametrize("path", PATHS)
async def test_a_token_made_already_expired_is_401(
    tenant: Tenant, clock: list[datetime], path: str
) -> None:
    token = await make_token(tenant, timedelta(days=1), now=clock[0] - timedelta(days=2))
    assert_expired(await get(tenant, token, path))


@pytest.mark.parametrize("path", PATHS)
async def test_a_cached_token_is_refused_once_it_expires(
    tenant: Tenant, app: Caseworks, clock: list[datetime], path: str
) -> None:
    cache: TokenCache = app.state.token_cache
    await until(lambda: cache.enabled)
    token = await make_token(tenant, timedelta(seconds=1), now=clock[0])
    assert (await get(tenant, token, path)).status_code == 200
    assert (await get(tenant, token, path)).status_code == 200
    assert hash_token(token) in cache  # served from the cache from here on
    clock[0] += timedelta(seconds=1)
    assert_expired(await get(tenant, token, path))
    assert_expired(await get(tenant, token, path))


async def test_a_token_without_expiry_keeps_working(tenant: Tenant, clock: list[datetime]) -> None:
    token = await make_token(tenant, None, now=clock[0])
    clock[0] += timedelta(days=3650)
    assert (await get(tenant, token, "/api/v1/mentors")).status_code == 200


async def test_tokens_live_90_days_unless_told_otherwise(tenant: Tenant, db: Database) -> None:
    async with db.transaction() as tx:
        token_id, _ = await create_token(tx, agency_id=tenant.agency_id, role=Role.SUPERVISOR)
    row = await db.fetch_one(
        "SELECT created_at, expires_at FROM api_tokens WHERE id = :id", {"id": token_id}
    )
    assert row is not None
    assert row["expires_at"] - row["created_at"] == DEFAULT_LIFETIME == timedelta(days=90)


async def last_used(db: Database, token: str) -> datetime | None:
    value: datetime | None = await db.fetch_value(
        "SELECT last_used_at FROM api_tokens WHERE token_hash = :h", {"h": hash_token(token)}
    )
    return value


async def test_last_use_is_written_on_a_cache_miss_at_most_once_an_hour(
    tenant: Tenant, app: Caseworks, db: Database, clock: list[datetime], figures: Figures
) -> None:
    cache: TokenCache = app.state.token_cache
    await until(lambda: cache.enabled)
    start = clock[0]
    token = await make_token(tenant, timedelta(days=1), now=start)
    assert await last_used(db, token) is None

    async def use() -> None:
        assert (await get(tenant, token, "/api/v1/mentors")).status_code == 200

    await use()
    assert await last_used(db, token) == start
    # Read from the database again within the hour: nothing is written.
    evict_everywhere(hash_token(token))
    clock[0] = start + LAST_USE_GRANULARITY - timedelta(seconds=1)
    await use()
    assert await last_used(db, token) == start
    # An hour on, the next read from the database writes it.
    evict_everywhere(hash_token(token))
    clock[0] = start + LAST_USE_GRANULARITY
    await use()
    assert await last_used(db, token) == clock[0]
    await use()  # cached again (on SQLite the write above emptied the cache once)
    assert hash_token(token) in cache
    # A cache hit writes nothing, however long ago the last write was.
    written = clock[0]
    clock[0] += 5 * LAST_USE_GRANULARITY
    for _ in range(20):
        await use()
    assert await last_used(db, token) == written
    figures.record("cached requests that wrote no last use", 20, "requests")


async def test_an_expired_token_records_no_use(
    tenant: Tenant, db: Database, clock: list[datetime]
) -> None:
    token = await make_token(tenant, timedelta(hours=1), now=clock[0] - timedelta(hours=2))
    assert_expired(await get(tenant, token, "/api/v1/mentors"))
    assert await last_used(db, token) is None


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("1m", timedelta(minutes=1)),
        ("3650d", timedelta(days=3650)),
        ("never", None),
    ],
)
def test_expires_in_takes_a_duration_or_never(text: str, lifetime: timedelta | None) -> None:
    assert parse_lifetime(text) == lifetime


@pytest.mark.parametrize(
    "text",
    [
        "", "90", "d", "0d", "00d", "-1d", "+1d", "1.5d", "90 d", " 90d", "90d ", "90D", "1w",
        "1y", "1s", "1d12h", "3651d", "87601h", "9999999d", "Never", "never ", "inf",
        "\u0663d",  # an Arabic-Indic digit: int() would take it
    ],
)  # fmt: skip
def test_expires_in_refuses_anything_else(text: str, figures: Figures) -> None:
    figures.add("values refused", 1, "values")
    with pytest.raises(ValueError, match=r"duration|longer than"):
        parse_lifetime(text)
