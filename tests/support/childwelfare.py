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


# Binti answers an application's intake with 200; every other create is 201.
APPLICATIONS = "/api/v1/applications"


async def create(client: httpx.AsyncClient, path: str, kind: str, **attributes: Any) -> str:
    response = await client.post(path, json={"data": {"type": kind, "attributes": attributes}})
    assert response.status_code == (200 if path == APPLICATIONS else 201), response.text
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


def intake_document(
    kind: str = "initial-applications",
    applicant: dict[str, Any] | None = None,
    workers: list[tuple[str, str]] | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    """An application's intake as Binti writes it: the applicant inline, and (worker id, role)
    pairs as inline worker assignments."""
    relationships: dict[str, Any] = {}
    if applicant is not None:
        relationships["applicant-agency-profile"] = {"data": applicant}
    if workers:
        relationships["worker-assignments"] = {
            "data": [
                {
                    "attributes": {"role": role},
                    "relationships": {"worker": {"data": {"type": "agency-workers", "id": w}}},
                }
                for w, role in workers
            ]
        }
    data: dict[str, Any] = {"type": kind, "attributes": attributes}
    if relationships:
        data["relationships"] = relationships
    return {"data": data}


async def intake(
    client: httpx.AsyncClient,
    applicant: dict[str, Any] | None = None,
    workers: list[tuple[str, str]] | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    """A new application made through Binti's intake; its resource object."""
    document = intake_document(applicant=applicant, workers=workers, **attributes)
    response = await client.post(APPLICATIONS, json=document)
    assert response.status_code == 200, response.text
    resource: dict[str, Any] = response.json()["data"]
    return resource


def applicant_of(resource: dict[str, Any]) -> str:
    """The id of an application's applicant profile."""
    linkage: str = resource["relationships"]["applicant-agency-profile"]["data"]["id"]
    return linkage


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


# Binti's intake attributes, with the values of its example answer.
BINTI_INTAKE_ATTRIBUTES: dict[str, Any] = {
    "case_type": "dependency",
    "date_of_inquiry": "2021-01-06",
    "date_application_signed": "2021-01-07",
    "external_identifier": "EXTERNAL01",
    "capacity": 5,
    "approved_age_lower": 1,
    "approved_age_higher": 16,
    "community_foster": True,
    "license_external_identifier": "7274251218",
    "status": "recruiting",
    "template_slug": "application-template-41",
    "how_did_you_hear_about_us": "transferred_from_another_agency",
    "how_did_you_hear_about_us_details": "Moved from Sunrise Family Services",
}
