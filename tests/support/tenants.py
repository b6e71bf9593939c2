"""One agency per test, with a client that calls the API as one of its callers."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from caseworks.auth.agencies import create_agency
from caseworks.auth.principal import Role
from caseworks.auth.tokens import create_token
from caseworks.db import Database, DatabaseURL, open_database
from caseworks.web.app import Caseworks


@dataclass
class Tenant:
    """One agency of a test, with a client that calls the API as its admin by default."""

    agency_id: str
    db: Database
    app: Caseworks
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://testserver",
            headers=headers,
        )

    async def token(
        self, role: Role, *, mentor_id: str | None = None, worker_id: str | None = None
    ) -> str:
        async with self.db.transaction() as tx:
            _, token = await create_token(
                tx, agency_id=self.agency_id, role=role, mentor_id=mentor_id, worker_id=worker_id
            )
        return token


async def new_tenant(db: Database, app: Caseworks, name: str = "Test Agency") -> Tenant:
    async with db.transaction() as tx:
        agency_id = await create_agency(tx, name)
        _, admin_token = await create_token(tx, agency_id=agency_id, role=Role.ADMIN)
    return Tenant(agency_id, db, app, admin_token)


async def agency_with_admin(url: DatabaseURL, name: str) -> tuple[str, str]:
    """An agency and an admin token, made on a connection of their own (for server processes)."""
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            agency_id = await create_agency(tx, name)
            _, token = await create_token(tx, agency_id=agency_id, role=Role.ADMIN)
    finally:
        await db.close()
    return agency_id, token
