"""Open the database a URL names."""

from __future__ import annotations

from caseworks.db.base import Database
from caseworks.db.url import DatabaseURL


async def open_database(
    url: DatabaseURL, pool_size: int = 10, command_timeout: float | None = None
) -> Database:
    """``command_timeout``: seconds a PostgreSQL statement may take before it fails as
    unavailable (the backend's default when None)."""
    if url.dialect == "sqlite":
        from caseworks.db.sqlite import SQLiteDatabase

        return SQLiteDatabase(url.sqlite_path)
    from caseworks.db.postgres import PostgresDatabase

    return await PostgresDatabase.connect(url.target, pool_size, command_timeout)
