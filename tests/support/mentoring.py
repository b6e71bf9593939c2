"""Mentoring records set up through the REST API itself, and the contract's response shapes."""

from __future__ import annotations

from typing import Any

import httpx

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
