"""The demo agency: the contracts' examples, so every one of them can be replayed with curl."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from caseworks.auth.agencies import agency_exists, create_agency
from caseworks.auth.principal import Role
from caseworks.auth.users import register_user, set_password
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare.terms import (
    CREATABLE_ROLES,
    ApplicationKind,
    ApplicationStatus,
    ProfileRole,
    WorkerRole,
)
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


WORKERS = [
    ("worker_anna", "Anna Berg", "anna.berg@example.org", list(CREATABLE_ROLES)),
    (
        "worker_bjorn",
        "Bjørn Dahl",
        "bjorn.dahl@example.org",
        [WorkerRole.APPROVALS, WorkerRole.SUPPORT],
    ),
    ("worker_carl", "Carl Lie", "carl.lie@example.org", [WorkerRole.CASE_CARRYING]),
]
CHILDREN: list[tuple[str, str, str, date | None]] = [
    ("child_emma", "Emma", "Johansen", date(2014, 5, 2)),
    ("child_jonas", "Jonas", "Larsen", date(2017, 9, 14)),
    ("child_sara", "Sara", "Nilsen", None),
]
APPLICATIONS = [
    (
        "application_hansen",
        ApplicationKind.INITIAL,
        ApplicationStatus.APPLYING,
        "Kari and Per Hansen",
    ),
    ("application_berg", ApplicationKind.RENEWAL, ApplicationStatus.APPROVED, "Liv Berg"),
]
# The Hansens' applicant and co-applicant, as an intake makes them.
PROFILES = [
    (
        "profile_kari",
        "application_hansen",
        ProfileRole.APPLICANT,
        "Kari",
        "Hansen",
        "kari.hansen@example.org",
    ),
    ("profile_per", "application_hansen", ProfileRole.CO_APPLICANT, "Per", "Hansen", None),
]
WORKER_ASSIGNMENTS: list[tuple[str, str, WorkerRole, str | None, str | None]] = [
    ("wa_demo1", "worker_anna", WorkerRole.CASE_CARRYING, "child_emma", None),
    ("wa_demo2", "worker_bjorn", WorkerRole.APPROVALS, None, "application_hansen"),
]


async def load_casework(tx: Executor) -> None:
    """Through the queries the API writes with, so the rows are stored as the API stores them."""
    made = {"agency_id": DEMO_AGENCY_ID, "created_at": _CREATED, "updated_at": _CREATED}
    for worker_id, name, email, roles in WORKERS:
        worker = {"id": worker_id, "name": name, "email": email, "active": True}
        await queries.insert_record(
            tx, "agency_workers", {**made, **worker, "assignable_roles": roles}
        )
    for child_id, first, last, born in CHILDREN:
        child = {"id": child_id, "first_name": first, "last_name": last, "date_of_birth": born}
        await queries.insert_record(tx, "children", {**made, **child})
    for application_id, kind, status, applicant in APPLICATIONS:
        application = {"id": application_id, "kind": kind, "status": status}
        await queries.insert_record(
            tx, "applications", {**made, **application, "applicant_name": applicant}
        )
    for profile_id, household, person_role, first, last, address in PROFILES:
        person = {"id": profile_id, "application_id": household, "role": person_role}
        names = {"first_name": first, "last_name": last, "name": f"{first} {last}"}
        await queries.insert_record(
            tx, "user_agency_profiles", {**made, **person, **names, "email": address}
        )
        if person_role is ProfileRole.APPLICANT:
            await queries.update_record(
                tx, "applications", DEMO_AGENCY_ID, household, {"applicant_profile_id": profile_id}
            )
    for assignment_id, worker_id, role, on_child, on_application in WORKER_ASSIGNMENTS:
        await queries.insert_assignment(
            tx,
            {
                "agency_id": DEMO_AGENCY_ID,
                "id": assignment_id,
                "worker_id": worker_id,
                "role": role,
                "child_id": on_child,
                "application_id": on_application,
                "created_by": None,
                "now": _CREATED,
            },
        )
        if on_application is not None:  # as the first assignment dates it
            dated = {"caseworker_assigned_date": _CREATED.date()}
            await queries.update_record(tx, "applications", DEMO_AGENCY_ID, on_application, dated)


async def load_demo(tx: Executor) -> bool:
    """Load the demo agency unless it is there already; True when it was loaded now."""
    if await agency_exists(tx, DEMO_AGENCY_ID):
        return False
    await create_agency(tx, "Demo Agency", DEMO_AGENCY_ID)
    await load_mentoring(tx)
    await load_casework(tx)
    return True


# One console user per role: (e-mail, role, mentor, worker).
DEMO_USERS = (
    ("coordinator@demo.example", Role.ADMIN, None, None),
    ("mentor@demo.example", Role.MENTOR, "mentor_a1b2c3", None),
    ("supervisor@demo.example", Role.SUPERVISOR, None, None),
    ("caseworker@demo.example", Role.CASEWORKER, None, "worker_anna"),
)


async def demo_users(tx: Executor, now: datetime) -> list[tuple[str, Role, str]]:
    """Each demo user with a newly generated password (made on the first run, its password
    replaced on every later one): (e-mail, role, password)."""
    made = []
    for email, role, mentor_id, worker_id in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        user_id = await tx.fetch_value(
            "SELECT id FROM users WHERE agency_id = :agency_id AND email = :email",
            {"agency_id": DEMO_AGENCY_ID, "email": email},
        )
        if user_id is None:
            await register_user(
                tx,
                agency_id=DEMO_AGENCY_ID,
                email=email,
                role=role,
                now=now,
                mentor_id=mentor_id,
                worker_id=worker_id,
                password=password,
            )
        else:
            await set_password(tx, DEMO_AGENCY_ID, str(user_id), password)
        made.append((email, role, password))
    return made
