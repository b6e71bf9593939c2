"""Agencies: the tenants every record belongs to."""

from __future__ import annotations

from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import Executor


async def create_agency(db: Executor, name: str, agency_id: str | None = None) -> str:
    agency_id = agency_id or new_id("agency")
    await db.execute(
        "INSERT INTO agencies (id, name, created_at) VALUES (:id, :name, :now)",
        {"id": agency_id, "name": name, "now": utc_now()},
    )
    return agency_id


async def agency_exists(db: Executor, agency_id: str) -> bool:
    found = await db.fetch_value("SELECT 1 FROM agencies WHERE id = :id", {"id": agency_id})
    return found is not None
