"""PostgreSQL aborting one of two transactions that run at once (a deadlock): the one it aborts
raises SimultaneousChange (503, may be retried) with nothing written; the other commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from caseworks.auth.agencies import create_agency
from caseworks.core.errors import SimultaneousChange
from caseworks.db import Database, DatabaseURL, open_database

RENAME = "UPDATE agencies SET name = :name WHERE id = :id"


@pytest.fixture
async def postgres(postgresql_url: DatabaseURL) -> AsyncIterator[Database]:
    db = await open_database(postgresql_url, pool_size=4)
    yield db
    await db.close()


async def two_agencies(db: Database) -> tuple[str, str]:
    async with db.transaction() as tx:
        return await create_agency(tx, "First"), await create_agency(tx, "Second")


async def rename_both(
    db: Database,
    name: str,
    first: str,
    second: str,
    holding: asyncio.Event,
    other_holding: asyncio.Event,
) -> str:
    """Lock ``first`` (renaming it), wait until the other transaction holds its first row, then
    lock ``second``: run against each other in opposite order, the two wait for each other."""
    async with db.transaction() as tx:
        # Detect the cycle at once instead of after the default second: the test stays short.
        await tx.execute("SET LOCAL deadlock_timeout = '10ms'")
        await tx.execute(RENAME, {"name": name, "id": first})
        holding.set()
        await other_holding.wait()
        await tx.execute(RENAME, {"name": name, "id": second})
    return name


async def names(db: Database, *ids: str) -> list[str]:
    rows = await db.fetch_all(
        "SELECT id, name FROM agencies WHERE id IN (:a, :b)", {"a": ids[0], "b": ids[1]}
    )
    by_id = {row["id"]: row["name"] for row in rows}
    return [by_id[agency_id] for agency_id in ids]


async def test_a_deadlock_aborts_one_transaction_as_a_simultaneous_change(
    postgres: Database,
) -> None:
    a, b = await two_agencies(postgres)
    a_held, b_held = asyncio.Event(), asyncio.Event()
    outcomes = await asyncio.gather(
        rename_both(postgres, "one", a, b, a_held, b_held),
        rename_both(postgres, "two", b, a, b_held, a_held),
        return_exceptions=True,
    )
    failed = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    committed = [outcome for outcome in outcomes if isinstance(outcome, str)]
    assert len(failed) == 1, outcomes
    assert len(committed) == 1, outcomes
    [error] = failed
    assert isinstance(error, SimultaneousChange)
    assert (error.status, error.retry_after) == (503, 1)
    assert "may be retried" in error.detail
    # The aborted one wrote nothing: both rows carry the winner's name.
    assert await names(postgres, a, b) == committed * 2


async def rename_from_an_old_snapshot(db: Database, agency_id: str) -> None:
    """Rename the agency in a REPEATABLE READ transaction whose snapshot is older than another
    transaction's committed rename of it: PostgreSQL refuses (40001)."""
    async with db.transaction() as tx:
        await tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        await tx.fetch_value("SELECT name FROM agencies WHERE id = :id", {"id": agency_id})
        async with db.transaction() as other:  # after the snapshot was taken
            await other.execute(RENAME, {"name": "committed meanwhile", "id": agency_id})
        await tx.execute(RENAME, {"name": "too late", "id": agency_id})


async def test_a_serialization_failure_is_a_simultaneous_change(postgres: Database) -> None:
    a, _ = await two_agencies(postgres)
    with pytest.raises(SimultaneousChange):
        await rename_from_an_old_snapshot(postgres, a)
    name = await postgres.fetch_value("SELECT name FROM agencies WHERE id = :id", {"id": a})
    assert name == "committed meanwhile"
