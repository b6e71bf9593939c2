"""Alembic environment: runs on the connection or URL that caseworks.db.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from caseworks.db.schema import metadata

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "caseworks.db.migrate sets sqlalchemy.url"
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
