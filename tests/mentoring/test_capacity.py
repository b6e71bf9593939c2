"""A mentor's caseload limit: its own, else the agency's default, else none."""

from __future__ import annotations

import httpx
import pytest

from caseworks.core.errors import Conflict
from caseworks.db import Database
from caseworks.mentoring.capacity import CapacityCheck, OverCapacity, claim_capacity
from caseworks.web.problem_details import problem_body
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def set_limits(
    db: Database, tenant: Tenant, mentor_id: str, own: int | None, default: int | None
) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE mentors SET max_open_assignments = :own WHERE agency_id = :agency AND id = :id",
            {"own": own, "agency": tenant.agency_id, "id": mentor_id},
        )
        await tx.execute(
            "UPDATE agencies SET default_mentor_capacity = :default WHERE id = :agency",
            {"default": default, "agency": tenant.agency_id},
        )


@pytest.mark.parametrize(
    ("own", "default", "limit"), [(2, None, 2), (None, 2, 2), (2, 9, 2), (None, None, None)]
)
async def test_claim_capacity_counts_open_assignments_against_the_limit_in_force(
    api: httpx.AsyncClient,
    db: Database,
    tenant: Tenant,
    own: int | None,
    default: int | None,
    limit: int | None,
) -> None:
    mentor = (await create_mentor(api))["mentor_id"]
    contact = (await create_contact(api))["contact_id"]
    await create_assignment(api, mentor, contact)
    await set_limits(db, tenant, mentor, own, default)
    async with db.transaction() as tx:
        assert await claim_capacity(tx, tenant.agency_id, mentor) == CapacityCheck(1, limit, False)
        if limit is None:
            return
        with pytest.raises(OverCapacity) as refused:
            await claim_capacity(tx, tenant.agency_id, mentor, adding=2)
        assert (refused.value.open, refused.value.limit) == (1, 2)
        forced = await claim_capacity(tx, tenant.agency_id, mentor, adding=2, override=True)
        assert forced == CapacityCheck(1, 2, True)


def test_over_capacity_is_a_conflict_with_open_and_limit_in_the_problem_body() -> None:
    error = OverCapacity("mentor_abc", 5, 5)
    assert isinstance(error, Conflict)
    body = problem_body(error, "req")
    assert (body["status"], body["open"], body["limit"]) == (409, 5, 5)
    assert body["request_id"] == "req"
