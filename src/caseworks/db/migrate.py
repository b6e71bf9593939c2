"""Alembic, driven from code: upgrade, downgrade and "is the schema current?"."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from caseworks.db.url import DatabaseURL

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: DatabaseURL) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.sqlalchemy_url.replace("%", "%%"))
    return config


def upgrade(url: DatabaseURL, revision: str = "head") -> None:
    if url.dialect == "sqlite":
        url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: DatabaseURL, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(url: DatabaseURL) -> str | None:
    engine = create_engine(url.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_current(url: DatabaseURL) -> bool:
    return current_revision(url) == head_revision()
