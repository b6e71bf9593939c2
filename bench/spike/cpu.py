"""CPU time per request of each candidate, in process: the ASGI app called directly, one request
after another, on the spike's data (python -m bench.spike.cpu, after bench.spike.run made it).

Complements the wrk figures: process CPU time does not count the time spent waiting for
PostgreSQL or for other work on the machine, so it is steady under load. No server, no sockets:
it measures the framework, our request context and the service call, not uvicorn.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import time
from collections.abc import Callable
from typing import Any

from bench.run import WORK

APPS = {
    "Starlette + own layer": "bench.spike.starlette_app:create",
    "Litestar": "bench.spike.litestar_app:create",
    "FastAPI, one path": "bench.spike.fastapi_app:without_fast_lane",
    "caseworks today (fast lane)": "bench.spike.fastapi_app:with_fast_lane",
    "raw": "bench.raw_app:app",
}


def load(target: str) -> Any:
    module, name = target.split(":")
    found = getattr(importlib.import_module(module), name)
    return found if name == "app" else found()


def requests(
    manifest: dict[str, Any], share: int
) -> dict[str, Callable[[int], tuple[str, str, bytes]]]:
    shape = manifest["shape"]
    # Creates take contacts from the end of the write pool, a share of its own per app, so no
    # create meets an open assignment an earlier one made.
    last = shape["contacts"] + manifest["write_pool"] - 1 - share

    def create(i: int) -> tuple[str, str, bytes]:
        mentor, contact = i % shape["mentors"], last - i
        body = f'{{"mentor_id":"mentor_b{mentor:07d}","contact_id":"contact_b{contact:07d}"}}'
        return "POST", "/api/v1/assignments", body.encode()

    def child_list(i: int) -> tuple[str, str, bytes]:
        child = i % shape["children"]
        return "GET", f"/api/v1/children/child_b{child:07d}/relationships/worker_assignments", b""

    return {
        "GET assignment by id": lambda i: (
            "GET",
            f"/api/v1/assignments/assign_b{i % shape['assignments']:08d}",
            b"",
        ),
        "POST assignment": create,
        "GET child worker_assignments": child_list,
    }


async def run(
    app: Any, manifest: dict[str, Any], count: int, share: int
) -> dict[str, dict[str, Any]]:
    lifespan: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()

    async def lifespan_send(message: dict[str, Any]) -> None:
        started.set()

    await lifespan.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            lifespan.get,
            lifespan_send,
        )
    )
    await asyncio.wait_for(started.wait(), 30)
    auth = f"Bearer {manifest['token']}".encode()
    offset = 0
    results = {}
    for route, build in requests(manifest, share).items():
        statuses: dict[int, int] = {}

        async def one(i: int, build: Any = build, statuses: dict[int, int] = statuses) -> None:
            method, path, body = build(i)
            headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", auth)]
            if body:
                headers += [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": method,
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "query_string": b"",
                "root_path": "",
                "headers": headers,
                "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 8000),
                "state": {},
            }

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    statuses[message["status"]] = statuses.get(message["status"], 0) + 1

            try:
                await app(scope, receive, send)
            except Exception:  # the raw app has no error handling: a lost race is a 500
                statuses[500] = statuses.get(500, 0) + 1

        for i in range(count // 10):  # warm-up: caches, prepared statements, pool
            await one(offset + i)
        offset += count // 10
        statuses.clear()
        began = time.process_time()
        for i in range(count):
            await one(offset + i)
        offset += count
        results[route] = {
            "cpu_us": round((time.process_time() - began) / count * 1e6, 1),
            "statuses": statuses,
        }
    await lifespan.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(task, 30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", choices=list(APPS))
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--label", default="spike_0_01")
    parser.add_argument("--share", type=int, default=0, help="which round: fresh contacts each")
    args = parser.parse_args()
    manifest = json.loads((WORK / args.label / "manifest.json").read_text())
    os.environ["BENCH_AGENCY"] = manifest["agency"]
    # The creates of one run take about 1.1 × count contacts; each (round, app) its own span.
    share = (args.share * len(APPS) + list(APPS).index(args.app)) * (args.count * 11 // 10 + 1)
    results = asyncio.run(run(load(APPS[args.app]), manifest, args.count, share))
    print(json.dumps({"app": args.app, **results}))


if __name__ == "__main__":
    main()
