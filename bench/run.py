"""Run the benchmark end to end: generate data, start caseworks and the raw baseline, load each
endpoint with wrk, and write a report to bench/results/ (Markdown and JSON).

    python -m bench.run --database postgresql [--quick]
    python -m bench.run --database sqlite [--quick]

The server under test is pinned to CPU 1 and wrk (one thread, 32 connections) to CPU 0. For each
endpoint caseworks and the raw app are loaded back to back, so each ratio compares two
measurements taken moments apart on the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.generate import WRITE_POOL, generate, write_manifest
from caseworks.db import DatabaseURL

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "tmp"
LUA = ROOT / "bench" / "lua" / "caseworks.lua"
BIN = Path(sys.executable).parent
SERVER_CPU, LOAD_CPU = "1", "0"


@dataclass(frozen=True)
class Endpoint:
    name: str
    mode: str
    kind: str  # "read" or "write"
    target: float  # share of the raw app's requests/s to reach
    raw: bool = True  # measured against the raw app too
    # wrk's request timeout: an aggregate over the whole agency served to 32 connections at once
    # waits longer than wrk's 2 s on one core, which is queueing, not a failure.
    timeout_seconds: int = 2
    # Connections wrk keeps open: an agency-wide figure is asked by a coordinator's page now and
    # then, not by 32 clients at once (at 1M rows 32 of them queue past any timeout).
    connections: int = 32
    # Reads the whole agency (an aggregate): its cost grows with the data by nature, so it has
    # no growth target, only its ratio to the raw app.
    aggregate: bool = False


MENTORING = [
    Endpoint("GET assignment by id", "get", "read", 0.6),
    Endpoint("GET assignments page", "list", "read", 0.6),
    Endpoint("GET assignments page, mentor_id filter", "list_mentor", "read", 0.6),
    Endpoint("GET mentor active", "active", "read", 0.6),
    Endpoint("GET mentor history", "history", "read", 0.6),
    Endpoint("GET mentor open-count", "open-count", "read", 0.6),
    Endpoint("POST assignment", "post_assignment", "write", 0.4),
    # Before the status changes: those leave some of the open assignments it moves closed.
    Endpoint("POST reassign", "reassign", "write", 0.4),
    Endpoint("PATCH assignment status", "patch_status", "write", 0.4),
    Endpoint(
        "GET caseloads summary",
        "caseload_summary",
        "read",
        0.5,
        timeout_seconds=30,
        connections=2,
        aggregate=True,
    ),
    Endpoint("GET caseloads mentors page", "caseload_mentors", "read", 0.5, timeout_seconds=30),
]
CASEWORK = [
    Endpoint("GET worker assignment (JSON:API)", "wa_show", "read", 0.6),
    Endpoint("GET child worker_assignments", "child_list", "read", 0.6),
    Endpoint("GET worker_assignments page, default includes", "wa_list", "read", 0.6),
    Endpoint("GET children by client_id", "child_by_client_id", "read", 0.6),
    Endpoint("POST worker assignment, 201", "post_wa_new", "write", 0.4),
    Endpoint("POST worker assignment, 200 no-op", "post_wa_noop", "write", 0.4),
]


@dataclass
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.process = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, *command, "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, probe: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                httpx.get(self.base + probe, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        return round(int(match.group(1)) / 1024, 1) if match else 0.0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(
    url: str, seconds: float, args: list[str], timeout: int = 2, connections: int = 32
) -> Measurement:
    command = [
        "taskset",
        "-c",
        LOAD_CPU,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{int(seconds)}s",
        f"--timeout={timeout}s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        *args,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    stats = json.loads(line.removeprefix("BENCH "))
    statuses = {key: stats[key] for key in ("c200", "c201", "c4xx", "c5xx")}
    errors = stats["socket_errors"] + stats["c4xx"] + stats["c5xx"]
    return Measurement(
        round(stats["requests"] / stats["seconds"], 1),
        stats["p50_ms"],
        stats["p99_ms"],
        errors,
        statuses,
    )


def lua_args(endpoint: Endpoint, manifest: dict[str, Any], slot: int, slots: int = 4) -> list[str]:
    """Write endpoints take one of ``slots`` shares of their pool per load (a quarter here: side,
    warm-up or measured), so every load writes rows no other load touched."""
    shape = manifest["shape"]
    on_open = endpoint.mode in ("patch_status", "reassign")  # the open assignments, by index
    pool = shape["assignments"] // 7 if on_open else WRITE_POOL
    span = pool // slots
    base = {
        "post_assignment": shape["contacts"],
        "post_wa_new": shape["children"],
    }.get(endpoint.mode, 0) + slot * span
    return [
        endpoint.mode,
        manifest["token"],
        str(shape["mentors"]),
        str(shape["assignments"]),
        str(shape["contacts"]),
        str(base),
        str(span),
        str(shape["children"]),
        str(shape["workers"]),
        str(shape["applications"]),
    ]


def target_for(endpoint: Endpoint, database: str) -> float:
    """Reads on the embedded SQLite default aim at 45 % of raw sqlite3, not 60 %."""
    if database == "sqlite" and endpoint.kind == "read":
        return 0.45
    return endpoint.target


def measure(
    database: str,
    endpoints: list[Endpoint],
    servers: list[Server],
    manifest: dict[str, Any],
    warmup: float,
    window: float,
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        row: dict[str, Any] = {
            "kind": endpoint.kind,
            "target": target_for(endpoint, database),
            "aggregate": endpoint.aggregate,
        }
        for side, server in enumerate(servers):
            if server.name == "raw" and not endpoint.raw:
                continue
            timeout, connections = endpoint.timeout_seconds, endpoint.connections
            args = lua_args(endpoint, manifest, 2 * side)
            wrk(server.base, warmup, args, timeout, connections)
            args = lua_args(endpoint, manifest, 2 * side + 1)
            measured = wrk(server.base, window, args, timeout, connections)
            row[server.name] = asdict(measured)
        if "raw" in row:
            if row["raw"]["errors"] or not row["raw"]["requests_per_second"]:
                raise RuntimeError(f"the raw app failed on {endpoint.name}: {row['raw']}")
            row["ratio"] = round(
                row["caseworks"]["requests_per_second"] / row["raw"]["requests_per_second"], 3
            )
        results[endpoint.name] = row
        print(f"  {endpoint.name}: {json.dumps(row)}", flush=True)
    return results


def prepare(database: str, scale: float) -> tuple[DatabaseURL, dict[str, Any]]:
    label = str(scale).replace(".", "_")
    if database == "postgresql":
        name = f"caseworks_bench_{label}"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "--if-exists", "--force", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", name], check=True)
        url = DatabaseURL.parse(f"postgresql://127.0.0.1:5432/{name}")
    else:
        path = WORK / f"bench_{label}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = DatabaseURL.parse(f"sqlite:///{path}")
    manifest = asyncio.run(generate(url, scale))
    write_manifest(manifest, WORK / label)
    return url, manifest


def url_text(url: DatabaseURL) -> str:
    return f"sqlite:///{url.target}" if url.dialect == "sqlite" else url.target


def start_servers(url: DatabaseURL, manifest: dict[str, Any], server: str) -> list[Server]:
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": url_text(url),
        "BENCH_AGENCY": manifest["agency"],
    }
    ours_command = [str(BIN / "caseworks"), "serve", "--server", server]
    raw_command = (
        [str(BIN / "granian"), "--interface", "asgi", "--log-level", "warning", "bench.raw_app:app"]
        if server == "granian"
        else [
            str(BIN / "uvicorn"),
            "bench.raw_app:app",
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    servers = [
        Server("caseworks", ours_command, env),
        Server("raw", raw_command, {**env, "PYTHONPATH": str(ROOT)}),
    ]
    for running in servers:
        running.wait("/health")
    return servers


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else cpu
    versions = {}
    for package in ("fastapi", "starlette", "uvicorn", "granian", "asyncpg", "orjson", "pydantic"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: S112 - a package may be absent
            continue
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": postgres.stdout.strip(),
        "packages": versions,
        "commit": commit,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--quick", action="store_true", help="small data, short windows (~3 min)")
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--mentoring-only", action="store_true")
    parser.add_argument(
        "--only",
        help="measure only endpoints whose name contains this (several: separated by commas)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    WORK.mkdir(parents=True, exist_ok=True)
    scales = [0.01] if args.quick else [0.01, 1.0]
    warmup, window = (1.0, 4.0) if args.quick else (3.0, 10.0)
    endpoints = MENTORING if args.mentoring_only else MENTORING + CASEWORK
    if args.only:
        wanted = [part for part in args.only.split(",") if part]
        endpoints = [e for e in endpoints if any(part in e.name for part in wanted)]
    report: dict[str, Any] = {
        "machine": machine(),
        "database": args.database,
        "server": args.server,
        "quick": args.quick,
        "runs": {},
    }
    for scale in scales:
        print(f"scale {scale}: generating", flush=True)
        url, manifest = prepare(args.database, scale)
        servers = start_servers(url, manifest, args.server)
        try:
            results = measure(args.database, endpoints, servers, manifest, warmup, window)
            rss = servers[0].rss_mb()
        finally:
            for server in servers:
                server.stop()
        report["runs"][str(scale)] = {
            "counts": manifest["counts"],
            "endpoints": results,
            "caseworks_rss_mb": rss,
        }
    write_report(report)


def write_report(report: dict[str, Any]) -> None:
    stamp = report["machine"]["date"].replace(":", "").replace("-", "")
    name = f"{stamp}-{report['database']}-{report['server']}{'-quick' if report['quick'] else ''}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    (RESULTS / f"{name}.md").write_text(markdown(report))
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# Benchmark: {report['database']}, {report['server']}"
        f"{' (quick)' if report['quick'] else ''}",
        "",
        f"{m['date']} · commit {m['commit']} · {m['cpu']} · {m['cores']} cores"
        f" · Python {m['python']}"
        f" · {m['postgresql']}",
        "",
        "Server pinned to one core, wrk -t1 -c32 on the other (the caseload summary with -c2:"
        " an agency-wide figure a coordinator's page asks for now and then). Ratio = caseworks"
        " ÷ raw ASGI app running the same SQL, measured back to back.",
    ]
    scales = sorted(report["runs"], key=float)
    for scale in scales:
        run = report["runs"][scale]
        counts = run["counts"]
        lines += [
            "",
            f"## {counts.get('assignments', 0):,} assignments (scale {scale})",
            "",
            "| endpoint | caseworks req/s | raw req/s | ratio | target | p50 ms | p99 ms"
            " | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in run["endpoints"].items():
            ours = row["caseworks"]
            raw = row.get("raw", {})
            ratio = row.get("ratio")
            verdict = "" if ratio is None else (" ✓" if ratio >= row["target"] else " ✗")
            lines.append(
                f"| {name} | {ours['requests_per_second']:,.0f} | "
                f"{raw.get('requests_per_second', 0):,.0f} | "
                f"{'' if ratio is None else f'{ratio:.0%}'}{verdict} | ≥ {row['target']:.0%} | "
                f"{ours['p50_ms']:.1f} | {ours['p99_ms']:.1f} | {ours['errors']} |"
            )
        lines += ["", f"caseworks resident memory after the run: {run['caseworks_rss_mb']} MB"]
    if len(scales) > 1:
        small, large = report["runs"][scales[0]], report["runs"][scales[-1]]
        lines += [
            "",
            "## Growth",
            "",
            "| endpoint | req/s at small | req/s at large | kept | target |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, row in large["endpoints"].items():
            if row["kind"] != "read" or name not in small["endpoints"]:
                continue
            before = small["endpoints"][name]["caseworks"]["requests_per_second"]
            after = row["caseworks"]["requests_per_second"]
            kept = after / before if before else 0
            if row.get("aggregate"):  # the whole agency's figures: more data, more work
                lines.append(f"| {name} | {before:,.0f} | {after:,.0f} | {kept:.0%} | none |")
                continue
            lines.append(
                f"| {name} | {before:,.0f} | {after:,.0f} | {kept:.0%}"
                f"{' ✓' if kept >= 0.8 else ' ✗'}"
                " | ≥ 80% |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
