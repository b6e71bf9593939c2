"""What a server or command-line process of a test needs."""

from __future__ import annotations

import os

from caseworks.db import DatabaseURL


def cli_env(url: DatabaseURL) -> dict[str, str]:
    env = dict(os.environ)
    env["CASEWORKS_DATABASE_URL"] = (
        f"sqlite:///{url.target}" if url.dialect == "sqlite" else url.target
    )
    return env
