"""Two ``caseworks serve`` processes and two ``caseworks worker`` dispatchers on one PostgreSQL:
under concurrent load spread over both servers, limits hold, no row is made twice, and every
message is sent exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from contextlib import AsyncExitStack, suppress
from pathlib import Path

import httpx

from caseworks.db import Database, DatabaseURL, open_database
from tests.casework.conftest import JSONAPI, child, child_assignment, worker
from tests.conftest import agency_with_admin
from tests.notify.conftest import SMTPServer, smtp  # noqa: F401 - the fixture
from tests.servers import dispatching, serving_async
from tests.test_cli import cli_env


async def outbox(db: Database, agency_id: str) -> tuple[int, int]:
    row = await db.fetch_one(
        "SELECT count(*) AS queued, count(sent_at) AS sent FROM outbox WHERE agency_id = :a",
        {"a": agency_id},
    )
    assert row is not None
    return int(row["queued"]), int(row["sent"])


async def test_two_servers_and_two_dispatchers_keep_every_guarantee(
    postgresql_url: DatabaseURL,
    smtp: SMTPServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    agency_id, token = await agency_with_admin(postgresql_url, "Scale-out")
    env = cli_env(postgresql_url) | {
        "CASEWORKS_MAIL_DIR": str(tmp_path / "mail"),
        "CASEWORKS_SMTP_URL": smtp.url,
        "CASEWORKS_DISPATCH_POLL_MS": "50",
    }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": JSONAPI}
    async with AsyncExitStack() as stack:
        bases = [
            (
                await stack.enter_async_context(
                    serving_async(env, tmp_path / f"s{n}.log", "--no-dispatch")
                )
            )[0]
            for n in range(2)
        ]
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=b, headers=headers))
            for b in bases
        ]
        one, two = clients

        # The same assignment asked for 50 times over both servers: made once.
        same_child, same_worker = await child(one), await worker(one, email="same@example.org")
        body = child_assignment(same_child, same_worker)
        same = await asyncio.gather(
            *(clients[n % 2].post("/api/v1/worker_assignments", json=body) for n in range(50))
        )
        assert sorted(r.status_code for r in same) == [200] * 49 + [201]

        # Ten workers for a child that takes three: exactly three, whichever server answers.
        crowded = await child(two)
        crowd = [await worker(two, email=f"crowd{n}@example.org") for n in range(10)]
        limited = await asyncio.gather(
            *(
                clients[n % 2].post(
                    "/api/v1/worker_assignments", json=child_assignment(crowded, worker_id)
                )
                for n, worker_id in enumerate(crowd)
            )
        )
        assert sorted(r.status_code for r in limited) == [201] * 3 + [422] * 7

        # Twenty more, all distinct, while both dispatchers send.
        pairs = [
            (await child(one), await worker(two, email=f"many{n}@example.org")) for n in range(20)
        ]
        for n in range(2):
            await stack.enter_async_context(dispatching(env, tmp_path / f"w{n}.log"))
        many = await asyncio.gather(
            *(
                clients[n % 2].post("/api/v1/worker_assignments", json=child_assignment(c, w))
                for n, (c, w) in enumerate(pairs)
            )
        )
        assert {r.status_code for r in many} == {201}

        db = await open_database(postgresql_url)
        try:
            queued, sent = await outbox(db, agency_id)
            assert queued == 1 + 3 + 20
            deadline = time.monotonic() + 30
            while sent < queued:
                assert time.monotonic() < deadline, f"{sent} of {queued} sent"
                smtp.inbox.arrived.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(smtp.inbox.arrived.wait(), 1)
                queued, sent = await outbox(db, agency_id)
            ours = {
                row["message_id"]
                for row in await db.fetch_all(
                    "SELECT message_id FROM outbox WHERE agency_id = :a", {"a": agency_id}
                )
            }
            duplicates = await db.fetch_value(
                "SELECT count(*) FROM (SELECT child_id, worker_id FROM worker_assignments"
                " WHERE agency_id = :a GROUP BY child_id, worker_id HAVING count(*) > 1) d",
                {"a": agency_id},
            )
        finally:
            await db.close()
    assert duplicates == 0
    # The dispatchers serve the whole database, so other tests' mail arrives too: none twice.
    delivered = Counter(smtp.inbox.message_ids())
    assert ours <= set(delivered)
    assert max(delivered.values()) == 1, "a message was sent twice"
    print(
        f"\nscale-out: {len(same) + len(limited) + len(many)} creates over 2 servers,"
        f" {queued} messages sent once each by 2 dispatchers"
    )
