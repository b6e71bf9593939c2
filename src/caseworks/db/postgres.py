"""The production database: PostgreSQL through an asyncpg pool."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from caseworks.core.counting import Totals
from caseworks.core.errors import SimultaneousChange
from caseworks.db.base import (
    STREAM_BATCH,
    ConstraintViolation,
    DatabaseUnavailable,
    Params,
    Row,
    StreamedRows,
    ordered,
    to_positional,
)
from caseworks.db.url import Dialect

# How long a request waits for a connection before it fails with 503 instead of hanging.
ACQUIRE_TIMEOUT_SECONDS = 5.0
# A statement on a connection that stopped answering (a network black hole) fails with 503 after
# this long unless configured otherwise; every query of ours takes milliseconds.
COMMAND_TIMEOUT_SECONDS = 30.0

_CONSTRAINT_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (asyncpg.UniqueViolationError, "unique"),
    (asyncpg.ForeignKeyViolationError, "foreign_key"),
    (asyncpg.CheckViolationError, "check"),
    (asyncpg.NotNullViolationError, "not_null"),
)

# The database gave up on one transaction for another running at once (SQLSTATE 40P01, 40001):
# it rolled back with nothing written, and the same request sent again will most likely pass.
_SIMULTANEOUS: tuple[type[Exception], ...] = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
)


def _translate(error: BaseException) -> BaseException:
    for error_type, kind in _CONSTRAINT_KINDS:
        if isinstance(error, error_type):
            return ConstraintViolation(kind, str(error))
    if isinstance(error, _SIMULTANEOUS):
        return SimultaneousChange()
    if isinstance(error, _UNAVAILABLE):
        return DatabaseUnavailable(str(error) or type(error).__name__)
    return error


class _Translating:
    """Maps driver exceptions to ours, so services never import asyncpg."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if error is not None:
            translated = _translate(error)
            if translated is not error:
                raise translated from error


_translating = _Translating()


class PostgresExecutor:
    dialect: Dialect = "postgresql"

    def __init__(self, target: Any, totals: Totals) -> None:
        # A pool (autocommit reads) or a connection inside a transaction.
        self._target = target
        self.totals = totals

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        text, names = to_positional(sql)
        with _translating:
            row = await self._target.fetchrow(text, *ordered(names, params))
        return None if row is None else dict(row)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        text, names = to_positional(sql)
        with _translating:
            rows = await self._target.fetch(text, *ordered(names, params))
        return [dict(row) for row in rows]

    async def fetch_value(self, sql: str, params: Params | None = None) -> Any:
        text, names = to_positional(sql)
        with _translating:
            return await self._target.fetchval(text, *ordered(names, params))

    async def execute(self, sql: str, params: Params | None = None) -> int:
        text, names = to_positional(sql)
        with _translating:
            status: str = await self._target.execute(text, *ordered(names, params))
        # asyncpg returns the command tag, e.g. "UPDATE 3" or "INSERT 0 1".
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        text, names = to_positional(sql)
        with _translating:
            # asyncpg sends the whole batch in one pipeline, the statement prepared once.
            await self._target.executemany(text, [ordered(names, row) for row in rows])


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Pool release hook: skip asyncpg's default reset query, a round trip per release.

    We never change session state (no SET, LISTEN, advisory locks or cursors); asyncpg still
    rolls back any transaction left open before this hook runs.
    """


class Listener:
    """A dedicated connection that LISTENs on one channel; ``on_lost`` fires if it drops."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    @property
    def alive(self) -> bool:
        return not self._connection.is_closed()

    async def close(self) -> None:
        if not self._connection.is_closed():
            await self._connection.close(timeout=2)


class PostgresDatabase(PostgresExecutor):
    def __init__(self, pool: asyncpg.Pool, dsn: str) -> None:
        super().__init__(pool, Totals())
        self._pool = pool
        self._dsn = dsn

    async def listen(
        self, channel: str, on_notify: Callable[[str], None], on_lost: Callable[[], None]
    ) -> Listener:
        with _translating:
            connection = await asyncpg.connect(
                self._dsn,
                timeout=ACQUIRE_TIMEOUT_SECONDS,
                server_settings={"application_name": "caseworks-listener"},
            )
            await connection.add_listener(
                channel, lambda _conn, _pid, _channel, payload: on_notify(payload)
            )
        connection.add_termination_listener(lambda _conn: on_lost())
        return Listener(connection)

    @classmethod
    async def connect(
        cls, dsn: str, pool_size: int, command_timeout: float | None = None
    ) -> PostgresDatabase:
        with _translating:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=pool_size,
                timeout=ACQUIRE_TIMEOUT_SECONDS,
                command_timeout=command_timeout or COMMAND_TIMEOUT_SECONDS,
                reset=_keep_session,
                # Short indexed queries: planning JIT code only costs time.
                server_settings={"jit": "off", "application_name": "caseworks"},
            )
        return cls(pool, dsn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresExecutor]:
        with _translating:
            connection = await self._pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS)
        try:
            with _translating:
                transaction = connection.transaction()
                await transaction.start()
            try:
                yield PostgresExecutor(connection, self.totals)
            except BaseException:
                with _translating:
                    await transaction.rollback()
                raise
            with _translating:
                await transaction.commit()
        finally:
            await self._pool.release(connection)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        async with self.connection() as executor:
            return await executor.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        async with self.connection() as executor:
            return await executor.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Params | None = None) -> Any:
        async with self.connection() as executor:
            return await executor.fetch_value(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        async with self.connection() as executor:
            return await executor.execute(sql, params)

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        async with self.connection() as executor:
            await executor.execute_many(sql, rows)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[PostgresExecutor]:
        with _translating:
            connection = await self._pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS)
        try:
            yield PostgresExecutor(connection, self.totals)
        finally:
            await self._pool.release(connection)

    async def stream(
        self, sql: str, params: Params | None = None, batch: int = STREAM_BATCH
    ) -> AsyncGenerator[StreamedRows, None]:
        text, names = to_positional(sql)
        with _translating:
            connection = await self._pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS)
        try:
            with _translating:
                # A cursor lives in a transaction; read-only and repeatable read, so every
                # batch comes from the one snapshot the first one saw.
                transaction = connection.transaction(isolation="repeatable_read", readonly=True)
                await transaction.start()
            try:
                with _translating:
                    cursor = await connection.cursor(text, *ordered(names, params))
                while True:
                    with _translating:
                        rows = await cursor.fetch(batch)
                    if not rows:
                        break
                    yield StreamedRows(tuple(rows[0].keys()), rows)
            finally:
                with _translating:
                    await transaction.rollback()  # nothing was written; ends the snapshot
        finally:
            await self._pool.release(connection)

    async def close(self) -> None:
        await self._pool.close()
