"""The token cache: on only while revocations can reach it, and never serving a revoked token."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import pytest

from caseworks.auth.cache import TokenCache
from caseworks.auth.principal import Principal, Role
from caseworks.auth.tokens import hash_token
from caseworks.db import Database, DatabaseURL
from caseworks.web.app import Caseworks
from tests.support.polling import until
from tests.support.servers import CASEWORKS
from tests.support.tenants import Tenant

PRINCIPAL = Principal("agency_a", Role.ADMIN, "tok_a")


def enabled_cache(clock: Callable[[], float] = lambda: 0.0) -> TokenCache:
    cache = TokenCache(ttl_seconds=10, max_entries=2, clock=clock)
    cache.enabled = True
    return cache


def test_a_lookup_that_raced_a_revocation_is_not_cached() -> None:
    cache = enabled_cache()
    generation = cache.generation
    cache.evict("some other token")  # a revocation arrives while the lookup is in flight
    cache.put("h", PRINCIPAL, generation)
    assert cache.get("h") is None


def test_entries_expire_and_the_oldest_make_way() -> None:
    now = [0.0]
    cache = enabled_cache(lambda: now[0])
    for key in ("a", "b", "c"):
        cache.put(key, PRINCIPAL, cache.generation)
    assert cache.get("a") is None  # evicted: at most two entries
    assert cache.get("c") == PRINCIPAL
    now[0] = 10.0
    assert cache.get("c") is None


def test_a_disabled_cache_holds_nothing() -> None:
    cache = TokenCache()
    cache.put("h", PRINCIPAL, cache.generation)
    assert cache.get("h") is None


def test_a_change_of_data_version_empties_the_cache() -> None:
    cache = enabled_cache()
    cache.revalidate(1)
    cache.put("h", PRINCIPAL, cache.generation)
    cache.revalidate(1)
    assert cache.get("h") == PRINCIPAL
    cache.revalidate(2)
    assert cache.get("h") is None


async def revoke_in_another_process(database_url: DatabaseURL, token: str) -> None:
    """As an operator does it: `caseworks token revoke`, another process, another connection."""
    url = (
        f"sqlite:///{database_url.target}"
        if database_url.dialect == "sqlite"
        else database_url.target
    )
    revoke = await asyncio.create_subprocess_exec(
        CASEWORKS, "token", "revoke", token, env={**os.environ, "CASEWORKS_DATABASE_URL": url}
    )
    assert await revoke.wait() == 0


async def test_a_cached_token_revoked_by_another_process_is_refused(
    database_url: DatabaseURL, tenant: Tenant, app: Caseworks
) -> None:
    cache: TokenCache = app.state.token_cache
    token_hash = hash_token(tenant.admin_token)
    await until(lambda: cache.enabled)
    async with tenant.client(tenant.admin_token) as client:
        assert (await client.get("/api/v1/mentors")).status_code == 200
        assert token_hash in cache
        await revoke_in_another_process(database_url, tenant.admin_token)
        if database_url.dialect == "postgresql":
            # The NOTIFY reaches this process's listener connection a moment after the commit.
            await until(lambda: token_hash not in cache)
        # On SQLite the next request sees the file's data_version change.
        assert (await client.get("/api/v1/mentors")).status_code == 401


async def test_losing_the_channel_turns_the_cache_off_until_it_is_back(
    db: Database, tenant: Tenant, app: Caseworks, postgresql_url: DatabaseURL
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the channel exists on PostgreSQL only")
    cache: TokenCache = app.state.token_cache
    await until(lambda: cache.enabled)
    database_name = postgresql_url.target.rsplit("/", 1)[1]
    await db.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = 'caseworks-listener' AND datname = :name",
        {"name": database_name},
    )
    await until(lambda: not cache.enabled)
    async with tenant.client(tenant.admin_token) as client:
        assert (await client.get("/api/v1/mentors")).status_code == 200
        assert hash_token(tenant.admin_token) not in cache
        await until(lambda: cache.enabled)  # reconnected by itself
        assert (await client.get("/api/v1/mentors")).status_code == 200
    assert hash_token(tenant.admin_token) in cache
