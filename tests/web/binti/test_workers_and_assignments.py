"""A client written from Binti's published document: agency workers and worker assignments.

Parameter names, bodies and answers' members as Binti's document gives them (its bodies are
`application/json` with the resource `type` beside `data`). The records the document has no
way to make (workers, applications) are set up through our own endpoints first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from caseworks.db import Database
from tests.support.childwelfare import application, worker
from tests.support.tenants import Tenant

BINTI_JSON = {"Content-Type": "application/json"}
# Binti's required attributes of `agency-workers` that we carry (see the API docs for the rest).
WORKER_ATTRIBUTES = {
    "created-at",
    "updated-at",
    "name",
    "email",
    "supervisors",
    "agency-role",
    "role-for-permissions",
    "external-identifier",
    "managers-of-supervisors",
    "sign-in-count",
}


def _binti_time(moment: datetime) -> str:
    """A time as Binti's examples write one: milliseconds and Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _assignment_on_application(
    application_id: str, worker_id: str, role: str, kind: str = "initial-applications"
) -> dict[str, Any]:
    """`POST /api/v1/worker_assignments`'s body, as Binti's document gives it."""
    return {
        "type": "worker-assignments",
        "data": {
            "attributes": {"role": role},
            "relationships": {
                "application": {"data": {"id": application_id, "type": kind}},
                "worker": {"data": {"id": worker_id, "type": "agency-workers"}},
            },
        },
    }


def _assignments_on_application(*wanted: tuple[str, str]) -> dict[str, Any]:
    """The nested create's body: `data` an array of assignments, `type` beside it."""
    return {
        "type": "worker-assignments",
        "data": [
            {
                "attributes": {"role": role},
                "relationships": {"worker": {"data": {"id": worker_id, "type": "agency-workers"}}},
            }
            for worker_id, role in wanted
        ],
    }


def _assert_binti_assignment(resource: dict[str, Any], application_id: str) -> None:
    assert resource["type"] == "worker-assignments"
    assert {"created-at", "role"} <= set(resource["attributes"])
    assert resource["attributes"]["role"] in ("approvals", "support", "cbo")
    relationships = resource["relationships"]
    assert relationships["application"]["data"] == {
        "type": "initial-applications",
        "id": application_id,
    }
    assert relationships["worker"]["data"]["type"] == "agency-workers"


async def test_agency_workers_list_and_show_as_binti_does(jsonapi: httpx.AsyncClient) -> None:
    hal = await worker(
        jsonapi,
        name="Hal Lakin",
        email="hal@example.org",
        **{
            "agency-role": "approvals",
            "role-for-permissions": {"id": 3, "name": "Approvals Worker"},
        },
    )
    oliver = await worker(
        jsonapi,
        name="Oliver Lehner",
        email="oliver@example.org",
        supervisors=[hal],
        **{"external-identifier": "4711"},
    )
    jenette = await worker(
        jsonapi, name="Jenette Schoen", supervisors=[oliver], **{"external-identifier": "4712"}
    )

    listed = await jsonapi.get(
        "/api/v1/agency_workers",
        params={"page[size]": "20", "page[number]": "1", "sort": "-created_at"},
    )
    assert listed.status_code == 200, listed.text
    document = listed.json()
    assert {"data", "links", "meta"} <= set(document)
    assert document["meta"]["total-records"] == 3
    for resource in document["data"]:
        assert resource["type"] == "agency-workers"
        assert WORKER_ATTRIBUTES <= set(resource["attributes"])

    found = await jsonapi.get("/api/v1/agency_workers", params={"external_identifier": "4711"})
    assert found.status_code == 200, found.text
    [only] = found.json()["data"]
    assert only["id"] == oliver
    assert only["attributes"]["supervisors"] == [{"id": hal, "name": "Hal Lakin"}]
    assert only["attributes"]["external-identifier"] == "4711"

    shown = await jsonapi.get(f"/api/v1/agency_workers/{hal}")
    assert shown.status_code == 200
    attributes = shown.json()["data"]["attributes"]
    assert attributes["agency-role"] == "approvals"
    assert attributes["role-for-permissions"] == {"id": 3, "name": "Approvals Worker"}
    assert attributes["supervisors"] == []
    assert (attributes["managers-of-supervisors"], attributes["sign-in-count"]) == ([], 0)

    # Binti's example: Jenette's supervisor is Oliver, whose supervisor is Hal.
    hers = (await jsonapi.get(f"/api/v1/agency_workers/{jenette}")).json()["data"]["attributes"]
    assert hers["supervisors"] == [{"id": oliver, "name": "Oliver Lehner"}]
    assert hers["managers-of-supervisors"] == [{"id": hal, "name": "Hal Lakin"}]
    assert hers["sign-in-count"] == 0


async def test_worker_assignments_made_and_read_as_binti_does(
    jsonapi: httpx.AsyncClient,
) -> None:
    application_id = await application(jsonapi)
    approver = await worker(jsonapi, email="approver@example.org")
    helper = await worker(jsonapi, email="helper@example.org")

    made = await jsonapi.post(
        "/api/v1/worker_assignments",
        json=_assignment_on_application(application_id, approver, "approvals"),
        headers=BINTI_JSON,
    )
    assert made.status_code == 201, made.text
    for resource in made.json()["data"]:
        _assert_binti_assignment(resource, application_id)
    nested = await jsonapi.post(
        f"/api/v1/applications/{application_id}/relationships/worker_assignments",
        json=_assignments_on_application((helper, "support")),
        headers=BINTI_JSON,
    )
    assert nested.status_code == 201, nested.text
    by_role = {item["attributes"]["role"]: item["id"] for item in nested.json()["data"]}
    assert set(by_role) == {"approvals", "support"}

    path = f"/api/v1/applications/{application_id}/relationships/worker_assignments"
    for role, expected in (("approvals", "approvals"), ("support", "support"), ("cbo", None)):
        response = await jsonapi.get(path, params={"role": role})
        assert response.status_code == 200, response.text
        roles = [item["attributes"]["role"] for item in response.json()["data"]]
        assert roles == ([expected] if expected else [])

    # The assignments were made just now: after an hour ago and before an hour from now.
    now = datetime.now(UTC)
    window = {
        "created_start_date": _binti_time(now - timedelta(hours=1)),
        "created_end_date": _binti_time(now + timedelta(hours=1)),
    }
    everything = await jsonapi.get("/api/v1/worker_assignments", params=window)
    assert everything.status_code == 200, everything.text
    for resource in everything.json()["data"]:
        _assert_binti_assignment(resource, application_id)
    assert len(everything.json()["data"]) == 2
    later = {"created_start_date": _binti_time(now + timedelta(hours=1))}
    assert (await jsonapi.get("/api/v1/worker_assignments", params=later)).json()["data"] == []
    updated = await jsonapi.get(
        path,
        params={
            "updated_start_date": _binti_time(now - timedelta(hours=1)),
            "updated_end_date": _binti_time(now - timedelta(minutes=30)),
        },
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"] == []

    shown = await jsonapi.get(f"/api/v1/worker_assignments/{by_role['support']}")
    assert shown.status_code == 200
    _assert_binti_assignment(shown.json()["data"], application_id)
    assert shown.json()["data"]["attributes"]["role"] == "support"


async def test_a_cbo_assignment_is_not_made_through_the_api(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    application_id, worker_id = await application(jsonapi), await worker(jsonapi)
    response = await jsonapi.post(
        "/api/v1/worker_assignments",
        json=_assignment_on_application(application_id, worker_id, "cbo"),
        headers=BINTI_JSON,
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["source"] == {"pointer": "/data/attributes/role"}
    assert "cannot be made through the API" in error["detail"]
    count = await db.fetch_value(
        "SELECT count(*) FROM worker_assignments WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    assert count == 0
