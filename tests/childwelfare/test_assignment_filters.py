"""The filters of the worker-assignment lists, each list taking those Binti gives it, and the cbo
role: read and filtered on, never made through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from caseworks.core.ids import new_id
from caseworks.db import Database
from tests.support.childwelfare import application, child, child_assignment, nested, worker
from tests.support.tenants import Tenant

INDEX = "/api/v1/worker_assignments"
MOMENT = datetime(2026, 3, 25, 10, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def _children(child_id: str) -> str:
    return f"/api/v1/children/{child_id}/relationships/worker_assignments"


def _applications(application_id: str) -> str:
    return f"/api/v1/applications/{application_id}/relationships/worker_assignments"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def _stamp(
    db: Database, tenant: Tenant, assignment_id: str, created: datetime, updated: datetime
) -> None:
    """Stored times set by hand: requests made a moment apart cannot be put on a given second."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE worker_assignments SET created_at = :created, updated_at = :updated"
            " WHERE agency_id = :agency_id AND id = :id",
            {
                "created": created,
                "updated": updated,
                "agency_id": tenant.agency_id,
                "id": assignment_id,
            },
        )


async def _cbo(db: Database, tenant: Tenant, application_id: str, worker_id: str) -> str:
    """A cbo assignment, as the platform itself makes them (the API does not)."""
    assignment_id = new_id("wa")
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO worker_assignments (agency_id, id, worker_id, role, application_id,"
            " created_at, updated_at) VALUES (:agency_id, :id, :worker_id, 'cbo',"
            " :application_id, :now, :now)",
            {
                "agency_id": tenant.agency_id,
                "id": assignment_id,
                "worker_id": worker_id,
                "application_id": application_id,
                "now": MOMENT,
            },
        )
    return assignment_id


async def _ids(client: httpx.AsyncClient, path: str, **params: str) -> list[str]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["data"])


async def _on_application(client: httpx.AsyncClient, application_id: str, role: str) -> str:
    worker_id = await worker(client, email=f"{role}@example.org")
    made = await client.post(
        _applications(application_id), json={"data": [nested(worker_id, role)]}
    )
    assert made.status_code == 201, made.text
    found: str = next(
        item["id"] for item in made.json()["data"] if item["attributes"]["role"] == role
    )
    return found


async def test_start_and_end_are_strictly_after_and_strictly_before(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    made = await jsonapi.post(INDEX, json=child_assignment(child_id, worker_id))
    assignment_id = made.json()["data"][0]["id"]
    await _stamp(db, tenant, assignment_id, MOMENT, MOMENT)

    for path in (INDEX, _children(child_id)):
        for name in ("created_start_date", "filter[created_start_date]"):
            assert await _ids(jsonapi, path, **{name: _iso(MOMENT)}) == [], name  # not at it
            assert await _ids(jsonapi, path, **{name: _iso(MOMENT - SECOND)}) == [assignment_id]
        assert await _ids(jsonapi, path, created_end_date=_iso(MOMENT)) == []
        assert await _ids(jsonapi, path, created_end_date=_iso(MOMENT + SECOND)) == [assignment_id]
        # Within the second: half a second before is before, half a second after is after.
        half = timedelta(milliseconds=500)
        assert await _ids(jsonapi, path, created_start_date=_iso(MOMENT - half)) == [assignment_id]
        assert await _ids(jsonapi, path, created_start_date=_iso(MOMENT + half)) == []
        assert await _ids(jsonapi, path, created_end_date=_iso(MOMENT + half)) == [assignment_id]
        assert await _ids(jsonapi, path, created_end_date=_iso(MOMENT - half)) == []
        # An offset names the same moment: 12:00 at +02:00 is 10:00 UTC.
        assert await _ids(jsonapi, path, created_end_date="2026-03-25T12:00:00+02:00") == []
        assert await _ids(jsonapi, path, created_end_date="2026-03-25T12:00:01+02:00") == [
            assignment_id
        ]


async def test_a_day_alone_is_its_first_moment(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    made = await jsonapi.post(INDEX, json=child_assignment(child_id, worker_id))
    assignment_id = made.json()["data"][0]["id"]
    midnight = datetime(2026, 3, 26, tzinfo=UTC)

    await _stamp(db, tenant, assignment_id, midnight - SECOND, midnight - SECOND)  # 25th, late
    assert await _ids(jsonapi, INDEX, created_start_date="2026-03-25") == [assignment_id]
    assert await _ids(jsonapi, INDEX, created_end_date="2026-03-26") == [assignment_id]
    assert await _ids(jsonapi, INDEX, created_end_date="2026-03-25") == []  # the day left out
    assert await _ids(jsonapi, INDEX, created_start_date="2026-03-26") == []

    await _stamp(db, tenant, assignment_id, midnight, midnight)  # 26th, 00:00:00 exactly
    assert await _ids(jsonapi, INDEX, created_start_date="2026-03-26") == []  # not after it
    assert await _ids(jsonapi, INDEX, created_start_date="2026-03-25") == [assignment_id]
    assert await _ids(jsonapi, INDEX, created_end_date="2026-03-26") == []


async def test_an_offset_whose_plus_the_url_made_a_space_is_read_as_that_offset(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    made = await jsonapi.post(INDEX, json=child_assignment(child_id, worker_id))
    assignment_id = made.json()["data"][0]["id"]
    await _stamp(db, tenant, assignment_id, MOMENT, MOMENT)  # 10:00:00 UTC
    for bound, expected in (("09:59:59", [assignment_id]), ("10:00:00", [])):
        # "+" left unencoded in the query string is decoded as a space.
        response = await jsonapi.get(f"{INDEX}?created_start_date=2026-03-25T{bound}+00:00")
        assert response.status_code == 200, response.text
        assert [item["id"] for item in response.json()["data"]] == expected
    sent = await jsonapi.get(f"{INDEX}?created_end_date=2026-03-25T12:00:01+02:00")
    assert [item["id"] for item in sent.json()["data"]] == [assignment_id]


async def test_an_applications_list_filters_by_role_created_and_updated(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    application_id = await application(jsonapi)
    approvals = await _on_application(jsonapi, application_id, "approvals")
    support = await _on_application(jsonapi, application_id, "support")
    cbo = await _cbo(db, tenant, application_id, await worker(jsonapi, email="cbo@example.org"))
    # Made on one day and changed on another, so the two ranges are told apart.
    await _stamp(db, tenant, approvals, MOMENT, MOMENT + timedelta(days=10))
    await _stamp(db, tenant, support, MOMENT + timedelta(days=5), MOMENT + timedelta(days=5))
    await _stamp(db, tenant, cbo, MOMENT - timedelta(days=5), MOMENT - timedelta(days=5))
    path = _applications(application_id)

    assert await _ids(jsonapi, path) == sorted([approvals, support, cbo])
    assert await _ids(jsonapi, path, role="approvals") == [approvals]
    assert await _ids(jsonapi, path, role="support") == [support]
    assert await _ids(jsonapi, path, **{"filter[role]": "cbo"}) == [cbo]
    week = {"created_start_date": "2026-03-24", "created_end_date": "2026-03-29"}
    assert await _ids(jsonapi, path, **week) == [approvals]
    assert await _ids(jsonapi, path, updated_start_date=_iso(MOMENT + timedelta(days=6))) == [
        approvals
    ]
    assert await _ids(jsonapi, path, updated_end_date=_iso(MOMENT + timedelta(days=5))) == [cbo]
    assert await _ids(
        jsonapi,
        path,
        **{"filter[updated_start_date]": "2026-03-31", "filter[updated_end_date]": "2026-04-05"},
    ) == [approvals]
    assert await _ids(jsonapi, path, role="support", created_start_date="2026-03-31") == []


async def test_cbo_assignments_are_read_and_shown_as_cbo(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    application_id, worker_id = await application(jsonapi), await worker(jsonapi)
    cbo = await _cbo(db, tenant, application_id, worker_id)
    shown = await jsonapi.get(f"{INDEX}/{cbo}")
    assert shown.status_code == 200
    assert shown.json()["data"]["attributes"]["role"] == "cbo"
    listed = (await jsonapi.get(INDEX, params={"application_id": application_id})).json()
    assert [item["attributes"]["role"] for item in listed["data"]] == ["cbo"]


@pytest.mark.parametrize("role", ["cbo", "CBO"])
async def test_a_cbo_assignment_cannot_be_made_through_the_api(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, role: str
) -> None:
    application_id, worker_id = await application(jsonapi), await worker(jsonapi)
    body = {
        "data": {
            "type": "worker-assignments",
            "attributes": {"role": role},
            "relationships": {
                "application": {"data": {"type": "initial-applications", "id": application_id}},
                "worker": {"data": {"type": "agency-workers", "id": worker_id}},
            },
        }
    }
    for path, document in (
        (INDEX, body),
        (_applications(application_id), {"data": [nested(worker_id, role)]}),
    ):
        response = await jsonapi.post(path, json=document)
        assert response.status_code == 422, path
        errors = response.json()["errors"]
        pointer = "/data/attributes/role" if path == INDEX else "/data/0/attributes/role"
        assert [error["source"] for error in errors] == [{"pointer": pointer}]
        if role == "cbo":
            assert "cannot be made through the API" in errors[0]["detail"]
    count = await db.fetch_value(
        "SELECT count(*) FROM worker_assignments WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    assert count == 0


@pytest.mark.parametrize(
    ("where", "name", "value"),
    [
        # Binti's index takes the created range alone (child_id and application_id are ours).
        ("index", "role", "support"),
        ("index", "updated_start_date", "2026-01-01"),
        ("index", "filter[updated_end_date]", "2026-01-01"),
        # A child's list: role and the created range.
        ("child", "updated_start_date", "2026-01-01"),
        ("child", "updated_end_date", "2026-01-01"),
        ("child", "application_id", "application_x"),
        # An application's list: role and both ranges, not a subject of its own.
        ("application", "child_id", "child_x"),
        ("application", "filter[application_id]", "application_x"),
    ],
)
async def test_each_list_refuses_the_filters_it_does_not_take(
    jsonapi: httpx.AsyncClient, where: str, name: str, value: str
) -> None:
    path = {
        "index": INDEX,
        "child": _children(await child(jsonapi)),
        "application": _applications(await application(jsonapi)),
    }[where]
    response = await jsonapi.get(path, params={name: value})
    assert response.status_code == 400
    assert [error["source"] for error in response.json()["errors"]] == [{"parameter": name}]


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("child", "support"),
        ("child", "cbo"),
        ("application", "case_carrying"),
        ("application", "x"),
    ],
)
async def test_a_role_filter_takes_only_its_lists_roles(
    jsonapi: httpx.AsyncClient, where: str, role: str
) -> None:
    path = (
        _children(await child(jsonapi))
        if where == "child"
        else _applications(await application(jsonapi))
    )
    response = await jsonapi.get(path, params={"filter[role]": role})
    assert response.status_code == 400
    assert [error["source"] for error in response.json()["errors"]] == [
        {"parameter": "filter[role]"}
    ]
