"""Parsing ``CASEWORKS_DATABASE_URL`` into what each driver and Alembic need."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Dialect = Literal["sqlite", "postgresql"]

_POSTGRES_SCHEMES = (
    "postgresql://",
    "postgres://",
    "postgresql+asyncpg://",
    "postgresql+psycopg://",
)


@dataclass(frozen=True)
class DatabaseURL:
    dialect: Dialect
    # For SQLite: the file path. For PostgreSQL: a libpq URL understood by asyncpg.
    target: str

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if not path:
                raise ValueError("a SQLite URL needs a file path: sqlite:///./caseworks.db")
            return cls("sqlite", path)
        for scheme in _POSTGRES_SCHEMES:
            if url.startswith(scheme):
                return cls("postgresql", "postgresql://" + url.removeprefix(scheme))
        raise ValueError(
            f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://HOST/DB"
        )

    @property
    def sqlite_path(self) -> Path:
        assert self.dialect == "sqlite"
        return Path(self.target)

    @property
    def sqlalchemy_url(self) -> str:
        """The URL Alembic connects with (synchronous drivers)."""
        if self.dialect == "sqlite":
            return f"sqlite:///{self.target}"
        return "postgresql+psycopg://" + self.target.removeprefix("postgresql://")
