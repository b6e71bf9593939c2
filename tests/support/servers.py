"""Real `caseworks serve` processes for tests about the server."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
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
    """``caseworks serve`` on a free port; yields its base URL (see `serving_process`)."""
    with serving_process(env, *options, log=log) as (base, _):
        yield base


@contextmanager
def serving_process(
    env: dict[str, str], *options: str, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``caseworks serve`` on a free port; yields its base URL and its process.

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
                yield base, process
            finally:
                process.terminate()
                process.wait(timeout=20)


@asynccontextmanager
async def serving_async(
    env: dict[str, str], log: Path, *options: str
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """``caseworks serve`` started from async code, so the test's own loop keeps running."""
    port = free_port()
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            CASEWORKS, "serve", "--port", str(port), *options, env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as probe:
            while True:
                assert time.monotonic() < deadline, f"serve did not start; see {log}"
                try:
                    if (await probe.get(f"{base}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)  # polling for the port, under a deadline
        yield base, process
    finally:
        await stop(process, log)


async def within(
    seconds: float, what: str, condition: Callable[[], Awaitable[bool] | bool]
) -> float:
    """Polls a condition until it holds, under a deadline; returns how long that took."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        outcome = condition()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return time.monotonic() - began
        await asyncio.sleep(0.02)  # polling; the condition decides, the deadline bounds
    raise AssertionError(f"{what}: not within {seconds} s")


@asynccontextmanager
async def dispatching(env: dict[str, str], log: Path) -> AsyncIterator[None]:
    """``caseworks worker``: a mail dispatcher process of its own."""
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            CASEWORKS, "worker", env=env, stdout=output, stderr=output
        )
    try:
        yield
    finally:
        await stop(process, log)


async def stop(process: asyncio.subprocess.Process, log: Path) -> None:
    """SIGTERM, then SIGKILL after a bound: a process that will not stop fails the test, not hangs
    it."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.kill()
        await process.wait()
        stuck = f"the process did not stop within 20 s of SIGTERM; see {log}"
        raise AssertionError(stuck) from None
