"""Real `caseworks serve` processes for tests about the server."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CASEWORKS = str(Path(sys.executable).with_name("caseworks"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_serving(
    base: str, process: subprocess.Popen[bytes], log: Path | None = None
) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text() if log is not None else ""
            raise AssertionError(f"serve exited with {process.returncode}: {output}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)  # polling for the port to open; the condition is checked above
    raise AssertionError("serve did not start within 30 s")


@contextmanager
def serving(env: dict[str, str], *options: str, log: Path | None = None) -> Iterator[str]:
    """``caseworks serve`` on a free port; yields its base URL.

    Its output goes to a file (``log``, or a temporary one): a pipe nobody reads fills up and
    stalls the server. Mail it delivers without SMTP lands in a scratch folder, not in ./mail.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        log = log or Path(scratch) / "serve.log"
        env = {"CASEWORKS_MAIL_DIR": str(Path(scratch) / "mail"), **env}
        with log.open("wb") as output:
            process = subprocess.Popen(
                [CASEWORKS, "serve", "--port", str(port), *options],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                wait_until_serving(base, process, log)
                yield base
            finally:
                process.terminate()
                process.wait(timeout=20)
