"""What a real server writes to its log: a line per request with its request id, and never a
token, a request body or a personal field."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from caseworks.db import DatabaseURL
from tests.casework.conftest import JSONAPI
from tests.conftest import Tenant
from tests.servers import serving
from tests.test_cli import cli_env

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
    database_url: DatabaseURL, tenant: Tenant, tmp_path: Path
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
