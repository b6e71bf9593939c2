"""An export that fails after its first bytes: the status is sent already, so the server aborts
the connection and the client sees a truncated transfer, never a file that looks whole."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from caseworks.db import DatabaseURL
from tests.support.processes import cli_env
from tests.support.servers import serving
from tests.support.tenants import agency_with_admin

ROWS = 300_000  # far more than the socket buffers hold, so the server is mid-stream


async def _many_closed_assignments(url: DatabaseURL, agency_id: str) -> None:
    """ROWS closed assignments of one mentor and one contact, made by the database itself."""
    connection = await asyncpg.connect(url.target)
    try:
        await connection.execute(
            "INSERT INTO mentors (agency_id, id, name, created_at, updated_at)"
            " VALUES ($1, 'mentor_many', 'M', now(), now())",
            agency_id,
        )
        await connection.execute(
            "INSERT INTO contacts (agency_id, id, name, created_at, updated_at)"
            " VALUES ($1, 'contact_many', 'C', now(), now())",
            agency_id,
        )
        await connection.execute(
            "INSERT INTO assignments (agency_id, id, mentor_id, contact_id, status, notes,"
            " assigned_date, closed_date, created_at, updated_at)"
            " SELECT $1, 'assign_m' || lpad(n::text, 7, '0'), 'mentor_many', 'contact_many',"
            " 'closed', 'a note of some length to fill the file', now(), now(), now(), now()"
            " FROM generate_series(1, $2) AS n",
            agency_id,
            ROWS,
        )
    finally:
        await connection.close()


async def _end_the_export_connection(url: DatabaseURL) -> int:
    """Terminate the server's connection holding a transaction open (the export's cursor, idle
    while the server waits for the client to read); polled, since it may be fetching a batch
    at the moment it is first looked for."""
    connection = await asyncpg.connect(url.target)
    try:
        async with asyncio.timeout(10):
            while True:
                ended: int = await connection.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name = 'caseworks'"
                    " AND state LIKE 'idle in transaction%'"
                )
                if ended:
                    return ended
                await asyncio.sleep(0.01)
    finally:
        await connection.close()


def test_an_error_mid_stream_aborts_the_connection(postgresql_url: DatabaseURL) -> None:
    agency_id, token = asyncio.run(agency_with_admin(postgresql_url, "Aborted export"))
    asyncio.run(_many_closed_assignments(postgresql_url, agency_id))
    headers = {"Authorization": f"Bearer {token}"}
    with serving(cli_env(postgresql_url)) as base:
        with httpx.stream(
            "GET", f"{base}/api/v1/assignments?format=csv", headers=headers, timeout=30
        ) as response:
            assert response.status_code == 200
            chunks = response.iter_raw(65_536)
            received = [len(next(chunks))]
            assert asyncio.run(_end_the_export_connection(postgresql_url)) == 1
            with pytest.raises(httpx.RemoteProtocolError):
                received.extend(len(chunk) for chunk in chunks)
        assert sum(received) < ROWS * 80  # far from the whole file
        # The server goes on serving.
        assert httpx.get(f"{base}/api/v1/mentors", headers=headers).status_code == 200
