"""Export speed: stream every assignment of the benchmark's large agency as CSV from a real
``caseworks serve`` process, counting rows and sampling the server's memory during the transfer.

    python -m bench.export --database postgresql --rows 1000000
    python -m bench.export --database sqlite --rows 1000000 [--reuse]

The data is bench/generate.py's (``--rows`` assignments: its scale is rows / 1,000,000, so the
other records grow with it). The server is pinned to one core (CPU 1) as in bench/run.py; the
client reads on the other. Peak RSS is the highest ``VmRSS`` of the server process, sampled every
20 ms from before the request to the last byte; a flat line (peak close to the RSS before the
export) is what constant memory looks like. The report goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.generate import mentor_id, write_manifest
from bench.run import BIN, RESULTS, WORK, Server, machine, prepare, url_text
from caseworks.db import DatabaseURL

TARGET_ROWS_PER_SECOND = 100_000
SAMPLE_SECONDS = 0.02


@dataclass
class ExportRun:
    database: str
    rows: int
    megabytes: float
    seconds: float
    rows_per_second: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    first_byte_ms: float
    server_cpu_seconds: float  # user + system time of the server process during the export
    rows_per_cpu_second: float  # the figure a busy machine disturbs least
    load_average: float  # of the machine, over the minute before the end


class MemorySampler:
    """The highest RSS of a process, read from /proc every SAMPLE_SECONDS on a thread."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = server.rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, self.server.rss_mb())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_mb())


def stream(base: str, token: str, query: str) -> tuple[int, int, float]:
    """Rows (records after the header), bytes and milliseconds to the first byte of one export.
    Rows are counted by their CRLF terminators: a line break inside a quoted cell is a bare LF
    unless the data itself holds CRLF, which the generated data does not."""
    rows = size = 0
    started = time.perf_counter()
    first_byte = 0.0
    last = b""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream(
        "GET", f"{base}/api/v1/assignments?{query}", headers=headers, timeout=600
    ) as response:
        response.raise_for_status()
        assert response.headers["content-type"].startswith("text/csv")
        for chunk in response.iter_raw(1 << 20):
            if not first_byte:
                first_byte = (time.perf_counter() - started) * 1000
            # A CRLF may be split between two chunks.
            rows += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
            size += len(chunk)
    return rows - 1, size, first_byte


def measure(database: str, server: Server, token: str) -> ExportRun:
    stream(server.base, token, f"format=csv&mentor_id={mentor_id(0)}")  # imports, pool: warm
    before = server.rss_mb()
    cpu_before = cpu_seconds(server)
    with MemorySampler(server) as memory:
        started = time.perf_counter()
        rows, size, first_byte = stream(server.base, token, "format=csv")
        seconds = time.perf_counter() - started
    cpu = cpu_seconds(server) - cpu_before
    return ExportRun(
        database=database,
        rows=rows,
        megabytes=round(size / 1e6, 1),
        seconds=round(seconds, 2),
        rows_per_second=round(rows / seconds),
        rss_before_mb=before,
        rss_peak_mb=memory.peak,
        rss_after_mb=server.rss_mb(),
        first_byte_ms=round(first_byte, 1),
        server_cpu_seconds=round(cpu, 2),
        rows_per_cpu_second=round(rows / cpu),
        load_average=round(os.getloadavg()[0], 1),
    )


def cpu_seconds(server: Server) -> float:
    """User and system time of the server process so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def data(database: str, rows: int, reuse: bool) -> tuple[DatabaseURL, dict[str, Any]]:
    """The generated data for ``rows`` assignments: made afresh, or (``reuse``) the last run's."""
    scale = rows / 1_000_000
    label = str(scale).replace(".", "_")
    saved = WORK / f"export-{database}-{label}.json"
    if reuse and saved.exists():
        kept = json.loads(saved.read_text())
        return DatabaseURL.parse(kept["url"]), kept["manifest"]
    url, manifest = prepare(database, scale)
    write_manifest(manifest, WORK / label)
    saved.write_text(json.dumps({"url": url_text(url), "manifest": manifest}))
    return url, manifest


def report(run: ExportRun, manifest: dict[str, Any]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}-export-{run.database}"
    document = {"export": asdict(run), "data": manifest["counts"], "machine": machine()}
    path.with_suffix(".json").write_text(json.dumps(document, indent=2))
    verdict = "meets" if run.rows_per_second >= TARGET_ROWS_PER_SECOND else "misses"
    path.with_suffix(".md").write_text(
        f"# Export of every assignment as CSV, {run.database}\n\n"
        f"`GET /api/v1/assignments?format=csv` from `caseworks serve` on one core; commit"
        f" {document['machine']['commit']}, {document['machine']['date']}.\n\n"
        "| rows | MB | seconds | rows/s | server CPU s | rows/CPU s | RSS before | RSS peak |"
        " RSS after | first byte | load |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {run.rows:,} | {run.megabytes} | {run.seconds} | {run.rows_per_second:,} |"
        f" {run.server_cpu_seconds} | {run.rows_per_cpu_second:,} |"
        f" {run.rss_before_mb} MB | {run.rss_peak_mb} MB | {run.rss_after_mb} MB |"
        f" {run.first_byte_ms} ms | {run.load_average} |\n\n"
        f"It {verdict} the target of {TARGET_ROWS_PER_SECOND:,} rows/s in wall time.\n"
    )
    return path.with_suffix(".md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="the data of the last run, if any")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    url, manifest = data(args.database, args.rows, args.reuse)
    env = {**os.environ, "CASEWORKS_DATABASE_URL": url_text(url)}
    server = Server("caseworks", [str(BIN / "caseworks"), "serve"], env)
    try:
        server.wait("/health")
        run = measure(args.database, server, manifest["token"])
    finally:
        server.stop()
    print(json.dumps(asdict(run)), flush=True)
    print(f"report: {report(run, manifest)}")


if __name__ == "__main__":
    main()
