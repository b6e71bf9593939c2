"""Fixtures: a real SQLite file and a real PostgreSQL database, each migrated once per session.

Every test gets its own agency (tenant), so tests are isolated from one another by the same rule
that isolates agencies in production. PostgreSQL tests skip loudly when no server answers, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

import caseworks.db.migrate as migrations
from caseworks.agencies import create_agency
from caseworks.app import create_app
from caseworks.auth.principal import Role
from caseworks.auth.tokens import create_token
from caseworks.config import Settings
from caseworks.db import Database, DatabaseURL, open_database

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


@pytest.fixture(scope="session")
async def postgresql_url() -> AsyncIterator[DatabaseURL]:
    """A fresh, migrated PostgreSQL database for this session, dropped afterwards."""
    async with new_postgres_database("caseworks_test") as url:
        migrations.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> DatabaseURL:
    url = DatabaseURL.parse(f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'caseworks.db'}")
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> DatabaseURL:
    url: DatabaseURL = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
async def db(database_url: DatabaseURL) -> AsyncIterator[Database]:
    database = await open_database(database_url, pool_size=20)
    yield database
    await database.close()


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


@pytest.fixture(scope="session")
async def app(database_url: DatabaseURL, db: Database) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url), database=db)
    async with application.router.lifespan_context(application):
        yield application


@dataclass
class Tenant:
    """One agency of a test, with a client that calls the API as its admin by default."""

    agency_id: str
    db: Database
    app: FastAPI
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://testserver",
            headers=headers,
        )

    async def token(
        self, role: Role, *, mentor_id: str | None = None, worker_id: str | None = None
    ) -> str:
        async with self.db.transaction() as tx:
            _, token = await create_token(
                tx, agency_id=self.agency_id, role=role, mentor_id=mentor_id, worker_id=worker_id
            )
        return token


async def new_tenant(db: Database, app: FastAPI, name: str = "Test Agency") -> Tenant:
    async with db.transaction() as tx:
        agency_id = await create_agency(tx, name)
        _, admin_token = await create_token(tx, agency_id=agency_id, role=Role.ADMIN)
    return Tenant(agency_id, db, app, admin_token)


async def agency_with_admin(url: DatabaseURL, name: str) -> tuple[str, str]:
    """An agency and an admin token, made on a connection of their own (for server processes)."""
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            agency_id = await create_agency(tx, name)
            _, token = await create_token(tx, agency_id=agency_id, role=Role.ADMIN)
    finally:
        await db.close()
    return agency_id, token


@pytest.fixture
async def tenant(db: Database, app: FastAPI) -> Tenant:
    return await new_tenant(db, app)


@pytest.fixture
async def other_tenant(db: Database, app: FastAPI) -> Tenant:
    return await new_tenant(db, app, "Another Agency")


@pytest.fixture
async def api(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The API as the tenant's admin."""
    async with tenant.client(tenant.admin_token) as client:
        yield client


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    cwd = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)
