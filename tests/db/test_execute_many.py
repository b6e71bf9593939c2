"""``execute_many``: one statement over many parameter sets, in the transaction, all or none."""

from __future__ import annotations

import pytest

from caseworks.core.timestamps import utc_now
from caseworks.db import ConstraintViolation, Database
from tests.support.tenants import Tenant

INSERT = (
    "INSERT INTO contacts (agency_id, id, name, email, phone, created_at, updated_at)"
    " VALUES (:agency_id, :id, :name, NULL, NULL, :now, :now)"
)


def _contacts(tenant: Tenant, count: int, start: int = 0) -> list[dict[str, object]]:
    now = utc_now()
    return [
        {"agency_id": tenant.agency_id, "id": f"contact_many{n:05d}", "name": f"C {n}", "now": now}
        for n in range(start, start + count)
    ]


async def _count(db: Database, tenant: Tenant) -> int:
    return int(
        await db.fetch_value(
            "SELECT count(*) FROM contacts WHERE agency_id = :agency_id",
            {"agency_id": tenant.agency_id},
        )
    )


async def test_every_row_is_written_in_the_transaction(db: Database, tenant: Tenant) -> None:
    async with db.transaction() as tx:
        await tx.execute_many(INSERT, _contacts(tenant, 2500))
        await tx.execute_many(INSERT, [])
    assert await _count(db, tenant) == 2500


async def test_a_refused_row_leaves_the_transaction_to_roll_back_whole(
    db: Database, tenant: Tenant
) -> None:
    rows = _contacts(tenant, 10)
    with pytest.raises(ConstraintViolation) as refused:
        async with db.transaction() as tx:
            await tx.execute_many(INSERT, [*rows, rows[3]])  # the same key twice
    assert refused.value.kind == "unique"
    assert await _count(db, tenant) == 0


async def test_outside_a_transaction_it_runs_on_a_connection_of_its_own(
    db: Database, tenant: Tenant
) -> None:
    await db.execute_many(INSERT, _contacts(tenant, 3))
    assert await _count(db, tenant) == 3
