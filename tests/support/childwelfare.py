"""Child-welfare records set up through the JSON:API itself, and request documents."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.tenants import Tenant

JSONAPI = "application/vnd.api+json"


def jsonapi_client(tenant: Tenant, token: str | None) -> httpx.AsyncClient:
    client = tenant.client(token)
    client.headers["Content-Type"] = JSONAPI
    return client


async def create(client: httpx.AsyncClient, path: str, kind: str, **attributes: Any) -> str:
    response = await client.post(path, json={"data": {"type": kind, "attributes": attributes}})
    assert response.status_code == 201, response.text
    record_id: str = response.json()["data"]["id"]
    return record_id


async def worker(client: httpx.AsyncClient, **attributes: Any) -> str:
    values = {
        "name": "Wendy Worker",
        "email": "wendy@example.org",
        "assignable-roles": ["case_carrying", "approvals", "support"],
        **attributes,
    }
    return await create(client, "/api/v1/agency_workers", "agency-workers", **values)


async def child(client: httpx.AsyncClient, **attributes: Any) -> str:
    values = {"first-name": "Ola", "last-name": "Nordmann", **attributes}
    return await create(client, "/api/v1/children", "children", **values)


async def application(
    client: httpx.AsyncClient, kind: str = "initial-applications", **attributes: Any
) -> str:
    return await create(client, "/api/v1/applications", kind, **attributes)


def child_assignment(child_id: str, worker_id: str, role: str = "case-carrying") -> dict[str, Any]:
    return {
        "data": {
            "type": "worker-assignments",
            "attributes": {"role": role},
            "relationships": {
                "child": {"data": {"type": "children", "id": child_id}},
                "worker": {"data": {"type": "agency-workers", "id": worker_id}},
            },
        }
    }


def application_assignment(
    application_id: str, worker_id: str, role: str = "support", kind: str = "applications"
) -> dict[str, Any]:
    return {
        "data": {
            "type": "worker-assignments",
            "attributes": {"role": role},
            "relationships": {
                "application": {"data": {"type": kind, "id": application_id}},
                "worker": {"data": {"type": "agency-workers", "id": worker_id}},
            },
        }
    }


def nested(worker_id: str, role: str = "case-carrying") -> dict[str, Any]:
    """A resource object for the nested routes: the child or application is in the URL."""
    return {
        "type": "worker-assignments",
        "attributes": {"role": role},
        "relationships": {"worker": {"data": {"type": "agency-workers", "id": worker_id}}},
    }
