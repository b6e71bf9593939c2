"""Fixtures: a real SQLite file and a real PostgreSQL database, each migrated once per session.

Every test gets its own agency (tenant), so tests are isolated from one another by the same rule
that isolates agencies in production. PostgreSQL tests skip loudly when no server answers, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

import caseworks.db.migrate as migrations
from caseworks.db import Database, DatabaseURL, open_database
from caseworks.web.app import Caseworks, create_app
from tests.support.databases import make_settings, new_postgres_database
from tests.support.figures import Figures, figures_of
from tests.support.tenants import Tenant, new_tenant


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


@pytest.fixture(scope="session")
async def app(database_url: DatabaseURL, db: Database) -> AsyncIterator[Caseworks]:
    application = create_app(make_settings(database_url), database=db)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def tenant(db: Database, app: Caseworks) -> Tenant:
    return await new_tenant(db, app)


@pytest.fixture
async def other_tenant(db: Database, app: Caseworks) -> Tenant:
    return await new_tenant(db, app, "Another Agency")


@pytest.fixture
async def api(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The API as the tenant's admin."""
    async with tenant.client(tenant.admin_token) as client:
        yield client


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    """Where this test records what it measured, for `make reliability-report` (a no-op
    otherwise)."""
    callspec = getattr(request.node, "callspec", None)
    parameters = dict(callspec.params) if callspec is not None else {}
    return figures_of(request.node.nodeid, parameters, list(request.fixturenames))


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    cwd = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)
