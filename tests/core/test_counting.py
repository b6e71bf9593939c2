"""Collection totals: exact while small, remembered for a while once large."""

from __future__ import annotations

from caseworks.core.counting import REFRESH_SECONDS, Totals
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, DatabaseURL, open_database
from tests.support.tenants import Tenant

FROM_CONTACTS = "FROM contacts WHERE agency_id = :agency_id"


async def add_contacts(db: Database, agency_id: str, count: int, start: int) -> None:
    async with db.transaction() as tx:
        for number in range(start, start + count):
            await tx.execute(
                "INSERT INTO contacts (agency_id, id, name, created_at, updated_at)"
                " VALUES (:agency_id, :id, 'X', :now, :now)",
                {"agency_id": agency_id, "id": f"contact_c{number:05d}", "now": utc_now()},
            )


async def test_small_totals_are_always_exact(db: Database, tenant: Tenant) -> None:
    totals = Totals(exact_limit=5)
    params = {"agency_id": tenant.agency_id}
    await add_contacts(db, tenant.agency_id, 3, 0)
    assert await totals.count(db, FROM_CONTACTS, params) == 3
    await add_contacts(db, tenant.agency_id, 2, 3)
    assert await totals.count(db, FROM_CONTACTS, params) == 5


async def test_large_totals_are_exact_then_remembered_for_a_while(
    db: Database, tenant: Tenant
) -> None:
    now = [0.0]
    totals = Totals(exact_limit=5, clock=lambda: now[0])
    params = {"agency_id": tenant.agency_id}
    await add_contacts(db, tenant.agency_id, 8, 0)
    assert await totals.count(db, FROM_CONTACTS, params) == 8
    await add_contacts(db, tenant.agency_id, 2, 8)
    assert await totals.count(db, FROM_CONTACTS, params) == 8  # remembered
    now[0] = REFRESH_SECONDS + 1
    assert await totals.count(db, FROM_CONTACTS, params) == 10


async def test_each_open_database_owns_its_totals_and_shares_them_with_its_connections(
    db: Database, database_url: DatabaseURL
) -> None:
    async with db.connection() as connection:
        assert connection.totals is db.totals
    async with db.transaction() as tx:
        assert tx.totals is db.totals
    other = await open_database(database_url, pool_size=1)
    try:
        assert isinstance(other.totals, Totals)
        assert other.totals is not db.totals  # nothing is remembered between databases
    finally:
        await other.close()
