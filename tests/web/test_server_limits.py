"""A real ``caseworks serve`` (the default server) against hostile clients on raw sockets.

Each request head is bounded in size, in fields and in time; an idle keep-alive connection is
closed; connections over the bound are answered 503 while those within it are served; and heads
that never end do not grow the server's memory. Limits and timeouts are set small and short
through the environment, so the tests are quick; the deadlines they are held to are generous, so
a loaded machine does not make them fail. Their figures go to the reliability report.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from caseworks.config import Settings, SettingsError
from caseworks.db import DatabaseURL
from tests.support.figures import Figures
from tests.support.processes import cli_env
from tests.support.servers import serving_process

MAX_HEADER_BYTES = 4096
MAX_HEADERS = 20
HEADER_TIMEOUT = 0.5  # seconds
KEEPALIVE_TIMEOUT = 0.4  # seconds
MAX_CONNECTIONS = 8
DEADLINE = 10.0  # seconds a bounded wait may take on a loaded machine
MARGIN = 3.0  # seconds a timeout may overrun on a loaded machine
MIB = 1024 * 1024
REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int

    def connect(self) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=DEADLINE)

    def memory_kib(self, field: str) -> int:
        """``VmRSS`` (resident now) or ``VmHWM`` (the peak resident so far) of the process."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} for process {self.pid}")


@contextmanager
def caseworks(tmp_path: Path, *options: str, **settings: str) -> Iterator[Server]:
    env = cli_env(DatabaseURL.parse(f"sqlite:///{tmp_path / 'limits.db'}"))
    env |= {f"CASEWORKS_{name.upper()}": value for name, value in settings.items()}
    with serving_process(env, *options, log=tmp_path / "serve.log") as (base, process):
        url = urlsplit(base)
        assert url.hostname is not None
        assert url.port is not None
        yield Server(url.hostname, url.port, process.pid)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Small head limits; timeouts long enough that no test here meets one by accident."""
    with caseworks(
        tmp_path_factory.mktemp("sized"),
        max_header_bytes=str(MAX_HEADER_BYTES),
        max_headers=str(MAX_HEADERS),
        header_timeout_ms="60000",
        keepalive_timeout_ms="60000",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def hurried(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Short timeouts, for the tests that wait for them."""
    with caseworks(
        tmp_path_factory.mktemp("hurried"),
        header_timeout_ms=str(round(HEADER_TIMEOUT * 1000)),
        keepalive_timeout_ms=str(round(KEEPALIVE_TIMEOUT * 1000)),
    ) as running:
        yield running


def test_the_limits_are_read_from_the_environment_and_checked() -> None:
    defaults = Settings.from_env({})
    assert (defaults.max_header_bytes, defaults.max_headers, defaults.max_connections) == (
        16384,
        100,
        1000,
    )
    assert (defaults.header_timeout_seconds, defaults.keepalive_timeout_seconds) == (10.0, 5.0)
    assert (
        Settings.from_env({"CASEWORKS_KEEPALIVE_TIMEOUT_MS": "400"}).keepalive_timeout_seconds
        == 0.4
    )
    for name, value in (
        ("CASEWORKS_MAX_HEADER_BYTES", "100"),
        ("CASEWORKS_MAX_HEADERS", "0"),
        ("CASEWORKS_HEADER_TIMEOUT_MS", "ten"),
        ("CASEWORKS_KEEPALIVE_TIMEOUT_MS", "10"),
        ("CASEWORKS_MAX_CONNECTIONS", "0"),
    ):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})


def status_of(sock: socket.socket) -> int:
    """Reads exactly one response (head and Content-Length body); returns its status code.

    Never reads past it: a pipelined answer may arrive in the same segment and belongs to the
    next call. So the head is read a byte at a time and the body to its length.
    """
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        assert byte, f"closed before a response: {head!r}"
        head += byte
    status_line, *fields = head[:-4].split(b"\r\n")
    lengths = [
        v for n, _, v in (f.partition(b":") for f in fields) if n.lower() == b"content-length"
    ]
    left = int(lengths[0]) if lengths else 0
    while left:
        chunk = sock.recv(left)
        assert chunk, "closed in the middle of a response body"
        left -= len(chunk)
    return int(status_line.split()[1])


def closed_after(sock: socket.socket, deadline: float = DEADLINE) -> float:
    """Seconds until the server closes the connection; the socket's timeout is the deadline."""
    began = time.monotonic()
    sock.settimeout(deadline)
    try:
        while sock.recv(65536):
            pass  # nothing is expected, but a byte sent before the close is no failure
    except ConnectionResetError:
        pass  # a reset is a close too
    except TimeoutError:
        raise AssertionError(f"the connection was still open after {deadline} s") from None
    return time.monotonic() - began


def headers(count: int, size: int = 10) -> bytes:
    return b"".join(b"X-Field-%d: %s\r\n" % (n, b"v" * size) for n in range(count))


def test_a_head_within_the_limits_is_served(server: Server) -> None:
    # Host and 18 more fields: 19 of 20; a 3 KiB header value: within 4 KiB.
    with server.connect() as sock:
        sock.sendall(REQUEST + headers(MAX_HEADERS - 2) + b"X-Big: " + b"a" * 3000 + b"\r\n\r\n")
        assert status_of(sock) == 200
        # The same head in pieces: counted once, not once per read.
        for piece in (REQUEST, b"X-Big: " + b"a" * 1500, b"a" * 1500, b"\r\n\r\n"):
            sock.sendall(piece)
        assert status_of(sock) == 200
        # A body far larger than the head limit, sent with its head, and a second request
        # pipelined behind it: the body is not counted as head (401: no token, but read).
        body = b"{}" + b" " * 65536
        post = b"POST /api/v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        post += b"Content-Type: application/json\r\n"
        sock.sendall(post + b"Content-Length: %d\r\n\r\n" % len(body) + body + REQUEST + b"\r\n")
        assert status_of(sock) == 401
        assert status_of(sock) == 200


def test_an_oversized_header_is_431_and_the_connection_closed(
    server: Server, figures: Figures
) -> None:
    for size in (MAX_HEADER_BYTES + 1, 8 * MIB):
        with server.connect() as sock:
            sock.sendall(REQUEST + b"X-Big: " + b"a" * size + b"\r\n\r\n")
            assert status_of(sock) == 431, size
            closed_after(sock)
    figures.record("head limit", MAX_HEADER_BYTES, "bytes")
    figures.record("largest header refused", 8 * MIB, "bytes")


def test_too_many_headers_is_431(server: Server, figures: Figures) -> None:
    for count in (MAX_HEADERS, 200_000):  # Host plus these: one field over, and far over
        with server.connect() as sock:
            # Refused mid-send: the answer is already waiting to be read.
            with suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(REQUEST + headers(count, size=1) + b"\r\n")
            assert status_of(sock) == 431, count
    figures.record("field limit", MAX_HEADERS, "fields")
    figures.record("most fields refused", 200_001, "fields")


def test_heads_that_never_end_and_silent_connections_are_closed_after_the_timeout(
    hurried: Server, figures: Figures
) -> None:
    with ExitStack() as stack:
        began = time.monotonic()
        unfinished = [stack.enter_context(hurried.connect()) for _ in range(50)]
        silent = [stack.enter_context(hurried.connect()) for _ in range(50)]
        for sock in unfinished:
            sock.sendall(REQUEST + b"X-Slow: a")
        waits = [closed_after(sock) for sock in unfinished + silent]
        overall = time.monotonic() - began
    figures.record("header timeout", HEADER_TIMEOUT, "s")
    figures.record("unfinished heads and silent connections", len(waits), "connections")
    figures.record("all closed, after opening them", overall, "s")
    assert overall < HEADER_TIMEOUT + MARGIN


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(
    hurried: Server, figures: Figures
) -> None:
    with hurried.connect() as sock:
        sock.sendall(REQUEST + b"\r\n")
        assert status_of(sock) == 200
        idle = closed_after(sock, KEEPALIVE_TIMEOUT + MARGIN)
    figures.record("keep-alive timeout", KEEPALIVE_TIMEOUT, "s")
    figures.record("idle connection closed after", idle, "s")


def test_connections_over_the_bound_get_503_while_those_within_it_are_served(
    tmp_path: Path, figures: Figures
) -> None:
    # Long timeouts here: the connections within the bound must stay open through the test.
    with (
        caseworks(
            tmp_path,
            max_connections=str(MAX_CONNECTIONS),
            header_timeout_ms="60000",
            keepalive_timeout_ms="60000",
        ) as server,
        ExitStack() as stack,
    ):
        within = [stack.enter_context(server.connect()) for _ in range(MAX_CONNECTIONS)]
        for sock in within:
            sock.sendall(REQUEST + b"\r\n")
        assert [status_of(sock) for sock in within] == [200] * MAX_CONNECTIONS
        over = [stack.enter_context(server.connect()) for _ in range(4)]
        for sock in over:
            sock.sendall(REQUEST + b"\r\n")
        assert [status_of(sock) for sock in over] == [503] * 4
        # The server forgets a connection before its socket closes: once the client sees the
        # close, it no longer counts against the bound.
        for sock in over:
            closed_after(sock)
        for sock in within:  # still open, still served
            sock.sendall(REQUEST + b"\r\n")
        assert [status_of(sock) for sock in within] == [200] * MAX_CONNECTIONS
    figures.record("connection bound", MAX_CONNECTIONS, "connections")
    figures.record("connections over it, each 503", len(over), "connections")


def test_unfinished_huge_heads_are_cut_at_the_limit_and_memory_stays_flat(
    server: Server, figures: Figures
) -> None:
    resident, peak = server.memory_kib("VmRSS"), server.memory_kib("VmHWM")
    statuses: list[int] = []

    def attack() -> None:
        """32 MiB of one header that never ends, sent as fast as the server takes it."""
        with server.connect() as sock:
            sent = 0
            try:
                sock.sendall(REQUEST + b"X-Huge: ")
                while sent < 32 * MIB:
                    sent += sock.send(b"a" * MIB)
            except (BrokenPipeError, ConnectionResetError):
                pass  # cut off by the server: what we want
            try:
                statuses.append(status_of(sock))
            except (AssertionError, ConnectionResetError):
                statuses.append(0)  # the answer was lost to a reset; the cut is what counts

    attackers = [threading.Thread(target=attack) for _ in range(4)]
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join(DEADLINE)
    assert not any(thread.is_alive() for thread in attackers)
    grown, peak_grown = server.memory_kib("VmRSS") - resident, server.memory_kib("VmHWM") - peak
    figures.record("unfinished 32 MiB heads at once", len(attackers), "connections")
    figures.record("of them answered 431", statuses.count(431), "connections")
    figures.record("server resident memory before", resident / 1024, "MB")
    figures.record("growth of resident memory", grown / 1024, "MB")
    figures.record("growth of peak resident memory", peak_grown / 1024, "MB")
    assert 431 in statuses
    assert grown < 4096
    assert peak_grown < 4096


def test_every_worker_process_keeps_the_limits(tmp_path: Path) -> None:
    with caseworks(tmp_path, "--workers", "2", max_header_bytes=str(MAX_HEADER_BYTES)) as server:
        for _ in range(8):  # a fresh connection each, so the kernel hands them to either process
            with server.connect() as sock:
                sock.sendall(REQUEST + b"X-Big: " + b"a" * (MAX_HEADER_BYTES + 1) + b"\r\n\r\n")
                assert status_of(sock) == 431


def test_granian_starts_and_keeps_the_head_limits_it_has(tmp_path: Path) -> None:
    # Granian's head buffer is at least 8 KiB and its field limit a fixed 100 (see docs/design.md).
    settings = {"max_header_bytes": "16384", "header_timeout_ms": str(round(HEADER_TIMEOUT * 1000))}
    with caseworks(tmp_path, "--server", "granian", **settings) as server:
        for head in (b"X-Big: " + b"a" * 16385 + b"\r\n", headers(100)):
            with server.connect() as sock:
                sock.sendall(REQUEST + head + b"\r\n")
                assert status_of(sock) == 431
        with server.connect() as sock:
            sock.sendall(REQUEST + b"X-Slow: a")
            closed_after(sock, HEADER_TIMEOUT + MARGIN)
