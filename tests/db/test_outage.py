"""PostgreSQL becoming unreachable under load (cut, or silently black-holed): requests fail fast
with 503, and the service recovers by itself when the database is back.

A real ``caseworks serve`` talks to PostgreSQL through a TCP proxy in this test. Cutting the proxy
aborts every live connection both ways and refuses new ones, like a database restart or a network
failure, without touching the shared server. While concurrent readers and writers keep calling,
the test proves:

- every request answers within a bound the pool's timeouts make honest; none hangs;
- every answer is a success or a 503 problem (``Retry-After``, the request id), never a 500;
- ``/health`` is liveness only (it does not touch the database), so it stays 200 throughout;
- once the proxy forwards again, every caller succeeds without a restart;
- every write answered 201 is stored, and no write answered 503 is, except possibly one whose
  COMMIT was on the wire at the cut (its answer was lost with the connection; a client that
  brings its own id can retry it safely and gets 409 if it was stored).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from caseworks.db import DatabaseURL, open_database
from caseworks.db.postgres import ACQUIRE_TIMEOUT_SECONDS
from tests.support.figures import Figures
from tests.support.servers import free_port, serving_async, within
from tests.support.tenants import agency_with_admin

POSTGRES = ("127.0.0.1", 5432)
POOL_SIZE = 10
CALLERS = 30  # three times the pool: requests queue for connections, as under real load
# A request waits for a pool connection at most twice (its token, then its work), each wait
# capped by the acquire timeout. A cut connection fails at once; the 30 s command timeout is for
# a database that stops answering without closing, which a cut is not.
REQUEST_BOUND = 2 * ACQUIRE_TIMEOUT_SECONDS
RECOVERY_BOUND = 15.0


class TcpProxy:
    """Forwards a local port to PostgreSQL; cut, it aborts every link and refuses new ones;
    stalled, it holds every byte both ways without closing anything, as a network black hole
    does, until it flows again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    def stall(self) -> None:
        self._flowing.clear()

    def flow(self) -> None:
        self._flowing.set()

    @property
    def forwarding(self) -> bool:
        return self._server is not None

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def cut(self) -> None:
        server, self._server = self._server, None
        assert server is not None, "already cut"
        server.close()
        for writer in self._links:
            writer.transport.abort()
        self._links.clear()
        await server.wait_closed()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._links.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        if writer.is_closing():  # cut while this link was being made
            up_writer.transport.abort()
            return
        self._links.add(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()  # one side gone: the other goes too, as on a real network
            self._links.discard(writer)


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(POSTGRES)
    await proxy.restore()
    yield proxy
    if proxy.forwarding:
        await proxy.cut()


@dataclass
class Answer:
    method: str
    name: str | None  # the mentor a POST creates
    began: float
    seconds: float
    response: httpx.Response | None  # None: no answer within REQUEST_BOUND, or no HTTP answer
    failure: str = ""


async def call(client: httpx.AsyncClient, method: str, path: str, name: str | None) -> Answer:
    began = time.monotonic()
    try:
        async with asyncio.timeout(REQUEST_BOUND):
            if name is None:
                response = await client.request(method, path)
            else:  # each write carries its own key, so it can be retried safely
                key = {"Idempotency-Key": name}
                response = await client.request(method, path, json={"name": name}, headers=key)
        return Answer(method, name, began, time.monotonic() - began, response)
    except (TimeoutError, httpx.HTTPError) as error:
        return Answer(method, name, began, time.monotonic() - began, None, repr(error))


async def keep_calling(
    client: httpx.AsyncClient, caller: int, read_path: str, stop: asyncio.Event, log: list[Answer]
) -> None:
    """One caller: a write, a list, a read by id, again and again until stopped."""
    for n in itertools.count():
        if stop.is_set():
            return
        match n % 3:
            case 0:
                log.append(await call(client, "POST", "/api/v1/mentors", f"load-{caller}-{n}"))
            case 1:
                log.append(await call(client, "GET", "/api/v1/mentors", None))
            case _:
                log.append(await call(client, "GET", read_path, None))


def succeeded(answer: Answer) -> bool:
    return answer.response is not None and answer.response.status_code in (200, 201)


def unavailable(answer: Answer) -> bool:
    return answer.response is not None and answer.response.status_code == 503


def describe(answer: Answer) -> str:
    status = answer.failure if answer.response is None else answer.response.status_code
    return f"{answer.method} {answer.name or ''} → {status} after {answer.seconds:.2f} s"


def every_answer_is_a_success_or_a_503_within_the_bound(answers: list[Answer]) -> None:
    """Never a hang, never a dropped connection, never a 500; a 503 says when to retry."""
    assert all(answer.response is not None for answer in answers), [
        describe(answer) for answer in answers if answer.response is None
    ]
    assert all(succeeded(answer) or unavailable(answer) for answer in answers), [
        describe(answer) for answer in answers if not (succeeded(answer) or unavailable(answer))
    ]
    assert max(answer.seconds for answer in answers) < REQUEST_BOUND
    for answer in filter(unavailable, answers):
        assert answer.response is not None
        assert answer.response.headers["Retry-After"] == "1"
        assert answer.response.headers["Content-Type"] == "application/problem+json"
        problem = answer.response.json()
        assert problem["status"] == 503
        assert problem["request_id"] == answer.response.headers["X-Request-ID"]


async def test_a_database_outage_answers_503_fast_and_the_service_recovers_by_itself(
    postgresql_url: DatabaseURL, proxy: TcpProxy, tmp_path: Path, figures: Figures
) -> None:
    agency_id, token = await agency_with_admin(postgresql_url, "Outage")
    database = postgresql_url.target.rsplit("/", 1)[-1]
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": f"postgresql://127.0.0.1:{proxy.port}/{database}",
        "CASEWORKS_DB_POOL_SIZE": str(POOL_SIZE),
        "CASEWORKS_MAIL_DIR": str(tmp_path / "mail"),
    }
    log = tmp_path / "serve.log"
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=CALLERS + 5)
    # The client waits longer than REQUEST_BOUND: the bound in call() is what decides.
    timeout = httpx.Timeout(2 * REQUEST_BOUND)
    async with (
        serving_async(env, log) as (base, _),
        httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=timeout) as client,
    ):
        # (1) Healthy.
        first = await client.post("/api/v1/mentors", json={"name": "before"})
        assert first.status_code == 201, first.text
        read_path = first.headers["Location"]
        assert (await client.get("/api/v1/mentors")).status_code == 200
        assert (await client.get(read_path)).status_code == 200

        # (2) Cut the database away while callers are busy, and keep them calling.
        answers: list[Answer] = []
        stop = asyncio.Event()
        callers = [
            asyncio.create_task(keep_calling(client, i, read_path, stop, answers))
            for i in range(CALLERS)
        ]
        try:
            await within(10, "healthy load", lambda: sum(map(succeeded, answers)) >= 2 * CALLERS)
            cut_began = time.monotonic()
            await proxy.cut()
            cut_done = time.monotonic()

            def after_cut() -> list[Answer]:
                return [answer for answer in answers if answer.began >= cut_done]

            await within(
                REQUEST_BOUND + 5, "503s during the outage", lambda: len(after_cut()) >= 5 * CALLERS
            )
            health = await call(client, "GET", "/health", None)
            assert health.response is not None, describe(health)
            assert health.response.status_code == 200, describe(health)

            # (3) The database is back: the same server process serves every caller again.
            restored = time.monotonic()
            await proxy.restore()

            async def probe_succeeds() -> bool:
                return succeeded(await call(client, "GET", "/api/v1/mentors", None))

            recovery = await within(
                RECOVERY_BOUND, "first success after the outage", probe_succeeds
            )
            recovered = time.monotonic()
            await within(
                RECOVERY_BOUND,
                "callers served again",
                lambda: sum(succeeded(a) and a.began >= recovered for a in answers) >= 3 * CALLERS,
            )
        finally:
            stop.set()
            await asyncio.gather(*callers)
            every_answer_is_a_success_or_a_503_within_the_bound(answers)
        after = await client.post("/api/v1/mentors", json={"name": "after"})
        assert after.status_code == 201, after.text
        assert (await client.get("/health")).status_code == 200

        # (4) Every write refused with 503 is retried with its key: made now, or found made.
        refused = [a.name for a in answers if a.name is not None and unavailable(a)]
        retried = await asyncio.gather(
            *(call(client, "POST", "/api/v1/mentors", name) for name in refused)
        )
        assert all(map(succeeded, retried)), [describe(a) for a in retried if not succeeded(a)]
        committed_unanswered = {
            a.name for a in retried if a.response and "Idempotent-Replayed" in a.response.headers
        }

    before_cut = [answer for answer in answers if answer.began + answer.seconds < cut_began]
    at_cut = [a for a in answers if a.began < cut_done and a.began + a.seconds >= cut_began]
    outage = [a for a in answers if a.began >= cut_done and a.began + a.seconds < restored]
    settled = [answer for answer in answers if answer.began >= recovered]
    assert all(map(succeeded, before_cut)), [describe(a) for a in before_cut if not succeeded(a)]
    assert len(outage) >= 5 * CALLERS
    assert all(map(unavailable, outage)), [describe(a) for a in outage if not unavailable(a)]
    assert all(map(succeeded, settled)), [describe(a) for a in settled if not succeeded(a)]

    # (5) Each write is stored exactly once, whether acknowledged first time or retried.
    db = await open_database(postgresql_url)
    try:
        rows = await db.fetch_all(
            "SELECT name FROM mentors WHERE agency_id = :agency_id", {"agency_id": agency_id}
        )
    finally:
        await db.close()
    stored = [row["name"] for row in rows]
    assert len(stored) == len(set(stored)), "a write was stored twice"
    writes = [answer for answer in answers if answer.name is not None]
    acknowledged = {answer.name for answer in writes if succeeded(answer)}
    assert set(stored) == acknowledged | set(refused) | {"before", "after"}
    # A write refused while its COMMIT was on the wire had committed (its retry found it): at most
    # one per pooled connection, and only among those in flight at the cut.
    in_doubt = committed_unanswered
    assert in_doubt <= {answer.name for answer in at_cut}, in_doubt
    assert len(in_doubt) <= POOL_SIZE, in_doubt

    outage_503 = sorted(answer.seconds for answer in outage)
    figures.record("callers", CALLERS, "callers")
    figures.record("requests", len(answers), "requests")
    figures.record("in flight at the cut", len(at_cut), "requests")
    figures.record("of them answered 503", sum(map(unavailable, at_cut)), "requests")
    figures.record("slowest answer at the cut", max((a.seconds for a in at_cut), default=0), "s")
    figures.record("answered 503 during the outage", len(outage), "requests")
    figures.record("fastest 503 during the outage", outage_503[0], "s")
    figures.record("median 503 during the outage", outage_503[len(outage_503) // 2], "s")
    figures.record("slowest 503 during the outage", outage_503[-1], "s")
    figures.record("first success after the database was back", recovery, "s")
    figures.record("writes", len(writes), "writes")
    figures.record("writes acknowledged", len(acknowledged), "writes")
    figures.record("writes refused, retried with their keys, stored once", len(refused), "writes")
    figures.record("of them found already committed", len(in_doubt), "writes")


BLACK_HOLE_POOL = 4
COMMAND_TIMEOUT_MS = 1000


async def test_a_database_that_stops_answering_is_503_within_the_timeouts_and_recovers(
    postgresql_url: DatabaseURL, proxy: TcpProxy, tmp_path: Path, figures: Figures
) -> None:
    """No connection closes, nothing is refused: bytes just stop. Statements on open connections
    fail after the command timeout, new connections after the connect timeout; each is a 503."""
    _, token = await agency_with_admin(postgresql_url, "Black hole")
    database = postgresql_url.target.rsplit("/", 1)[-1]
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": f"postgresql://127.0.0.1:{proxy.port}/{database}",
        "CASEWORKS_DB_POOL_SIZE": str(BLACK_HOLE_POOL),
        "CASEWORKS_DB_COMMAND_TIMEOUT_MS": str(COMMAND_TIMEOUT_MS),
        "CASEWORKS_MAIL_DIR": str(tmp_path / "mail"),
    }
    bound = COMMAND_TIMEOUT_MS / 1000 + 2 * ACQUIRE_TIMEOUT_SECONDS + 1
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        serving_async(env, tmp_path / "serve.log", "--no-dispatch") as (base, _),
        httpx.AsyncClient(base_url=base, headers=headers, timeout=3 * bound) as client,
    ):
        assert (await client.post("/api/v1/mentors", json={"name": "before"})).status_code == 201

        proxy.stall()
        began = time.monotonic()
        stalled = await asyncio.gather(
            *(call(client, "GET", "/api/v1/mentors", None) for _ in range(3 * BLACK_HOLE_POOL)),
            *(call(client, "POST", "/api/v1/mentors", f"lost-{n}") for n in range(4)),
        )
        health = await call(client, "GET", "/health", None)
        assert health.response is not None
        assert health.response.status_code == 200
        assert all(map(unavailable, stalled)), [describe(a) for a in stalled]
        slowest = max(answer.seconds for answer in stalled)
        assert slowest < bound, f"{slowest:.1f} s"
        for answer in stalled:
            assert answer.response is not None
            assert answer.response.headers["Retry-After"] == "1"
        outage = time.monotonic() - began

        proxy.flow()

        async def served() -> bool:
            return succeeded(await call(client, "GET", "/api/v1/mentors", None))

        recovery = await within(RECOVERY_BOUND, "served again after the black hole", served)
        again = await asyncio.gather(
            *(call(client, "GET", "/api/v1/mentors", None) for _ in range(3 * BLACK_HOLE_POOL)),
            call(client, "POST", "/api/v1/mentors", "after"),
        )
        assert all(map(succeeded, again)), [describe(a) for a in again]
    figures.record("command timeout", COMMAND_TIMEOUT_MS, "ms")
    figures.record("concurrent requests, each answered 503", len(stalled), "requests")
    figures.record("fastest 503", min(a.seconds for a in stalled), "s")
    figures.record("slowest 503", slowest, "s")
    figures.record("bound on the slowest", bound, "s")
    figures.record("whole outage", outage, "s")
    figures.record("served again after the bytes flowed", recovery, "s")
