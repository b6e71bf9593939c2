"""Connections for SQLite and PostgreSQL, transactions, and the schema.

Hot paths run hand-written SQL straight through the drivers (asyncpg, sqlite3); SQLAlchemy only
declares the schema for Alembic. Queries are written once with ``:name`` parameters and compiled per
dialect on first use.
"""

from caseworks.db.base import (
    ConstraintViolation,
    Database,
    DatabaseUnavailable,
    Executor,
    Row,
    savepoint,
)
from caseworks.db.connect import open_database
from caseworks.db.url import DatabaseURL

__all__ = [
    "ConstraintViolation",
    "Database",
    "DatabaseURL",
    "DatabaseUnavailable",
    "Executor",
    "Row",
    "open_database",
    "savepoint",
]
