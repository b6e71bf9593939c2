"""`caseworks worker` and `caseworks serve` deliver queued mail as real processes."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx

import caseworks.db.migrate as migrations
from caseworks.auth.agencies import create_agency
from caseworks.core.timestamps import utc_now
from caseworks.db import DatabaseURL, open_database
from tests.support.mail import SMTPServer, outbox_row, queue
from tests.support.servers import CASEWORKS, free_port, serving_async


async def queued_database(path: Path) -> tuple[str, str]:
    url = DatabaseURL.parse(f"sqlite:///{path}")
    migrations.upgrade(url)
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            agency = await create_agency(tx, "Processes")
        [message_id] = await queue(db, agency, utc_now())  # the processes use the real clock
    finally:
        await db.close()
    return f"sqlite:///{path}", message_id


async def run_until_delivered(smtp: SMTPServer, env: dict[str, str], *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        CASEWORKS, *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        await asyncio.wait_for(smtp.inbox.arrived.wait(), 30)
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    assert process.returncode in (0, -15), stderr.decode()


async def test_the_worker_command_delivers_and_stops_cleanly(
    smtp: SMTPServer, tmp_path: Path
) -> None:
    url, message_id = await queued_database(tmp_path / "worker.db")
    env = {**os.environ, "CASEWORKS_DATABASE_URL": url, "CASEWORKS_SMTP_URL": smtp.url}
    await run_until_delivered(smtp, env, "worker")
    assert smtp.inbox.message_ids() == [message_id]


async def test_serve_delivers_mail_by_default(smtp: SMTPServer, tmp_path: Path) -> None:
    url, message_id = await queued_database(tmp_path / "serve.db")
    env = {**os.environ, "CASEWORKS_DATABASE_URL": url, "CASEWORKS_SMTP_URL": smtp.url}
    await run_until_delivered(smtp, env, "serve", "--port", str(free_port()))
    assert smtp.inbox.message_ids() == [message_id]


async def test_serve_with_no_dispatch_leaves_the_outbox_to_workers(
    smtp: SMTPServer, tmp_path: Path
) -> None:
    url, message_id = await queued_database(tmp_path / "quiet.db")
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": url,
        "CASEWORKS_SMTP_URL": smtp.url,
        "CASEWORKS_DISPATCH_POLL_MS": "10",
    }
    quiet = serving_async(env, tmp_path / "quiet.log", "--no-dispatch")
    async with quiet as (base, _), httpx.AsyncClient(base_url=base) as client:
        # A hundred round trips: a dispatcher polling every 10 ms would have sent by now.
        for _ in range(100):
            assert (await client.get("/health")).status_code == 200
    assert smtp.inbox.message_ids() == []
    db = await open_database(DatabaseURL.parse(url))
    try:
        row = await outbox_row(db, message_id)
    finally:
        await db.close()
    assert (row["attempts"], row["sent_at"]) == (0, None)

    await run_until_delivered(smtp, env, "serve", "--port", str(free_port()))
    assert smtp.inbox.message_ids() == [message_id]
