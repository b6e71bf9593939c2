"""Load one large agency (and a few small ones) for the benchmark, fast.

PostgreSQL through COPY, SQLite through executemany. At scale 1.0: 10,000 mentors, 100,000
contacts, 1,000,000 assignments (about 15 % open; a few mentors with long histories),
10,000 agency workers, 100,000 children, 20,000 applications, 300,000 worker assignments.
Besides, a write pool that does not scale: contacts and children with no assignments yet, so
write benchmarks always have fresh pairs to create.

    python -m bench.generate --url postgresql://127.0.0.1/caseworks_bench --scale 0.01 --out DIR
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from caseworks.auth.agencies import create_agency
from caseworks.auth.principal import Role
from caseworks.auth.tokens import create_token
from caseworks.db import DatabaseURL, open_database
from caseworks.db import migrate as migrations

BIG_AGENCY = "agency_bench"
SMALL_AGENCIES = ("agency_small1", "agency_small2", "agency_small3")
WRITE_POOL = 100_000  # fresh contacts and children for write benchmarks, at every scale
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

Record = tuple[Any, ...]


def _t(days: float) -> datetime:
    return (EPOCH + timedelta(days=days)).replace(microsecond=0)


class Shape:
    """How many of each record; ids are deterministic so load scripts can name them."""

    def __init__(self, scale: float) -> None:
        self.mentors = max(10, int(10_000 * scale))
        self.contacts = max(100, int(100_000 * scale))
        self.assignments = max(1_000, int(1_000_000 * scale))
        self.workers = max(10, int(10_000 * scale))
        self.children = max(100, int(100_000 * scale))
        self.applications = max(20, int(20_000 * scale))
        self.worker_assignments = max(300, int(300_000 * scale))


def mentor_id(i: int) -> str:
    return f"mentor_b{i:07d}"


def contact_id(i: int) -> str:
    return f"contact_b{i:07d}"


def assignment_id(i: int) -> str:
    return f"assign_b{i:08d}"


def worker_id(i: int) -> str:
    return f"worker_b{i:07d}"


def child_id(i: int) -> str:
    return f"child_b{i:07d}"


def application_id(i: int) -> str:
    return f"application_b{i:07d}"


def people(agency: str, count: int, make_id: Any, label: str, offset: int = 0) -> Iterator[Record]:
    for i in range(offset, offset + count):
        created = _t(i % 1500)
        yield (
            agency,
            make_id(i),
            f"{label} {i}",
            f"{label.lower()}{i}@example.org",
            None,
            created,
            created,
        )


def is_open_assignment(i: int) -> bool:
    """One in seven assignments is open; load scripts toggle these by index."""
    return i % 7 == 0


def assignments(agency: str, shape: Shape, rng: random.Random) -> Iterator[Record]:
    """Most mentors have a few dozen assignments; one in a hundred has a long history.

    Open assignments get distinct (mentor, contact) pairs by construction, so the
    one-open-per-pair index holds and any of them can be closed and reopened.
    """
    weights = [40 if m % 100 == 0 else 1 for m in range(shape.mentors)]
    mentors = rng.choices(range(shape.mentors), weights=weights, k=shape.assignments)
    for i, m in enumerate(mentors):
        c = rng.randrange(shape.contacts)
        assigned = _t(rng.uniform(0, 2000))
        is_open = is_open_assignment(i)
        if is_open:
            j = i // 7
            c = j % shape.contacts
            m = (j // shape.contacts + c) % shape.mentors
        closed = None if is_open else assigned + timedelta(days=rng.randint(30, 400))
        last = assigned + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.8 else None
        updated = closed or last or assigned
        yield (
            agency,
            assignment_id(i),
            mentor_id(m),
            contact_id(c),
            "open" if is_open else "closed",
            None,
            assigned,
            last,
            closed,
            assigned,
            updated,
        )


def workers(agency: str, shape: Shape) -> Iterator[Record]:
    for i in range(shape.workers):
        created = _t(i % 1500)
        yield (
            agency,
            worker_id(i),
            f"Worker {i}",
            f"worker{i}@example.org",
            True,
            "approvals,case_carrying,support",
            None,
            created,
            created,
        )


def children(agency: str, count: int, offset: int = 0) -> Iterator[Record]:
    for i in range(offset, offset + count):
        created = _t(i % 1500)
        yield (
            agency,
            child_id(i),
            f"Child{i}",
            None,
            f"Family{i % 997}",
            None,
            f"C{i:07d}",  # client_id: what an integration looks a child up by
            None,
            created,
            created,
        )


def applications(agency: str, shape: Shape) -> Iterator[Record]:
    for i in range(shape.applications):
        created = _t(i % 1500)
        kind = "initial" if i % 3 else "renewal"
        yield (agency, application_id(i), kind, "applying", f"Applicant {i}", created, created)


def worker_assignments(agency: str, shape: Shape) -> Iterator[Record]:
    """Two case-carrying workers on every child (a third on some), then the applications'."""
    n = 0
    per_child = [2] * shape.children
    extra = shape.worker_assignments - 2 * shape.children - 4 * shape.applications
    for c in range(max(0, extra)):
        per_child[c % shape.children] = 3
    for c, count in enumerate(per_child):
        for k in range(count):
            created = _t(c % 1500)
            w = (c * 7 + k) % shape.workers
            yield (
                agency,
                f"wa_b{n:08d}",
                worker_id(w),
                "case_carrying",
                child_id(c),
                None,
                None,
                created,
                created,
            )
            n += 1
    for a in range(shape.applications):
        for k, role in enumerate(("approvals", "support", "support", "support")):
            created = _t(a % 1500)
            w = (a * 11 + k) % shape.workers
            yield (
                agency,
                f"wa_b{n:08d}",
                worker_id(w),
                role,
                None,
                application_id(a),
                None,
                created,
                created,
            )
            n += 1


COLUMNS = {
    "mentors": ("agency_id", "id", "name", "email", "phone", "created_at", "updated_at"),
    "contacts": ("agency_id", "id", "name", "email", "phone", "created_at", "updated_at"),
    "assignments": (
        "agency_id",
        "id",
        "mentor_id",
        "contact_id",
        "status",
        "notes",
        "assigned_date",
        "last_contact_date",
        "closed_date",
        "created_at",
        "updated_at",
    ),
    "agency_workers": (
        "agency_id",
        "id",
        "name",
        "email",
        "active",
        "assignable_roles",
        "external_identifier",
        "created_at",
        "updated_at",
    ),
    "children": (
        "agency_id",
        "id",
        "first_name",
        "middle_name",
        "last_name",
        "date_of_birth",
        "client_id",
        "external_identifier",
        "created_at",
        "updated_at",
    ),
    "applications": (
        "agency_id",
        "id",
        "kind",
        "status",
        "applicant_name",
        "created_at",
        "updated_at",
    ),
    "worker_assignments": (
        "agency_id",
        "id",
        "worker_id",
        "role",
        "child_id",
        "application_id",
        "created_by",
        "created_at",
        "updated_at",
    ),
}


def agency_records(
    agency: str, shape: Shape, rng: random.Random, write_pool: int
) -> dict[str, Iterable[Record]]:
    return {
        "mentors": people(agency, shape.mentors, mentor_id, "Mentor"),
        "contacts": people(agency, shape.contacts + write_pool, contact_id, "Contact"),
        "assignments": assignments(agency, shape, rng),
        "agency_workers": workers(agency, shape),
        "children": children(agency, shape.children + write_pool),
        "applications": applications(agency, shape),
        "worker_assignments": worker_assignments(agency, shape),
    }


async def _copy_postgres(url: DatabaseURL, table: str, records: Iterable[Record]) -> int:
    connection = await asyncpg.connect(url.target)
    try:
        rows = list(records)
        await connection.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))
        return len(rows)
    finally:
        await connection.close()


def _insert_sqlite(url: DatabaseURL, table: str, records: Iterable[Record]) -> int:
    connection = sqlite3.connect(url.sqlite_path)
    try:
        columns = COLUMNS[table]
        placeholders = ", ".join("?" for _ in columns)
        rows = list(records)
        with connection:
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows
            )
        return len(rows)
    finally:
        connection.close()


async def _analyze(url: DatabaseURL) -> None:
    if url.dialect == "postgresql":
        connection = await asyncpg.connect(url.target)
        try:
            await connection.execute("VACUUM ANALYZE")
        finally:
            await connection.close()
    else:
        connection = sqlite3.connect(url.sqlite_path)
        connection.execute("ANALYZE")
        connection.close()


async def _agencies_and_tokens(url: DatabaseURL, agencies: Sequence[str]) -> dict[str, str]:
    db = await open_database(url, pool_size=2)
    tokens = {}
    try:
        async with db.transaction() as tx:
            for agency in agencies:
                await create_agency(tx, agency, agency)
                _, tokens[agency] = await create_token(tx, agency_id=agency, role=Role.ADMIN)
    finally:
        await db.close()
    return tokens


async def generate(url: DatabaseURL, scale: float, seed: int = 7) -> dict[str, Any]:
    migrations.upgrade(url)
    rng = random.Random(seed)
    started = time.perf_counter()
    tokens = await _agencies_and_tokens(url, (BIG_AGENCY, *SMALL_AGENCIES))
    counts: dict[str, int] = {}
    plan = [(BIG_AGENCY, Shape(scale), WRITE_POOL)] + [
        (a, Shape(scale / 100), 0) for a in SMALL_AGENCIES
    ]
    for agency, shape, pool in plan:
        for table, records in agency_records(agency, shape, rng, pool).items():
            if url.dialect == "postgresql":
                loaded = await _copy_postgres(url, table, records)
            else:
                loaded = _insert_sqlite(url, table, records)
            counts[table] = counts.get(table, 0) + loaded
    await _analyze(url)
    shape = Shape(scale)
    return {
        "scale": scale,
        "agency": BIG_AGENCY,
        "token": tokens[BIG_AGENCY],
        "counts": counts,
        "shape": vars(shape),
        "write_pool": WRITE_POOL,
        "seconds": round(time.perf_counter() - started, 1),
    }


def write_manifest(manifest: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    manifest = asyncio.run(generate(DatabaseURL.parse(args.url), args.scale))
    write_manifest(manifest, args.out)
    print(json.dumps({k: v for k, v in manifest.items() if k != "token"}))


if __name__ == "__main__":
    main()
