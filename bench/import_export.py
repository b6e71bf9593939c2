"""CSV import timing: a file of contacts made up, imported into a fresh database through the
import service (reading, validation, lookups, batched writes, audit events), timed end to end;
then imported again, when every row is unchanged.

    python -m bench.import_export --database postgresql --rows 100000
    python -m bench.import_export import --database sqlite --rows 100000
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from caseworks.auth.agencies import create_agency
from caseworks.auth.principal import Principal, Role
from caseworks.csvio.csv_import import import_csv
from caseworks.db import DatabaseURL, open_database
from caseworks.db import migrate as migrations


def contacts_file(rows: int) -> bytes:
    """``rows`` contacts with an id, a name, an e-mail address and a phone number each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("contact_id", "name", "email", "phone"))
    for n in range(rows):
        writer.writerow(
            (f"contact_imp{n:07d}", f"Contact {n}", f"contact{n}@example.org", f"+47 555 {n:05d}")
        )
    return out.getvalue().encode()


@contextmanager
def fresh_database(dialect: str) -> Iterator[DatabaseURL]:
    """A migrated database of its own, removed afterwards."""
    with tempfile.TemporaryDirectory() as directory:
        if dialect == "sqlite":
            url = DatabaseURL.parse(f"sqlite:///{Path(directory) / 'import.db'}")
        else:
            name = f"caseworks_bench_import_{os.getpid()}"
            subprocess.run(["createdb", "-h", "127.0.0.1", name], check=True)
            url = DatabaseURL.parse(f"postgresql://127.0.0.1:5432/{name}")
        try:
            migrations.upgrade(url)
            yield url
        finally:
            if dialect == "postgresql":
                subprocess.run(["dropdb", "-h", "127.0.0.1", name], check=True)


async def time_import(url: DatabaseURL, rows: int) -> dict[str, object]:
    """Seconds to import ``rows`` new contacts, then to import the same file again."""
    data = contacts_file(rows)
    db = await open_database(url, pool_size=2)
    try:
        async with db.transaction() as tx:
            agency_id = await create_agency(tx, "Import benchmark")
        admin = Principal(agency_id, Role.ADMIN, "bench")
        started, cpu = time.perf_counter(), time.process_time()
        first = await import_csv(db, admin, "contacts", data)
        first_seconds = time.perf_counter() - started
        # This process's CPU (reading, validation, the driver; on SQLite the database too):
        # steadier than wall time on a shared machine.
        first_cpu = time.process_time() - cpu
        started = time.perf_counter()
        second = await import_csv(db, admin, "contacts", data)
        second_seconds = time.perf_counter() - started
    finally:
        await db.close()
    assert first.created == rows, first
    assert second.unchanged == rows, second
    return {
        "database": url.dialect,
        "rows": rows,
        "file_bytes": len(data),
        "import_seconds": round(first_seconds, 2),
        "rows_per_second": round(rows / first_seconds),
        "import_cpu_seconds": round(first_cpu, 2),
        "again_unchanged_seconds": round(second_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", nargs="?", choices=("import",), default="import")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with fresh_database(args.database) as url:
        print(asyncio.run(time_import(url, args.rows)))


if __name__ == "__main__":
    main()
