"""``Database.stream``: every row of a query, a batch at a time, on a connection of its own that
goes back however the stream ends."""

from __future__ import annotations

from contextlib import aclosing

from caseworks.auth.agencies import create_agency
from caseworks.db import Database
from tests.support.tenants import Tenant

SERIES = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :last)"
    " SELECT i FROM n ORDER BY i"
)


async def test_every_row_comes_in_batches_of_the_size_asked(db: Database) -> None:
    sizes: list[int] = []
    seen: list[int] = []
    async for batch in db.stream(SERIES, {"last": 2_500}, batch=1_000):
        sizes.append(len(batch))
        assert batch.columns == ("i",)
        seen.extend(row[0] for row in batch)
    assert sizes == [1_000, 1_000, 500]
    assert seen == list(range(1, 2_501))


async def test_a_stream_ended_early_gives_its_connection_back(db: Database) -> None:
    for _ in range(60):  # several times any pool size: a leak would exhaust the pool
        async with aclosing(db.stream(SERIES, {"last": 10}, batch=2)) as batches:
            async for _batch in batches:
                break
    assert await db.fetch_value("SELECT 1") == 1


async def test_other_reads_see_new_commits_while_a_stream_is_open(
    db: Database, tenant: Tenant
) -> None:
    async with aclosing(db.stream(SERIES, {"last": 10}, batch=2)) as batches:
        await anext(batches)
        async with db.transaction() as tx:
            agency_id = await create_agency(tx, "Made while a stream is open")
        found = await db.fetch_value("SELECT 1 FROM agencies WHERE id = :id", {"id": agency_id})
        assert found == 1
