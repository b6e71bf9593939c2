"""Tokens: random, only a hash at rest, revocation effective on the next request."""

from __future__ import annotations

import hashlib

from caseworks.auth.tokens import generate_token, revoke_token
from caseworks.db import Database
from tests.support.tenants import Tenant


def test_tokens_carry_at_least_128_random_bits() -> None:
    tokens = {generate_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(token) >= len("cw_") + 43 for token in tokens)  # 32 bytes, base64url


async def test_only_a_hash_is_stored(db: Database, tenant: Tenant) -> None:
    rows = await db.fetch_all(
        "SELECT token_hash FROM api_tokens WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    assert [row["token_hash"] for row in rows] == [
        hashlib.sha256(tenant.admin_token.encode()).hexdigest()
    ]
    everything = await db.fetch_all(
        "SELECT * FROM api_tokens WHERE agency_id = :agency_id", {"agency_id": tenant.agency_id}
    )
    assert tenant.admin_token not in repr(everything)


async def test_revocation_takes_effect_on_the_next_request(db: Database, tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as client:
        assert (await client.get("/api/v1/mentors")).status_code == 200
        async with db.transaction() as tx:
            await revoke_token(tx, tenant.admin_token)
        response = await client.get("/api/v1/mentors")
    assert response.status_code == 401


async def test_revoking_by_id(db: Database, tenant: Tenant) -> None:
    row = await db.fetch_one(
        "SELECT id FROM api_tokens WHERE agency_id = :agency_id", {"agency_id": tenant.agency_id}
    )
    assert row is not None
    async with db.transaction() as tx:
        assert await revoke_token(tx, row["id"]) == row["id"]
    async with tenant.client(tenant.admin_token) as client:
        assert (await client.get("/api/v1/mentors")).status_code == 401
