"""The mentors many assignments may move to: the agency's lightest first, managers only."""

from __future__ import annotations

import httpx
import pytest

from caseworks.auth import Principal
from caseworks.auth.principal import Role
from caseworks.core.errors import Forbidden
from caseworks.mentoring.caseloads import reassign_targets
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def _mentor_with(api: httpx.AsyncClient, name: str, limit: int, opened: int) -> str:
    mentor_id: str = (await create_mentor(api, name=name, max_open_assignments=limit))["mentor_id"]
    for _ in range(opened):
        contact = await create_contact(api)
        await create_assignment(api, mentor_id, contact["contact_id"])
    return mentor_id


async def test_the_targets_are_the_agencys_mentors_lightest_first(
    tenant: Tenant, other_tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await _mentor_with(api, "Ann", 2, 2)
    await _mentor_with(api, "Ben", 4, 1)
    await _mentor_with(api, "Dan", 2, 0)
    async with other_tenant.client(other_tenant.admin_token) as other_api:
        await create_mentor(other_api, name="Elsewhere")
    for role in (Role.ADMIN, Role.SUPERVISOR):
        targets = await reassign_targets(tenant.db, Principal(tenant.agency_id, role, "tok_x"))
        assert [(t.name, t.open, t.limit, t.at_capacity) for t in targets] == [
            ("Dan", 0, 2, False),
            ("Ben", 1, 4, False),
            ("Ann", 2, 2, True),
        ]


@pytest.mark.parametrize("role", [Role.MENTOR, Role.CASEWORKER])
async def test_other_roles_may_not_ask(tenant: Tenant, role: Role) -> None:
    caller = Principal(tenant.agency_id, role, "tok_x", mentor_id="mentor_x")
    with pytest.raises(Forbidden):
        await reassign_targets(tenant.db, caller)
