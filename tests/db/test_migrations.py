"""Migrations upgrade from empty, downgrade to nothing and upgrade again, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

import caseworks.db.migrate as migrations
from caseworks.db import DatabaseURL
from caseworks.db.schema import metadata
from tests.support.databases import new_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DatabaseURL]:
    if request.param == "sqlite":
        yield DatabaseURL.parse(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    async with new_postgres_database("caseworks_migrate") as url:
        yield url


def tables(url: DatabaseURL) -> set[str]:
    engine = create_engine(url.sqlalchemy_url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_url: DatabaseURL) -> None:
    assert not migrations.is_current(empty_url)
    migrations.upgrade(empty_url)
    assert migrations.is_current(empty_url)
    assert tables(empty_url) == set(metadata.tables)

    migrations.downgrade(empty_url, "base")
    assert tables(empty_url) == set()
    assert migrations.current_revision(empty_url) is None

    migrations.upgrade(empty_url)
    assert tables(empty_url) == set(metadata.tables)


async def test_the_migrated_schema_matches_the_declared_one(database_url: DatabaseURL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(database_url.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert diff == []
