"""The console's pages at full size, rendered by the real server with a signed-in session:
the caseload overview (`/`) and the stale worklist (`/stale`), beside the mentoring API's
caseload summary and assignment list, in one run on one database.

    python -m bench.pages --database postgresql [--scale 1.0] [--requests 200]

The data is bench/generate.py's (10,000 mentors, 100,000 contacts, 1,000,000 assignments at
scale 1.0), in a database of its own (``caseworks_bench_pages``, or bench/results/tmp/
pages.db). The server is pinned to one core; one client asks one request at a time, so each
figure is the time of one request alone: median and 99th percentile over ``--requests``
after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from bench.generate import generate
from bench.run import BIN, WORK, Server, url_text
from caseworks.auth.principal import Role
from caseworks.auth.users import create_user
from caseworks.core.timestamps import utc_now
from caseworks.db import DatabaseURL, open_database

EMAIL = "bench-coordinator@bench.example"
PASSWORD = secrets.token_urlsafe(18)  # this run's coordinator only


def prepare(database: str, scale: float) -> tuple[DatabaseURL, dict[str, Any]]:
    if database == "postgresql":
        name = "caseworks_bench_pages"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "--if-exists", "--force", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", name], check=True)
        url = DatabaseURL.parse(f"postgresql://127.0.0.1:5432/{name}")
    else:
        WORK.mkdir(parents=True, exist_ok=True)
        path = WORK / "pages.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = DatabaseURL.parse(f"sqlite:///{path}")
    manifest = asyncio.run(generate(url, scale))
    asyncio.run(_coordinator(url, manifest["agency"]))
    return url, manifest


async def _coordinator(url: DatabaseURL, agency_id: str) -> None:
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            await create_user(
                tx,
                agency_id=agency_id,
                email=EMAIL,
                role=Role.ADMIN,
                now=utc_now(),
                password=PASSWORD,
            )
    finally:
        await db.close()


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/sign-in")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}")
    return client


def timed(client: httpx.Client, path: str, requests: int, warmup: int = 10) -> dict[str, float]:
    for _ in range(warmup):
        client.get(path).raise_for_status()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url, manifest = prepare(args.database, args.scale)
    env = {**os.environ, "CASEWORKS_DATABASE_URL": url_text(url)}
    server = Server("caseworks", [str(BIN / "caseworks"), "serve"], env)
    try:
        server.wait("/health")
        console = signed_in(server.base)
        api = httpx.Client(
            base_url=server.base,
            timeout=30,
            headers={"Authorization": f"Bearer {manifest['token']}"},
        )
        rows = {
            "overview page /": timed(console, "/", args.requests),
            "stale worklist page /stale": timed(console, "/stale", args.requests),
            "waiting worklist page /waiting": timed(console, "/waiting", args.requests),
            "API caseload summary": timed(api, "/api/v1/caseloads/summary", args.requests),
            "API assignment list": timed(api, "/api/v1/assignments", args.requests),
            "API stale list": timed(
                api, "/api/v1/assignments?stale=true&sort=last_contact_date", args.requests
            ),
        }
    finally:
        server.stop()
    counts = manifest["counts"]
    print(f"{args.database}: {counts.get('assignments', 0):,} assignments")
    print("| request | median ms | p99 ms |\n| --- | ---: | ---: |")
    for name, row in rows.items():
        print(f"| {name} | {row['median_ms']} | {row['p99_ms']} |")


if __name__ == "__main__":
    main()
