"""Real `caseworks serve` processes for tests about the server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.test_cli import CASEWORKS, free_port, wait_until_serving


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """``caseworks serve`` on a free port, its log in a file (a pipe would fill and stall it)."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [CASEWORKS, "serve", "--port", str(port), "--no-dispatch"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)
