"""Mentoring records set up through the REST API itself, and the contract's response shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from caseworks.db import Database

CONTRACT_LIST_ITEM = {
    "assignment_id",
    "mentor_id",
    "contact_id",
    "contact_name",
    "status",
    "assigned_date",
    "last_contact_date",
    "created_at",
}


CONTRACT_SINGLE = CONTRACT_LIST_ITEM | {"notes", "updated_at"}


CONTRACT_ACTIVE_ITEM = {
    "assignment_id",
    "contact_id",
    "contact_name",
    "status",
    "assigned_date",
    "last_contact_date",
}


CONTRACT_HISTORY_ITEM = {
    "assignment_id",
    "contact_id",
    "contact_name",
    "status",
    "assigned_date",
    "closed_date",
}


async def create_mentor(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/mentors", json={"name": "Kari Nordmann", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_contact(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/contacts", json={"name": "Per Olsen", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_assignment(
    api: httpx.AsyncClient, mentor_id: str, contact_id: str, **fields: Any
) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/assignments", json={"mentor_id": mentor_id, "contact_id": contact_id, **fields}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


class Programme:
    """One mentor and two contacts, with one open assignment."""

    def __init__(
        self, mentor: dict[str, Any], contacts: list[dict[str, Any]], assignment: dict[str, Any]
    ) -> None:
        self.mentor = mentor
        self.mentor_id: str = mentor["mentor_id"]
        self.contacts = contacts
        self.assignment = assignment
        self.assignment_id: str = assignment["assignment_id"]


async def set_columns(
    db: Database, table: str, agency_id: str, record_id: str, **values: Any
) -> None:
    """Set stored columns the API sets by itself (``created_at``, ``closed_date``), so a test
    states every time its answer depends on."""
    if table not in ("mentors", "contacts", "assignments"):
        raise ValueError(table)
    columns = ", ".join(f"{name} = :{name}" for name in values)
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE {table} SET {columns} WHERE agency_id = :agency_id AND id = :id",
            {**values, "agency_id": agency_id, "id": record_id},
        )


def at(text: str) -> datetime:
    """A moment written as the wire writes it: ``at("2026-01-01T00:00:00Z")``."""
    return datetime.fromisoformat(text).astimezone(UTC)
