"""Applications in Binti's vocabulary: statuses, dates and identifiers, the filters and sorts of
the list, the caseworker-assigned date, PUT beside PATCH, and the intake with its applicant and
worker assignments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from tests.support.childwelfare import (
    APPLICATIONS,
    application,
    application_assignment,
    worker,
)
from tests.support.tenants import Tenant

TODAY = datetime.now(UTC).date().isoformat()
ANNA = {"first_name": "Anna", "last_name": "Berg", "email": "anna.berg@example.org"}


async def _attributes(client: httpx.AsyncClient, application_id: str) -> dict[str, Any]:
    response = await client.get(f"{APPLICATIONS}/{application_id}")
    assert response.status_code == 200, response.text
    attributes: dict[str, Any] = response.json()["data"]["attributes"]
    return attributes


async def _ids(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(APPLICATIONS, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def _touched_at(tenant: Tenant, application_id: str, moment: str) -> None:
    """Set when the application was last changed (a test cannot wait for the clock)."""
    async with tenant.db.transaction() as tx:
        await tx.execute(
            "UPDATE applications SET updated_at = :at WHERE agency_id = :agency AND id = :id",
            {
                "at": datetime.fromisoformat(moment),
                "agency": tenant.agency_id,
                "id": application_id,
            },
        )


async def test_binti_attributes_are_stored_and_shown(jsonapi: httpx.AsyncClient) -> None:
    sent = {
        "status": "recruiting",
        "status-date": "2024-08-20",
        "status-reason": "Not ready yet",
        "date-of-inquiry": "2024-08-01",
        "external-identifier": "APP-1",
        "license-external-identifier": "LIC-1",
        "agency-placement-external-identifier": "AP-1",
    }
    shown = await _attributes(jsonapi, await application(jsonapi, **sent))
    assert {name: shown[name] for name in sent} == sent
    assert shown["caseworker-assigned-date"] is None


@pytest.mark.parametrize(
    ("kind", "binti_type"),
    [
        ("initial-applications", "InitialApplication"),
        ("renewal-applications", "RenewalApplication"),
    ],
)
async def test_the_type_attribute_names_the_kind_as_binti_does(
    jsonapi: httpx.AsyncClient, kind: str, binti_type: str
) -> None:
    application_id = await application(jsonapi, kind)
    assert (await _attributes(jsonapi, application_id))["type"] == binti_type
    refused = await jsonapi.put(
        f"{APPLICATIONS}/{application_id}", json={"data": {"attributes": {"type": binti_type}}}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"] == {"pointer": "/data/attributes/type"}


async def test_a_new_application_dates_its_status_from_today(jsonapi: httpx.AsyncClient) -> None:
    shown = await _attributes(jsonapi, await application(jsonapi))
    assert (shown["status"], shown["status-date"], shown["date-of-inquiry"]) == (
        "applying",
        TODAY,
        None,
    )


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("status", "pending"),  # the status before Binti's: now ready_for_review
        ("status", "in_renewal_process"),  # a profile's filter value, not an application status
        ("status-reason", "Bored"),
        ("status-date", "2024-08-20T10:00:00Z"),  # a day, not a moment
        ("caseworker-assigned-date", "2024-08-20"),  # set by the first assignment only
        ("type", "InitialApplication"),  # the kind, named by the resource's type
    ],
)
async def test_values_binti_does_not_take_are_422(
    jsonapi: httpx.AsyncClient, attribute: str, value: str
) -> None:
    response = await jsonapi.post(
        APPLICATIONS,
        json={"data": {"type": "initial-applications", "attributes": {attribute: value}}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["source"] == {"pointer": f"/data/attributes/{attribute}"}
    assert await _ids(jsonapi) == []


async def test_a_status_change_dates_itself_unless_told_when(jsonapi: httpx.AsyncClient) -> None:
    application_id = await application(jsonapi, **{"status-date": "2024-01-01"})
    path = f"{APPLICATIONS}/{application_id}"
    document = {"data": {"type": "applications", "id": application_id}}
    same = {**document["data"], "attributes": {"status": "applying"}}
    await jsonapi.patch(path, json={"data": same})
    assert (await _attributes(jsonapi, application_id))["status-date"] == "2024-01-01"
    moved = {**document["data"], "attributes": {"status": "ready_for_review"}}
    await jsonapi.patch(path, json={"data": moved})
    assert (await _attributes(jsonapi, application_id))["status-date"] == TODAY
    told = {"status": "approved", "status-date": "2024-06-30"}
    await jsonapi.put(path, json={"data": {**document["data"], "attributes": told}})
    assert (await _attributes(jsonapi, application_id))["status-date"] == "2024-06-30"


# --- the list's filters and sorts -------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["{}", "filter[{}]"])
@pytest.mark.parametrize(
    ("name", "attribute", "value", "other"),
    [
        ("status", "status", "approved", "applying"),
        ("external_identifier", "external-identifier", "APP-1", "APP-2"),
        ("license_external_identifier", "license-external-identifier", "LIC-1", "LIC-2"),
        (
            "agency_placement_external_identifier",
            "agency-placement-external-identifier",
            "AP-1",
            "AP-2",
        ),
    ],
)
async def test_each_filter_keeps_the_matching_applications(
    jsonapi: httpx.AsyncClient, spelling: str, name: str, attribute: str, value: str, other: str
) -> None:
    wanted = await application(jsonapi, **{attribute: value})
    await application(jsonapi, **{attribute: other})
    await application(jsonapi)
    assert await _ids(jsonapi, **{spelling.format(name): value}) == [wanted]
    if name != "status":  # an identifier is matched whole, not as a part
        assert await _ids(jsonapi, **{spelling.format(name): value[:-1]}) == []


async def test_the_updated_window_is_strictly_after_its_start_and_before_its_end(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    times = {
        "feb": "2026-02-28T23:59:59+00:00",
        "march_1": "2026-03-01T00:00:00+00:00",
        "march_31": "2026-03-31T23:59:59+00:00",
        "april_1": "2026-04-01T00:00:00+00:00",
    }
    made = {}
    for label, moment in times.items():
        made[label] = await application(jsonapi)
        await _touched_at(tenant, made[label], moment)
    march = {"updated_start_date": "2026-03-01", "updated_end_date": "2026-04-01"}
    assert await _ids(jsonapi, **march) == [made["march_31"]]  # not at 00:00:00 itself
    assert await _ids(jsonapi, **{"filter[updated_start_date]": "2026-03-31T23:59:58Z"}) == [
        made["march_31"],
        made["april_1"],
    ]
    assert await _ids(jsonapi, **{"filter[updated_start_date]": "2026-03-31T23:59:59Z"}) == [
        made["april_1"]
    ]
    assert await _ids(jsonapi, updated_end_date="2026-03-01T01:00:00+01:00") == [made["feb"]]


async def test_an_offset_sent_with_an_unencoded_plus_is_read_as_that_offset(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    """``+`` in a query string is a space: ``…T23:59:59+00:00`` sent as it is arrives as
    ``…T23:59:59 00:00``, and is read as the offset it was."""
    march_31, april_1 = await application(jsonapi), await application(jsonapi)
    await _touched_at(tenant, march_31, "2026-03-31T23:59:59+00:00")
    await _touched_at(tenant, april_1, "2026-04-01T00:00:00+00:00")
    unencoded = await jsonapi.get(f"{APPLICATIONS}?updated_start_date=2026-03-31T23:59:59+00:00")
    assert unencoded.status_code == 200, unencoded.text
    assert [item["id"] for item in unencoded.json()["data"]] == [april_1]
    east = await jsonapi.get(f"{APPLICATIONS}?updated_end_date=2026-04-01T02:00:00+02:00")
    assert [item["id"] for item in east.json()["data"]] == [march_31]
    # Only a trailing HH:MM after a time is taken so: any other space is still refused.
    for value in ("2026-03-31T23:59:59 0000", "2026-03-31T23:59:59  00:00", "2026-03-31T23:59 00"):
        refused = await jsonapi.get(APPLICATIONS, params={"updated_start_date": value})
        assert refused.status_code == 400, value
        assert refused.json()["errors"][0]["source"] == {"parameter": "updated_start_date"}


async def test_a_filter_given_twice_or_wrong_is_400_naming_it(jsonapi: httpx.AsyncClient) -> None:
    twice = await jsonapi.get(APPLICATIONS, params={"status": "closed", "filter[status]": "closed"})
    assert twice.status_code == 400
    wrong = await jsonapi.get(APPLICATIONS, params={"filter[status]": "pending"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["source"] == {"parameter": "filter[status]"}


async def test_sorts_by_bintis_fields_undated_last_ascending_first_descending_ties_by_id(
    jsonapi: httpx.AsyncClient,
) -> None:
    early = await application(jsonapi, **{"date-of-inquiry": "2024-01-01"})
    undated = await application(jsonapi)
    late = await application(
        jsonapi, **{"date-of-inquiry": "2024-06-01", "status-date": "2024-02-01"}
    )
    also_late = await application(
        jsonapi, **{"date-of-inquiry": "2024-06-01", "status-date": "2024-01-01"}
    )
    # Ties of the last key go by id, in the first key's direction (ids grow as records are made).
    assert await _ids(jsonapi, sort="date_of_inquiry") == [early, late, also_late, undated]
    assert await _ids(jsonapi, sort="-date_of_inquiry") == [undated, also_late, late, early]
    # A second key decides the ties of the first.
    assert await _ids(jsonapi, sort="-date_of_inquiry,status_date") == [
        undated,
        also_late,
        late,
        early,
    ]
    listed = (await jsonapi.get(APPLICATIONS, params={"sort": "-status_date,-created_at"})).json()
    # early and undated date their status from today, the other two from 2024.
    assert [item["id"] for item in listed["data"]] == [undated, early, late, also_late]
    assert listed["meta"]["sort"] == {"status_date": "desc", "created_at": "desc"}


@pytest.mark.parametrize(
    "sort", ["status", "created_at,", "created_at,-created_at", "name", "--created_at", ""]
)
async def test_a_sort_binti_does_not_list_is_400(jsonapi: httpx.AsyncClient, sort: str) -> None:
    response = await jsonapi.get(APPLICATIONS, params={"sort": sort})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["source"] == {"parameter": "sort"}


# --- the caseworker-assigned date -------------------------------------------------------------


async def test_the_first_assignment_dates_the_application_and_nothing_moves_it(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    application_id = await application(jsonapi)
    first, second = await worker(jsonapi), await worker(jsonapi, email="second@example.org")
    made = await jsonapi.post(
        "/api/v1/worker_assignments", json=application_assignment(application_id, first)
    )
    assert made.status_code == 201
    assert (await _attributes(jsonapi, application_id))["caseworker-assigned-date"] == TODAY
    # An earlier day than today, so that any later change to it would show.
    async with tenant.db.transaction() as tx:
        await tx.execute(
            "UPDATE applications SET caseworker_assigned_date = :day"
            " WHERE agency_id = :agency AND id = :id",
            {"day": date(2020, 2, 2), "agency": tenant.agency_id, "id": application_id},
        )

    await jsonapi.post(
        "/api/v1/worker_assignments",
        json=application_assignment(application_id, second, "approvals"),
    )
    listed = await jsonapi.get(f"{APPLICATIONS}/{application_id}/relationships/worker_assignments")
    for assignment in listed.json()["data"]:
        deleted = await jsonapi.delete(f"/api/v1/worker_assignments/{assignment['id']}")
        assert deleted.status_code == 204
    shown = await _attributes(jsonapi, application_id)
    assert shown["caseworker-assigned-date"] == "2020-02-02"


async def test_the_caseworker_assigned_date_is_not_the_clients_to_set(
    jsonapi: httpx.AsyncClient,
) -> None:
    application_id = await application(jsonapi)
    response = await jsonapi.patch(
        f"{APPLICATIONS}/{application_id}",
        json={
            "data": {
                "type": "applications",
                "id": application_id,
                "attributes": {"caseworker-assigned-date": "2020-02-02"},
            }
        },
    )
    assert response.status_code == 422
    pointer = "/data/attributes/caseworker-assigned-date"
    assert response.json()["errors"][0]["source"] == {"pointer": pointer}
