"""The framework spike: caseworks' own routes on each candidate, each measured back to back with
the raw ASGI app on the same data, and a table of the ratios in bench/results/.

    python -m bench.spike.run [--rounds 2] [--full-get] [--reuse]

Candidates: Starlette with our declaration layer, Litestar 2.x, caseworks on FastAPI with its
fast lane off, and caseworks as it is (fast lane on). Every candidate authenticates with our
token code and cache, calls the same service functions, writes the same orjson bytes and runs
behind our request context. The server under test is pinned to CPU 1, wrk (-t1 -c32) to CPU 0.
Each round measures a candidate and the raw app in turn (the order alternating between rounds),
so each ratio compares two measurements taken seconds apart; the spread is over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.generate import WRITE_POOL, generate, write_manifest
from bench.run import BIN, RESULTS, ROOT, WORK, Endpoint, Server, lua_args, machine, wrk
from caseworks.db import DatabaseURL

CANDIDATES = {
    "Starlette + own layer": "bench.spike.starlette_app:create",
    "Litestar": "bench.spike.litestar_app:create",
    "FastAPI, one path": "bench.spike.fastapi_app:without_fast_lane",
    "caseworks today (fast lane)": "bench.spike.fastapi_app:with_fast_lane",
}
ROUTES = [
    Endpoint("GET assignment by id", "get", "read", 0.6),
    Endpoint("POST assignment", "post_assignment", "write", 0.4),
    Endpoint("GET child worker_assignments", "child_list", "read", 0.6),
]


def prepare(scale: float, reuse: bool) -> tuple[DatabaseURL, dict[str, Any]]:
    label = "spike_" + str(scale).replace(".", "_")
    name = f"caseworks_{label}"
    url = DatabaseURL.parse(f"postgresql://127.0.0.1:5432/{name}")
    manifest_path = WORK / label / "manifest.json"
    if reuse and manifest_path.exists():
        return url, json.loads(manifest_path.read_text())
    subprocess.run(["dropdb", "-h", "127.0.0.1", "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", name], check=True)
    manifest = asyncio.run(generate(url, scale))
    write_manifest(manifest, WORK / label)
    # Fresh tables: vacuum and analyse now, so the autovacuum daemon does not do it mid-run.
    subprocess.run(["psql", "-h", "127.0.0.1", "-q", "-c", "VACUUM ANALYZE", name], check=True)
    return url, manifest


def start(url: DatabaseURL, manifest: dict[str, Any], names: list[str]) -> dict[str, Server]:
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": url.target,
        "CASEWORKS_DISPATCH": "false",  # no mail poller beside any candidate
        "BENCH_AGENCY": manifest["agency"],
        "PYTHONPATH": str(ROOT),
    }
    python = str(BIN / "python")
    servers = {
        name: Server(name, [python, "-m", "bench.spike.serve", CANDIDATES[name]], env)
        for name in names
    }
    raw = [str(BIN / "uvicorn"), "bench.raw_app:app", "--log-level", "warning", "--no-access-log"]
    servers["raw"] = Server("raw", raw, env)
    for server in servers.values():
        server.wait("/health")  # any answer will do: the server is up
    return servers


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def measure(
    routes: list[Endpoint],
    names: list[str],
    servers: dict[str, Server],
    manifest: dict[str, Any],
    rounds: int,
    warmup: float,
    window: float,
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    slots = 2 * 2 * rounds * len(names) + 1
    for route in routes:
        for name in names:  # a first load on every server: caches, statements, pool
            wrk(servers[name].base, warmup, lua_args(route, manifest, 0, slots))
        slot = 1
        pairs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for round_ in range(rounds):
            # Each round takes the candidates in another order, and each pair alternates which
            # side goes first, so a drift in the machine's load favours no candidate.
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                order = [name, "raw"] if round_ % 2 == 0 else ["raw", name]
                measured: dict[str, Any] = {}
                for side in order:
                    # A fresh share of the write pool for every load (see bench.run.lua_args).
                    wrk(servers[side].base, warmup, lua_args(route, manifest, slot, slots))
                    load = lua_args(route, manifest, slot + 1, slots)
                    measured[side] = asdict(wrk(servers[side].base, window, load))
                    slot += 2
                ratio = (
                    measured[name]["requests_per_second"] / measured["raw"]["requests_per_second"]
                )
                pairs[name].append({**measured, "ratio": round(ratio, 3), "load": load_average()})
                print(
                    f"  {route.name} | {name} | round {round_ + 1}:"
                    f" {measured[name]['requests_per_second']:.0f} vs raw"
                    f" {measured['raw']['requests_per_second']:.0f} = {ratio:.1%}"
                    f" (errors {measured[name]['errors']}/{measured['raw']['errors']})",
                    flush=True,
                )
        row: dict[str, Any] = {"target": route.target}
        row |= {name: summary(pairs[name]) for name in names}
        results[route.name] = row
    return results


def summary(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    ratios = [pair["ratio"] for pair in pairs]
    return {
        "requests_per_second": statistics.mean(p["candidate"] for p in _sides(pairs)),
        "raw_requests_per_second": statistics.mean(p["raw"] for p in _sides(pairs)),
        "ratio": statistics.mean(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "p50_ms": statistics.mean(p["p50"] for p in _sides(pairs)),
        "errors": sum(p["errors"] for p in _sides(pairs)),
        "raw_errors": sum(p["raw"]["errors"] for p in pairs),
        "rounds": pairs,
    }


def _sides(pairs: list[dict[str, Any]]) -> list[dict[str, float]]:
    out = []
    for pair in pairs:
        name = next(key for key in pair if key not in ("raw", "ratio", "load"))
        out.append(
            {
                "candidate": pair[name]["requests_per_second"],
                "raw": pair["raw"]["requests_per_second"],
                "p50": pair[name]["p50_ms"],
                "errors": pair[name]["errors"],
            }
        )
    return out


def cpu_probe(url: DatabaseURL, manifest: dict[str, Any], rounds: int) -> dict[str, Any]:
    """bench.spike.cpu for every app, pinned like the servers: CPU µs per request per route."""
    label = "spike_" + str(manifest["scale"]).replace(".", "_")
    env = {
        **os.environ,
        "CASEWORKS_DATABASE_URL": url.target,
        "CASEWORKS_DISPATCH": "false",
        "CASEWORKS_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
    }
    found: dict[str, dict[str, list[float]]] = {}
    for round_ in range(rounds):
        for app in [*CANDIDATES, "raw"]:
            command = ["taskset", "-c", "1", str(BIN / "python"), "-m", "bench.spike.cpu", app]
            command += ["--label", label, "--share", str(round_)]
            output = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            result = json.loads(output.stdout.strip().splitlines()[-1])
            for route in (r.name for r in ROUTES):
                statuses = result[route]["statuses"]
                done = sum(n for status, n in statuses.items() if status.startswith("2"))
                if done < 0.95 * sum(statuses.values()):
                    sys.exit(f"{app} answered {statuses} on {route}: not a measurement")
                found.setdefault(route, {}).setdefault(app, []).append(result[route]["cpu_us"])
            print(f"  cpu {app}: {json.dumps(result)}", flush=True)
    return found


def cpu_table(found: dict[str, dict[str, list[float]]]) -> list[str]:
    lines = [
        "",
        "## CPU per request, in process (bench.spike.cpu)",
        "",
        "The ASGI app called directly, one request after another: process CPU time per request,"
        " which does not count waiting for PostgreSQL or for other work on the machine."
        " Ratio = raw µs ÷ candidate µs (the share of raw throughput a CPU-bound server reaches).",
        "",
        "| route | candidate | µs/request | raw µs | ratio | spread |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for route, apps in found.items():
        raw = statistics.mean(apps["raw"])
        for app, values in apps.items():
            if app == "raw":
                continue
            ratios = [r / v for r, v in zip(apps["raw"], values, strict=True)]
            lines.append(
                f"| {route} | {app} | {statistics.mean(values):,.0f} | {raw:,.0f}"
                f" | {statistics.mean(ratios):.0%} | {min(ratios):.0%}–{max(ratios):.0%} |"
            )
    return lines


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Framework spike: caseworks' routes per candidate, PostgreSQL",
        "",
        f"{m['date']} · commit {m['commit']} · {m['cpu']} · {m['cores']} cores"
        f" · Python {m['python']} · {m['postgresql']} · litestar {report['litestar']}"
        f" · load average {report['load_before']:.2f} before, {report['load_after']:.2f} after",
        "",
        "Server pinned to one core, wrk -t1 -c32 on the other; ratio = candidate ÷ raw ASGI app,"
        f" measured back to back, mean of {report['rounds']} rounds (spread = lowest–highest"
        f" ratio); windows of {report['window']:.0f} s after {report['warmup']:.0f} s warm-up.",
    ]
    for scale, run in report["runs"].items():
        lines += [
            "",
            f"## {run['counts']['assignments']:,} assignments (scale {scale})",
            "",
            "| route | candidate | req/s | raw req/s | ratio | spread | target | p50 ms"
            " | errors (raw) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for route, row in run["routes"].items():
            for name, cell in row.items():
                if name == "target":
                    continue
                verdict = "✓" if cell["ratio"] >= row["target"] else "✗"
                lines.append(
                    f"| {route} | {name} | {cell['requests_per_second']:,.0f}"
                    f" | {cell['raw_requests_per_second']:,.0f} | {cell['ratio']:.0%} {verdict}"
                    f" | {cell['ratio_min']:.0%}–{cell['ratio_max']:.0%}"
                    f" | ≥ {row['target']:.0%} | {cell['p50_ms']:.1f}"
                    f" | {cell['errors']} ({cell['raw_errors']}) |"
                )
    if "cpu" in report:
        lines += cpu_table(report["cpu"])
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--window", type=float, default=5.0)
    parser.add_argument("--full-get", action="store_true", help="GET by id at 1M assignments too")
    parser.add_argument("--reuse", action="store_true", help="keep a database made before")
    parser.add_argument("--only", help="candidates whose name contains this")
    parser.add_argument("--cpu", action="store_true", help="also CPU per request, in process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    try:
        from importlib.metadata import version

        litestar = version("litestar")
    except Exception:
        sys.exit("litestar is needed for the spike: uv pip install litestar==2.25.0")
    names = [name for name in CANDIDATES if not args.only or args.only in name]
    plan = [(args.scale, ROUTES)] + ([(1.0, ROUTES[:1])] if args.full_get else [])
    # Each load takes a fresh share of the write pool: its span must cover a load's writes.
    if WRITE_POOL // (2 * 2 * args.rounds * len(names) + 1) < 2000:
        sys.exit("too many rounds for the write pool")
    WORK.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "machine": machine(),
        "litestar": litestar,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "window": args.window,
        "load_before": load_average(),
        "runs": {},
    }
    for scale, routes in plan:
        print(f"scale {scale}: preparing", flush=True)
        # The small data is made anew (creates used up its write pool); the large may be kept.
        url, manifest = prepare(scale, args.reuse and scale == 1.0)
        servers = start(url, manifest, names)
        try:
            results = measure(
                routes, names, servers, manifest, args.rounds, args.warmup, args.window
            )
        finally:
            for server in servers.values():
                server.stop()
        report["runs"][str(scale)] = {"counts": manifest["counts"], "routes": results}
        if scale == args.scale and args.cpu:
            report["cpu"] = cpu_probe(url, manifest, args.rounds)
    report["load_after"] = load_average()
    stamp = report["machine"]["date"].replace(":", "").replace("-", "")
    (RESULTS / f"{stamp}-spike-postgresql.json").write_text(json.dumps(report, indent=2))
    (RESULTS / f"{stamp}-spike-postgresql.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
