"""Throw-away PostgreSQL databases, the settings a test app runs with, and an executor that
counts the statements it runs."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import caseworks.db.migrate as migrations
from caseworks.config import Settings
from caseworks.db import DatabaseURL, Executor, Row
from caseworks.db.base import Params

ADMIN_URL = os.environ.get("CASEWORKS_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/postgres")


IN_CI = os.environ.get("CI", "").lower() == "true"


async def postgres_admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        reason = f"PostgreSQL at {ADMIN_URL} did not answer ({error}); PostgreSQL tests NOT RUN"
        if IN_CI:
            pytest.fail(f"{reason}, and CI=true requires them", pytrace=False)
        pytest.skip(reason)


def postgres_database_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


@asynccontextmanager
async def new_postgres_database(prefix: str) -> AsyncIterator[DatabaseURL]:
    """A new, empty PostgreSQL database named ``prefix_…``, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await postgres_admin()
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield DatabaseURL.parse(postgres_database_url(ADMIN_URL, name))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def own_database(dialect: str, folder: Path, prefix: str) -> AsyncIterator[DatabaseURL]:
    """A migrated database of its own (a SQLite file in ``folder``, or a new PostgreSQL
    database), for tests that look at every agency's rows: the outbox, the digests' weeks."""
    if dialect == "sqlite":
        url = DatabaseURL.parse(f"sqlite:///{folder / f'{prefix}.db'}")
        migrations.upgrade(url)
        yield url
        return
    async with new_postgres_database(prefix) as url:
        migrations.upgrade(url)
        yield url


def make_settings(database_url: DatabaseURL, **overrides: Any) -> Settings:
    url = (
        f"sqlite:///{database_url.target}"
        if database_url.dialect == "sqlite"
        else database_url.target
    )
    overrides.setdefault("dispatch", False)  # dispatcher tests start their own
    overrides.setdefault("allowed_hosts", ("testserver", "127.0.0.1", "localhost"))
    # Every test calls from one address, and many check 401s: the limit has tests of its own.
    overrides.setdefault("auth_failures_per_minute", 1_000_000)
    return Settings(database_url=url, **overrides)


class CountingExecutor:
    """Runs every statement on a real connection and keeps its SQL, so that a test can count
    the queries a read makes (the rows are the database's own)."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.totals = inner.totals
        self.statements: list[str] = []

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        self.statements.append(sql)
        return await self.inner.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        self.statements.append(sql)
        return await self.inner.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Params | None = None) -> Any:
        self.statements.append(sql)
        return await self.inner.fetch_value(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        self.statements.append(sql)
        return await self.inner.execute(sql, params)

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        self.statements.append(sql)
        await self.inner.execute_many(sql, rows)
