"""What a real server writes to its log: a line per request with its request id, and never a
token, a request body or a personal field."""

from __future__ import annotations

import io
import logging
import re
import socket
import sys
from pathlib import Path

import httpx
import pytest

from caseworks.core.logs import LINE_FORMAT, AccessLog, BatchingStreamHandler, UTCFormatter
from caseworks.db import DatabaseURL
from tests.support.childwelfare import JSONAPI
from tests.support.figures import Figures
from tests.support.processes import cli_env
from tests.support.servers import serving
from tests.support.tenants import Tenant

SECRET_NAME = "Solveig Secretsdottir"
SECRET_EMAIL = "solveig.secret@example.org"
SECRET_NOTES = "lives with grandmother since March"


def drive(base: str, token: str) -> list[httpx.Response]:
    """A working session that carries personal data in bodies, answers and query strings."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth, timeout=10) as client:
        mentor = client.post("/api/v1/mentors", json={"name": SECRET_NAME, "email": SECRET_EMAIL})
        contact = client.post("/api/v1/contacts", json={"name": SECRET_NAME})
        assignment = client.post(
            "/api/v1/assignments",
            json={
                "mentor_id": mentor.json()["mentor_id"],
                "contact_id": contact.json()["contact_id"],
                "notes": SECRET_NOTES,
            },
        )
        child = client.post(
            "/api/v1/children",
            json={"data": {"type": "children", "attributes": {"last-name": SECRET_NAME}}},
            headers={"Content-Type": JSONAPI},
        )
        responses = [mentor, contact, assignment, child]
        responses.append(client.get(f"/api/v1/assignments/{assignment.json()['assignment_id']}"))
        responses.append(client.get("/api/v1/children", params={"full_name_contains": "Solveig"}))
        responses.append(client.get("/api/v1/mentors", headers={"X-Request-ID": "chosen-id-1"}))
        responses.append(client.get("/api/v1/mentors", headers={"Authorization": "Bearer wrong"}))
        responses.append(client.post("/api/v1/mentors", json={"name": SECRET_NAME, "x": 1}))
    return responses


def test_log_lines_carry_request_ids_and_no_secrets(
    database_url: DatabaseURL, tenant: Tenant, tmp_path: Path, figures: Figures
) -> None:
    log = tmp_path / "serve.log"
    with serving(cli_env(database_url), "--no-dispatch", log=log) as base:
        responses = drive(base, tenant.admin_token)
    text = log.read_text()

    statuses = [response.status_code for response in responses]
    assert statuses == [201, 201, 201, 201, 200, 200, 200, 401, 422]
    for response in responses:
        request_id = response.headers["X-Request-ID"]
        line = next(line for line in text.splitlines() if f"request_id={request_id}" in line)
        assert re.search(rf" {response.status_code} [0-9.]+ms ", line), line
    assert responses[6].headers["X-Request-ID"] == "chosen-id-1"

    for secret in (
        tenant.admin_token,
        "Bearer",
        SECRET_NAME,
        "Solveig",
        SECRET_EMAIL,
        SECRET_NOTES,
    ):
        assert secret not in text, f"{secret!r} is in the log"
    figures.record("requests, each found in the log by its id", len(responses), "requests")


FORGED_LINE = "2026-01-01T00:00:00.000Z INFO caseworks.access: GET /api/v1/mentors 200 1.0ms"
# Sent percent-encoded, as a client may; the server decodes them before our access log sees them.
HOSTILE_PATHS = {
    "crlf": ("/api/v1/mentors%0D%0A" + FORGED_LINE.replace(" ", "%20"), "\\x0d\\x0a" + FORGED_LINE),
    "esc": ("/api/v1/%1B[31mred", "\\x1b[31mred"),
    "nul": ("/api/v1/a%00b", "a\\x00b"),
    "nel": ("/api/v1/a%C2%85b", "a\\x85b"),
    "line-separator": ("/api/v1/a%E2%80%A8b", "a\\u2028b"),
    "bidi-override": ("/api/v1/a%E2%80%AEb", "a\\u202eb"),
    "backslash": ("/api/v1/a%5Cx0ab", "a\\\\x0ab"),
}


def raw_request(base: str, request: bytes) -> bytes:
    host, _, port = base.removeprefix("http://").partition(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        return sock.recv(65536)


def test_control_characters_from_a_request_are_escaped_in_the_log(
    sqlite_url: DatabaseURL, tmp_path: Path, figures: Figures
) -> None:
    log = tmp_path / "serve.log"
    with serving(cli_env(sqlite_url), "--no-dispatch", log=log) as base:
        with httpx.Client(base_url=base, timeout=10) as client:
            for name, (path, _) in HOSTILE_PATHS.items():
                response = client.get(path, headers={"X-Request-ID": f"hostile-{name}"})
                assert response.status_code in (401, 404), (name, response.status_code)
        # A method with an ESC byte, on a raw socket: refused by the server or logged escaped.
        answer = raw_request(base, b"G\x1bET /api/v1/mentors HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 4"), answer
    text = log.read_text()

    lines = text.splitlines()  # splits at \r, \x85 and \u2028 too: a forged line would show
    for name, (_, escaped) in HOSTILE_PATHS.items():
        matching = [line for line in lines if f"request_id=hostile-{name}" in line]
        assert len(matching) == 1, (name, matching)
        assert " GET /api/v1/" in matching[0], matching[0]
        assert f"{escaped} 40" in matching[0], matching[0]
    assert not any(line.startswith(FORGED_LINE[:24]) for line in lines)
    for raw in ("\r", "\x1b", "\x00", "\x85", "\u2028", "\u202e"):
        assert raw not in text, f"{raw!r} reached the log"
    figures.record("hostile paths, each one escaped line", len(HOSTILE_PATHS), "paths")


def test_an_exception_message_cannot_start_a_line_of_its_own() -> None:
    formatter = UTCFormatter("%(levelname)s %(name)s: %(message)s")
    try:
        raise ValueError("bad\n" + FORGED_LINE + "\x1b[2J")
    except ValueError:
        record = logging.LogRecord(
            "caseworks", logging.ERROR, __file__, 1, "failed %s", ("a\rb",), sys.exc_info()
        )
    lines = formatter.format(record).split("\n")
    assert lines[0] == "ERROR caseworks: failed a\\x0db"
    assert all(line.startswith("  ") for line in lines[1:]), lines
    assert "\x1b" not in "".join(lines)


def test_an_access_line_written_directly_reads_as_the_formatter_writes_it() -> None:
    """The access log's direct line and a record through the logging machinery are one line."""
    stream = io.StringIO()
    formatter = UTCFormatter(LINE_FORMAT)
    direct = BatchingStreamHandler(stream, interval=3600)
    direct.setFormatter(formatter)
    logger = logging.getLogger("caseworks.access.direct-test")
    logger.propagate, logger.handlers = False, [direct]
    logger.setLevel(logging.INFO)
    AccessLog(logger).request("GET", "/api/v1/x\x1b[2J\u2028y", 200, 1.25, "req-1")
    direct.flush()
    record = logging.LogRecord(
        logger.name, logging.INFO, "", 0, "%s %s %d %.1fms request_id=%s", None, None
    )
    record.args = ("GET", "/api/v1/x\x1b[2J\u2028y", 200, 1.25, "req-1")
    expected = formatter.format(record).split(" ", 1)[1]  # all but the time
    (line,) = stream.getvalue().splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line.split(" ", 1)[0])
    assert line.split(" ", 1)[1] == expected
    message = "GET /api/v1/x\\x1b[2J\\u2028y 200 1.2ms request_id=req-1"
    assert expected == f"INFO caseworks.access.direct-test: {message}"


def test_an_access_line_goes_through_logging_where_logging_is_configured_otherwise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("caseworks.access.captured-test")
    with caplog.at_level(logging.INFO, logger.name):
        AccessLog(logger).request("GET", "/health", 200, 0.5, "req-2")
    assert [record.getMessage() for record in caplog.records] == [
        "GET /health 200 0.5ms request_id=req-2"
    ]
