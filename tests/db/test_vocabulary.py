"""Roles and kinds are spelled once, in their enums; the migrated database takes every one.

The schema builds its CHECK constraints from the enums, but a database is made by the migrations:
a member added to an enum without a migration is refused here, not by a client's request.
"""

from __future__ import annotations

from typing import Any

import pytest

from caseworks.auth.principal import Role
from caseworks.childwelfare.terms import (
    CHILD_ROLES,
    ApplicationKind,
    ApplicationStatus,
    ProfileRole,
    WorkerRole,
)
from caseworks.core.timestamps import utc_now
from caseworks.db import ConstraintViolation, Database, Executor
from tests.support.tenants import Tenant


class RolledBack(Exception):
    """Ends a transaction whose rows only had to be accepted."""


async def _insert(tx: Executor, table: str, values: dict[str, Any]) -> None:
    names = list(values)
    await tx.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        values,
    )


async def _accepted(db: Database, tenant: Tenant, rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Every row is written (a refused one raises ConstraintViolation); then all are undone."""

    async def write_and_undo() -> None:
        async with db.transaction() as tx:
            for table, values in rows:
                await _insert(tx, table, {"agency_id": tenant.agency_id, **values})
            raise RolledBack

    with pytest.raises(RolledBack):
        await write_and_undo()


def _stamped(values: dict[str, Any]) -> dict[str, Any]:
    now = utc_now()
    return {**values, "created_at": now, "updated_at": now}


async def test_every_worker_role_and_application_kind_is_accepted(
    db: Database, tenant: Tenant
) -> None:
    rows: list[tuple[str, dict[str, Any]]] = [
        ("agency_workers", _stamped({"id": "worker_w", "name": "W", "email": "w@example.org"})),
        ("children", _stamped({"id": "child_c", "last_name": "C"})),
    ]
    for kind in ApplicationKind:
        values = {"id": f"application_{kind}", "kind": kind.value, "status": "applying"}
        rows.append(("applications", _stamped(values)))
    for role in WorkerRole:
        subject = (
            {"child_id": "child_c"}
            if role in CHILD_ROLES
            else {"application_id": f"application_{ApplicationKind.INITIAL}"}
        )
        values = {"id": f"wa_{role}", "worker_id": "worker_w", "role": role.value, **subject}
        rows.append(("worker_assignments", _stamped(values)))
    await _accepted(db, tenant, rows)


async def test_every_application_status_and_profile_role_is_accepted(
    db: Database, tenant: Tenant
) -> None:
    rows: list[tuple[str, dict[str, Any]]] = []
    for status in ApplicationStatus:
        values = {"id": f"application_{status}", "kind": "initial", "status": status.value}
        rows.append(("applications", _stamped(values)))
    for role in ProfileRole:
        values = {
            "id": f"profile_{role}",
            "application_id": f"application_{ApplicationStatus.APPLYING}",
            "role": role.value,
            "name": "P",
        }
        rows.append(("user_agency_profiles", _stamped(values)))
    await _accepted(db, tenant, rows)


async def test_a_status_binti_does_not_have_is_refused(db: Database, tenant: Tenant) -> None:
    values = _stamped({"id": "application_p", "kind": "initial", "status": "pending"})
    with pytest.raises(ConstraintViolation):
        await _accepted(db, tenant, [("applications", values)])


async def test_every_principal_role_is_accepted(db: Database, tenant: Tenant) -> None:
    rows: list[tuple[str, dict[str, Any]]] = []
    for role in Role:
        mentor = {"mentor_id": "mentor_m"} if role is Role.MENTOR else {}
        values = {"id": f"tok_{role}", "token_hash": f"{role:0>64}"[-64:], "role": role.value}
        rows.append(("api_tokens", {**values, **mentor, "created_at": utc_now()}))
    await _accepted(db, tenant, rows)


async def test_a_role_no_enum_names_is_refused(db: Database, tenant: Tenant) -> None:
    values = {"id": "tok_x", "token_hash": "x" * 64, "role": "superuser", "created_at": utc_now()}
    with pytest.raises(ConstraintViolation):
        await _accepted(db, tenant, [("api_tokens", values)])
