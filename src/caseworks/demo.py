"""The demo agency: the seed's examples, so every one of them can be replayed with curl."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from caseworks.agencies import agency_exists, create_agency
from caseworks.db import Executor

DEMO_AGENCY_ID = "agency_demo"


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


MENTORS = [
    {"id": "mentor_a1b2c3", "name": "Kari Nordmann", "email": "kari@example.org", "phone": None},
]

CONTACTS = [
    {"id": "contact_xyz123", "name": "Per Olsen"},
    {"id": "contact_abc456", "name": "Liv Svendsen"},
    {"id": "contact_old001", "name": "Anna Pettersen"},
    {"id": "contact_def789", "name": "Ola Hansen"},
]

ASSIGNMENTS: list[dict[str, Any]] = [
    {
        "id": "assign_001aa",
        "contact_id": "contact_xyz123",
        "status": "open",
        "notes": "Initial assessment completed. Weekly meetings ongoing.",
        "assigned_date": _t("2025-11-01T00:00:00"),
        "last_contact_date": _t("2026-03-20T00:00:00"),
        "closed_date": None,
        "created_at": _t("2025-11-01T08:00:00"),
        "updated_at": _t("2026-03-20T15:00:00"),
    },
    {
        "id": "assign_002bb",
        "contact_id": "contact_abc456",
        "status": "open",
        "notes": None,
        "assigned_date": _t("2026-01-15T00:00:00"),
        "last_contact_date": _t("2026-03-18T00:00:00"),
        "closed_date": None,
        "created_at": _t("2026-01-15T09:00:00"),
        "updated_at": _t("2026-03-18T12:00:00"),
    },
    {
        "id": "assign_000zz",
        "contact_id": "contact_old001",
        "status": "closed",
        "notes": None,
        "assigned_date": _t("2024-06-01T00:00:00"),
        "last_contact_date": _t("2024-12-01T00:00:00"),
        "closed_date": _t("2024-12-15T00:00:00"),
        "created_at": _t("2024-06-01T08:00:00"),
        "updated_at": _t("2024-12-15T00:00:00"),
    },
]

_CREATED = _t("2024-05-01T00:00:00")


async def load_mentoring(tx: Executor) -> None:
    for mentor in MENTORS:
        await tx.execute(
            "INSERT INTO mentors (agency_id, id, name, email, phone, created_at, updated_at)"
            " VALUES (:agency_id, :id, :name, :email, :phone, :now, :now)",
            {**mentor, "agency_id": DEMO_AGENCY_ID, "now": _CREATED},
        )
    for contact in CONTACTS:
        await tx.execute(
            "INSERT INTO contacts (agency_id, id, name, email, phone, created_at, updated_at)"
            " VALUES (:agency_id, :id, :name, NULL, NULL, :now, :now)",
            {**contact, "agency_id": DEMO_AGENCY_ID, "now": _CREATED},
        )
    for assignment in ASSIGNMENTS:
        await tx.execute(
            """
            INSERT INTO assignments (agency_id, id, mentor_id, contact_id, status, notes,
                                     assigned_date, last_contact_date, closed_date,
                                     created_at, updated_at)
            VALUES (:agency_id, :id, 'mentor_a1b2c3', :contact_id, :status, :notes,
                    :assigned_date, :last_contact_date, :closed_date, :created_at, :updated_at)
            """,
            {**assignment, "agency_id": DEMO_AGENCY_ID},
        )


async def load_demo(tx: Executor) -> bool:
    """Load the demo agency unless it is there already; True when it was loaded now."""
    if await agency_exists(tx, DEMO_AGENCY_ID):
        return False
    await create_agency(tx, "Demo Agency", DEMO_AGENCY_ID)
    await load_mentoring(tx)
    return True
