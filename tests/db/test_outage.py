"""PostgreSQL going away under load: requests fail fast with 503, and the service recovers by
itself when the database is back.

A TCP proxy stands between a real ``caseworks serve`` and PostgreSQL; cutting it drops every
connection and refuses new ones, as a database restart does, without touching the shared server.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from caseworks.db import DatabaseURL, open_database
from tests.conftest import agency_with_admin
from tests.servers import CASEWORKS, free_port

UPSTREAM = ("127.0.0.1", 5432)


class TcpProxy:
    """Forwards a local port to PostgreSQL until cut; restored, it forwards again."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in self._transports:
            writer.transport.abort()
        self._transports.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*UPSTREAM)
        except OSError:
            writer.transport.abort()
            return
        self._transports |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self._transports.discard(writer)


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy()
    await proxy.start()
    yield proxy
    if proxy._server is not None and proxy._server.is_serving():
        await proxy.cut()


async def wait_for(condition: Callable[[], Awaitable[bool]], seconds: float) -> float:
    """Polls an async condition until it holds; returns how long that took."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if await condition():
            return time.monotonic() - began
        await asyncio.sleep(0.1)  # polling with a deadline; the condition decides
    raise AssertionError(f"not within {seconds} s")


async def test_an_outage_is_503_fast_and_the_service_recovers_by_itself(
    postgresql_url: DatabaseURL, proxy: TcpProxy, tmp_path: Path
) -> None:
    agency_id, token = await agency_with_admin(postgresql_url, "Outage")
    name = postgresql_url.target.rsplit("/", 1)[-1]
    port = free_port()
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": f"postgresql://127.0.0.1:{proxy.port}/{name}",
        "CASEWORKS_MAIL_DIR": str(tmp_path / "mail"),
    }
    log = (tmp_path / "serve.log").open("wb")
    server = await asyncio.create_subprocess_exec(
        CASEWORKS, "serve", "--port", str(port), "--no-dispatch", env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

            async def answers() -> bool:
                try:
                    return (await client.get("/api/v1/mentors")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(answers, 30)
            for i in range(3):
                created = await client.post("/api/v1/mentors", json={"name": f"before-{i}"})
                assert created.status_code == 201

            # Cut while writes are in flight: each answer is 201 or 503, never 500 or a hang.
            first_answer = asyncio.Event()

            async def load(i: int) -> httpx.Response:
                response = await client.post("/api/v1/mentors", json={"name": f"load-{i}"})
                first_answer.set()
                return response

            in_flight = [asyncio.create_task(load(i)) for i in range(40)]
            await first_answer.wait()
            await proxy.cut()
            loaded = await asyncio.gather(*in_flight)
            assert {response.status_code for response in loaded} <= {201, 503}
            acknowledged = {f"load-{i}" for i, r in enumerate(loaded) if r.status_code == 201}

            began = time.monotonic()
            during = await asyncio.gather(
                *(client.post("/api/v1/mentors", json={"name": f"during-{i}"}) for i in range(10)),
                *(client.get("/api/v1/mentors", params={"page": i + 1}) for i in range(10)),
            )
            slowest = time.monotonic() - began
            assert [response.status_code for response in during] == [503] * 20
            for response in during:
                assert response.headers["Retry-After"]
                assert response.headers["Content-Type"] == "application/problem+json"
                assert response.json()["request_id"] == response.headers["X-Request-ID"]
            assert slowest < 10, f"the outage took {slowest:.1f} s to answer"
            assert (await client.get("/health")).status_code == 200  # alive, if not ready

            await proxy.start()
            recovered = await wait_for(answers, 20)
            after = await client.post("/api/v1/mentors", json={"name": "after"})
            assert after.status_code == 201
            print(
                f"\noutage: {len(acknowledged)} of 40 in-flight writes acknowledged;"
                f" 20 requests answered 503 within {slowest:.2f} s;"
                f" recovered {recovered:.2f} s after the database was back"
            )

        db = await open_database(postgresql_url)
        try:
            names = {
                row["name"]
                for row in await db.fetch_all(
                    "SELECT name FROM mentors WHERE agency_id = :agency_id",
                    {"agency_id": agency_id},
                )
            }
        finally:
            await db.close()
        # Every acknowledged write is there; a 503 may have committed before its answer was lost
        # (the client retries such a write), but nothing else is.
        assert {"before-0", "before-1", "before-2", "after"} | acknowledged <= names
        assert names <= {"before-0", "before-1", "before-2", "after"} | {
            f"load-{i}" for i in range(40)
        }
    finally:
        server.terminate()
        await server.wait()
        log.close()
