"""Console users and server-side sessions: sign-in check, idle and absolute expiry, sign-out."""

from __future__ import annotations

from datetime import timedelta

from caseworks.auth.principal import Role
from caseworks.auth.users import (
    check_password,
    create_user,
    end_session,
    session_principal,
    start_session,
)
from caseworks.core.timestamps import utc_now
from tests.support.tenants import Tenant

IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=12)
PASSWORD = "tangerine kayak lantern"


async def _user(tenant: Tenant, email: str) -> str:
    async with tenant.db.transaction() as tx:
        return await create_user(
            tx,
            agency_id=tenant.agency_id,
            email=email,
            role=Role.ADMIN,
            now=utc_now(),
            password=PASSWORD,
        )


async def test_the_right_password_matches_the_account_and_a_wrong_one_nothing(
    tenant: Tenant,
) -> None:
    email = f"{tenant.agency_id}@example.org"
    user_id = await _user(tenant, email.upper())
    assert await check_password(tenant.db, email, PASSWORD) == [
        {"agency_id": tenant.agency_id, "id": user_id}
    ]
    assert await check_password(tenant.db, email, PASSWORD + "x") == []


async def test_a_session_names_its_user_until_idle_or_too_old(tenant: Tenant) -> None:
    user_id = await _user(tenant, f"{tenant.agency_id}@example.org")
    started = utc_now()
    session = await start_session(tenant.db, tenant.agency_id, user_id, started)
    principal = await session_principal(tenant.db, session, started, IDLE, LONGEST)
    assert principal is not None
    assert (principal.agency_id, principal.token_id, principal.role) == (
        tenant.agency_id,
        user_id,
        Role.ADMIN,
    )
    later = started + IDLE - timedelta(seconds=1)
    assert await session_principal(tenant.db, session, later, IDLE, LONGEST) is not None
    assert await session_principal(tenant.db, session, later + IDLE, IDLE, LONGEST) is None
    assert await session_principal(tenant.db, session, started, IDLE, LONGEST) is None  # ended

    kept_busy = await start_session(tenant.db, tenant.agency_id, user_id, started)
    moment = started
    while moment < started + LONGEST - IDLE:
        moment += IDLE - timedelta(minutes=1)
        assert await session_principal(tenant.db, kept_busy, moment, IDLE, LONGEST) is not None
    too_old = started + LONGEST
    assert await session_principal(tenant.db, kept_busy, too_old, IDLE, LONGEST) is None


async def test_signing_out_ends_the_session_on_the_server(tenant: Tenant) -> None:
    user_id = await _user(tenant, f"{tenant.agency_id}@example.org")
    now = utc_now()
    first = await start_session(tenant.db, tenant.agency_id, user_id, now)
    second = await start_session(tenant.db, tenant.agency_id, user_id, now)
    assert first != second
    await end_session(tenant.db, first)
    assert await session_principal(tenant.db, first, now, IDLE, LONGEST) is None
    assert await session_principal(tenant.db, second, now, IDLE, LONGEST) is not None
