"""What every database backend offers the services: reads, writes, one transaction per write."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import lru_cache
from typing import Any, Protocol

from caseworks.core.counting import Totals
from caseworks.db.url import Dialect

Row = dict[str, Any]
Params = dict[str, Any]


class StreamedRows(list[Any]):
    """One batch of a stream: the driver's plain records (a tuple on SQLite, a ``Record`` on
    PostgreSQL; both read by position and iterate over their values, in the statement's column
    order) and the statement's column names, once for the batch. Plain records are what the
    drivers make cheapest: a mapping per row costs more than the CSV encoding of it."""

    def __init__(self, columns: tuple[str, ...], rows: Iterable[Any]) -> None:
        super().__init__(rows)
        self.columns = columns

    def mappings(self) -> list[Row]:
        """The rows as dicts by column name, for the few consumers that change them."""
        return [dict(zip(self.columns, row, strict=True)) for row in self]


# Rows a stream fetches at a time: large enough that the per-batch costs (a round trip, a write
# to the socket) vanish, small enough that a batch is a few megabytes at most.
STREAM_BATCH = 5_000


class ConstraintViolation(Exception):
    """A unique, foreign-key or check constraint refused a write."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # "unique", "foreign_key", "check", "not_null"
        self.message = message


class DatabaseUnavailable(Exception):
    """The database could not be reached or dropped the connection."""


class Executor(Protocol):
    """Runs SQL written with ``:name`` parameters."""

    dialect: Dialect
    # The collection totals its database remembers: one object per open database, shared by
    # its connections and transactions.
    totals: Totals

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]: ...

    async def fetch_value(self, sql: str, params: Params | None = None) -> Any: ...

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run a statement; return the number of rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per parameter set, in one batch (a bulk insert: one
        prepared statement, no round trip per row where the driver can avoid it)."""
        ...


class Database(Executor, Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        ...

    def connection(self) -> AbstractAsyncContextManager[Executor]:
        """One connection for several reads, outside a transaction: a page and its total take
        one trip to the pool instead of one each."""
        ...

    def stream(
        self, sql: str, params: Params | None = None, batch: int = STREAM_BATCH
    ) -> AsyncGenerator[StreamedRows, None]:
        """Every row of one query, ``batch`` rows at a time, in constant memory: a server-side
        cursor on PostgreSQL (in one read-only transaction, so the rows are one snapshot), a
        connection of its own stepped through the result on SQLite (so the shared reader is
        never held in the stream's snapshot). Rows are the driver's plain records with the
        statement's column names (``StreamedRows``); on SQLite their
        values are as stored (times and dates as their ISO 8601 text, booleans as 0 and 1),
        which spares a conversion per value. Close the iterator (``aclosing``) to end early."""
        ...

    async def close(self) -> None: ...


_PARAM = re.compile(r"(?<![:\w]):([a-zA-Z_]\w*)")


@lru_cache(maxsize=1024)
def to_positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """Rewrite ``:name`` parameters as PostgreSQL ``$n``; return the SQL and the name order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAM.sub(number, sql), tuple(names)


def ordered(names: Sequence[str], params: Params | None) -> list[Any]:
    if not names:
        return []
    assert params is not None, "query has parameters but none were given"
    return [params[name] for name in names]


@asynccontextmanager
async def savepoint(tx: Executor, name: str = "step") -> AsyncIterator[None]:
    """A part of a transaction that can fail alone: what it wrote is undone if it raises, and
    the transaction goes on (on PostgreSQL a failed statement otherwise aborts all of it)."""
    if not name.isidentifier():
        raise ValueError(name)
    await tx.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        await tx.execute(f"ROLLBACK TO SAVEPOINT {name}")
        await tx.execute(f"RELEASE SAVEPOINT {name}")
        raise
    await tx.execute(f"RELEASE SAVEPOINT {name}")
