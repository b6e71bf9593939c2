"""`kill -9` in the middle of writes loses nothing that was acknowledged and leaves nothing half
written; mail queued before the crash is delivered after the restart.

A real ``caseworks serve`` takes concurrent writes (worker assignments, each queueing an e-mail,
and mentors) until 30 are acknowledged, then gets SIGKILL. Restarted on the same database with
an SMTP server, it must show every acknowledged write, with its audit event and its outbox row,
and deliver the mail of every acknowledged assignment.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx

from caseworks.db import Database, DatabaseURL
from tests.casework.conftest import JSONAPI, child, child_assignment, worker
from tests.conftest import Tenant
from tests.notify.conftest import SMTPServer, smtp  # noqa: F401 - the fixture
from tests.servers import serving_async
from tests.test_cli import cli_env

PAIRS = 40  # worker i is assigned to child i: each assignment has its own recipient
ACKNOWLEDGED_BEFORE_KILL = 30


async def setup_pairs(tenant: Tenant) -> list[tuple[str, str]]:
    async with tenant.client(tenant.admin_token) as api:
        api.headers["Content-Type"] = JSONAPI
        pairs = []
        for i in range(PAIRS):
            worker_id = await worker(api, email=f"crash{i}@example.org")
            pairs.append((await child(api, **{"last-name": f"Crash {i}"}), worker_id))
    return pairs


class Load:
    """Concurrent writers that note every acknowledged write, until the server dies."""

    def __init__(self, base: str, token: str, pairs: list[tuple[str, str]]) -> None:
        self.base, self.token = base, token
        self.work: list[tuple[str, int, Any]] = [
            ("assignment", i, child_assignment(child_id, worker_id))
            for i, (child_id, worker_id) in enumerate(pairs)
        ] + [("mentor", i, {"name": f"Crash mentor {i}"}) for i in range(PAIRS)]
        random.Random(3).shuffle(self.work)  # both kinds in flight at the kill
        self.assignments: dict[str, int] = {}  # assignment id -> pair index
        self.mentors: set[str] = set()
        self.enough = asyncio.Event()

    async def writer(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.base, headers=headers, timeout=10) as client:
            while self.work:
                kind, index, body = self.work.pop()
                try:
                    if kind == "assignment":
                        response = await client.post(
                            "/api/v1/worker_assignments",
                            json=body,
                            headers={"Content-Type": JSONAPI},
                        )
                    else:
                        response = await client.post("/api/v1/mentors", json=body)
                except httpx.TransportError:
                    return  # the server is gone
                assert response.status_code == 201, response.text
                if kind == "assignment":
                    self.assignments[response.json()["data"][0]["id"]] = index
                else:
                    self.mentors.add(response.json()["mentor_id"])
                if len(self.assignments) + len(self.mentors) >= ACKNOWLEDGED_BEFORE_KILL:
                    self.enough.set()


async def counts(db: Database, agency_id: str) -> dict[str, Any]:
    params = {"agency_id": agency_id}

    async def ids(sql: str) -> set[str]:
        return {row["id"] for row in await db.fetch_all(sql, params)}

    return {
        "assignments": await ids("SELECT id FROM worker_assignments WHERE agency_id = :agency_id"),
        "assignment_events": await ids(
            "SELECT subject_id AS id FROM audit_events WHERE agency_id = :agency_id"
            " AND subject_type = 'worker_assignment' AND action = 'created'"
        ),
        "mentors": await ids("SELECT id FROM mentors WHERE agency_id = :agency_id"),
        "mentor_events": await ids(
            "SELECT subject_id AS id FROM audit_events WHERE agency_id = :agency_id"
            " AND subject_type = 'mentor' AND action = 'created'"
        ),
        "mail": {
            row["recipient"]: row["message_id"]
            for row in await db.fetch_all(
                "SELECT recipient, message_id FROM outbox WHERE agency_id = :agency_id", params
            )
        },
    }


async def test_acknowledged_writes_and_their_mail_survive_kill_9(
    database_url: DatabaseURL,
    tenant: Tenant,
    db: Database,
    smtp: SMTPServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    pairs = await setup_pairs(tenant)
    env = cli_env(database_url) | {"CASEWORKS_MAIL_DIR": str(tmp_path / "mail")}
    log = tmp_path / "serve.log"

    async with serving_async(env, log, "--no-dispatch") as (base, process):
        load = Load(base, tenant.admin_token, pairs)
        writers = [asyncio.create_task(load.writer()) for _ in range(8)]
        await asyncio.wait_for(load.enough.wait(), 60)
        os.kill(process.pid, signal.SIGKILL)
        await process.wait()
        await asyncio.gather(*writers)
    assert process.returncode == -signal.SIGKILL

    found = await counts(db, tenant.agency_id)
    # Every acknowledged write is there; any other row is a write that committed as the server
    # died, before its answer left. Either way each row is whole: its audit event, its mail.
    assert set(load.assignments) <= found["assignments"]
    assert set(load.mentors) <= found["mentors"]
    assert found["assignment_events"] == found["assignments"]
    assert found["mentor_events"] == found["mentors"]
    assert len(found["mail"]) == len(found["assignments"])

    env |= {"CASEWORKS_SMTP_URL": smtp.url, "CASEWORKS_DISPATCH_POLL_MS": "100"}
    async with serving_async(env, log) as (base, _):
        headers = {"Authorization": f"Bearer {tenant.admin_token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers) as client:
            listed = (await client.get("/api/v1/worker_assignments")).json()
            assert listed["meta"]["total-records"] == len(found["assignments"])
            for assignment_id in load.assignments:
                shown = await client.get(f"/api/v1/worker_assignments/{assignment_id}")
                assert shown.status_code == 200
        wanted = set(found["mail"].values())
        for index in load.assignments.values():  # each acknowledged assignment's own mail
            assert f"crash{index}@example.org" in found["mail"]
        deadline = time.monotonic() + 30
        while not wanted <= set(smtp.inbox.message_ids()):
            assert time.monotonic() < deadline, "queued mail was not delivered after the restart"
            smtp.inbox.arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(smtp.inbox.arrived.wait(), 1)
    print(
        f"\ncrash: {len(load.assignments) + len(load.mentors)} writes acknowledged before"
        f" kill -9, {len(found['assignments']) + len(found['mentors'])} rows found whole,"
        f" {len(wanted)} mails delivered after restart"
    )
