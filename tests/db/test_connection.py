"""``Database.connection()``: several reads on one connection, given back however the block ends."""

from __future__ import annotations

import asyncio

import pytest

from caseworks.db import Database


async def test_reads_in_one_block_share_a_connection(db: Database) -> None:
    # A temporary table lives in one connection only: the second statement sees it only if it
    # runs on the same connection as the first.
    async with db.connection() as connection:
        await connection.execute("CREATE TEMP TABLE scratch (n INTEGER)")
        try:
            assert await connection.fetch_value("SELECT count(*) FROM scratch") == 0
        finally:
            await connection.execute("DROP TABLE scratch")


async def test_the_connection_goes_back_to_the_pool_however_the_block_ends(db: Database) -> None:
    async def fail_after_a_read() -> None:
        async with db.connection() as connection:
            await connection.fetch_value("SELECT 1")
            raise LookupError("the block fails after a read")

    for _ in range(60):  # several times any pool size: a leak would exhaust the pool
        with pytest.raises(LookupError):
            await fail_after_a_read()

    async def read() -> int:
        async with db.connection() as connection:
            return int(await connection.fetch_value("SELECT 1"))

    assert await asyncio.gather(*(read() for _ in range(60))) == [1] * 60
