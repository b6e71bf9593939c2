"""The agency's settings over the mentoring API: admins read and change them, key by key."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from caseworks.auth.agencies import SETTINGS_COLUMNS, AgencySettings, AgencySettingsUpdate
from caseworks.auth.principal import Role
from caseworks.db import Database
from tests.support.mentoring import create_mentor
from tests.support.tenants import Tenant

URL = "/api/v1/agency/settings"
DEFAULTS: dict[str, Any] = {
    "stale_after_days": 30,
    "default_mentor_capacity": None,
    "time_zone": "UTC",
    "digest_weekday": 1,
    "digest_hour": 8,
    "digest_recipients": [],
}


async def test_an_admin_reads_the_defaults(api: httpx.AsyncClient) -> None:
    response = await api.get(URL)
    assert response.status_code == 200
    assert response.json() == DEFAULTS


async def test_put_changes_only_the_keys_sent_and_answers_all_settings(
    api: httpx.AsyncClient,
) -> None:
    response = await api.put(
        URL,
        json={"time_zone": "Europe/Oslo", "digest_recipients": ["Lead@Example.ORG"]},
    )
    assert response.status_code == 200, response.text
    # The address as normalised (the domain lower-cased), stored as written back.
    changed = DEFAULTS | {"time_zone": "Europe/Oslo", "digest_recipients": ["Lead@example.org"]}
    assert response.json() == changed
    assert (await api.get(URL)).json() == changed

    again = await api.put(URL, json={"default_mentor_capacity": 5, "digest_hour": 23})
    assert again.json() == changed | {"default_mentor_capacity": 5, "digest_hour": 23}


async def test_null_clears_the_default_capacity(api: httpx.AsyncClient) -> None:
    await api.put(URL, json={"default_mentor_capacity": 12})
    cleared = await api.put(URL, json={"default_mentor_capacity": None})
    assert cleared.status_code == 200
    assert cleared.json()["default_mentor_capacity"] is None


@pytest.mark.parametrize("key", [key for key in DEFAULTS if key != "default_mentor_capacity"])
async def test_other_keys_cannot_be_null(api: httpx.AsyncClient, key: str) -> None:
    valid = {"stale_after_days": 9} if key != "stale_after_days" else {"digest_hour": 9}
    response = await api.put(URL, json={key: None, **valid})
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [f"/{key}"]
    assert (await api.get(URL)).json() == DEFAULTS  # nothing written, not even the valid key


async def test_every_null_is_named_at_once(api: httpx.AsyncClient) -> None:
    response = await api.put(URL, json={"time_zone": None, "digest_recipients": None})
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/time_zone", "/digest_recipients"}


# Each key at and just past its bounds.
ACCEPTED = [
    ("stale_after_days", 1),
    ("stale_after_days", 3650),
    ("default_mentor_capacity", 0),
    ("default_mentor_capacity", 10_000),
    ("time_zone", "America/Argentina/Buenos_Aires"),
    ("time_zone", "UTC"),
    ("digest_weekday", 1),
    ("digest_weekday", 7),
    ("digest_hour", 0),
    ("digest_hour", 23),
    ("digest_recipients", []),
    ("digest_recipients", [f"staff{number}@example.org" for number in range(50)]),
]
REFUSED = [
    ("stale_after_days", 0),
    ("stale_after_days", 3651),
    ("stale_after_days", "30"),
    ("stale_after_days", 30.5),
    ("stale_after_days", True),
    ("default_mentor_capacity", -1),
    ("default_mentor_capacity", 10_001),
    ("default_mentor_capacity", "5"),
    ("time_zone", "Mars/Olympus"),
    ("time_zone", "/etc/localtime"),
    ("time_zone", "europe/oslo"),
    ("time_zone", ""),
    ("time_zone", "A" * 65),
    ("time_zone", 1),
    ("digest_weekday", 0),
    ("digest_weekday", 8),
    ("digest_hour", -1),
    ("digest_hour", 24),
    ("digest_recipients", "lead@example.org"),
    ("digest_recipients", ["not an address"]),
    ("digest_recipients", ["lead@example.org", "LEAD@example.org"]),
    ("digest_recipients", ["Lead <lead@example.org>"]),
    ("digest_recipients", [f"staff{number}@example.org" for number in range(51)]),
]


@pytest.mark.parametrize(("key", "value"), ACCEPTED)
async def test_values_within_bounds_are_stored(
    api: httpx.AsyncClient, key: str, value: object
) -> None:
    response = await api.put(URL, json={key: value})
    assert response.status_code == 200, response.text
    assert response.json()[key] == value


@pytest.mark.parametrize(("key", "value"), REFUSED)
async def test_values_out_of_bounds_are_422_naming_the_key(
    api: httpx.AsyncClient, key: str, value: object
) -> None:
    response = await api.put(URL, json={key: value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    pointers = [error["pointer"] for error in response.json()["errors"]]
    assert pointers
    assert all(pointer.split("/")[1] == key for pointer in pointers), pointers
    assert (await api.get(URL)).json() == DEFAULTS


@pytest.mark.parametrize("body", [{}, {"agency_id": "agency_x"}, {"name": "New name"}])
async def test_an_empty_body_or_an_unknown_key_is_422(
    api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await api.put(URL, json=body)
    assert response.status_code == 422
    expected = [f"/{key}" for key in body] or [""]
    assert [error["pointer"] for error in response.json()["errors"]] == expected


async def test_a_change_is_audited_with_the_key_names_never_the_values(
    db: Database, tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await api.put(URL, json={"digest_recipients": ["lead@example.org"], "digest_hour": 7})
    events = await db.fetch_all(
        "SELECT * FROM audit_events WHERE agency_id = :a AND subject_type = 'agency'",
        {"a": tenant.agency_id},
    )
    [event] = events
    assert (event["action"], event["subject_id"]) == ("settings_updated", tenant.agency_id)
    assert orjson.loads(event["details"]) == {"fields": ["digest_hour", "digest_recipients"]}
    assert "lead@example.org" not in str(event)
    assert event["actor_role"] == "admin"


async def test_a_refused_change_writes_no_event(
    db: Database, tenant: Tenant, api: httpx.AsyncClient
) -> None:
    await api.put(URL, json={"digest_hour": 24})
    count = await db.fetch_value(
        "SELECT count(*) FROM audit_events WHERE agency_id = :a", {"a": tenant.agency_id}
    )
    assert count == 0


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER, Role.MENTOR])
async def test_only_admins_read_or_change_settings(
    tenant: Tenant, api: httpx.AsyncClient, role: Role
) -> None:
    mentor_id = (await create_mentor(api))["mentor_id"] if role is Role.MENTOR else None
    token = await tenant.token(role, mentor_id=mentor_id)
    async with tenant.client(token) as client:
        assert (await client.get(URL)).status_code == 403
        assert (await client.put(URL, json={"digest_hour": 9})).status_code == 403
        # Refused for the role, before the body is read: a bad body changes nothing.
        assert (await client.put(URL, json={"digest_hour": 99})).status_code == 403


async def test_an_admin_changes_its_own_agency_only(tenant: Tenant, other_tenant: Tenant) -> None:
    async with other_tenant.client(other_tenant.admin_token) as other:
        assert (await other.put(URL, json={"stale_after_days": 7})).status_code == 200
    async with tenant.client(tenant.admin_token) as own:
        assert (await own.get(URL)).json()["stale_after_days"] == 30


def test_the_update_model_takes_every_setting_and_nothing_else() -> None:
    assert tuple(AgencySettingsUpdate.model_fields) == SETTINGS_COLUMNS
    schema = AgencySettings.model_json_schema()["properties"]
    update = AgencySettingsUpdate.model_json_schema()["properties"]
    for key in SETTINGS_COLUMNS:  # the same bounds, only null added
        assert {"type": "null"} in update[key]["anyOf"]
        assert _bounds(update[key]["anyOf"]) == _bounds(schema[key].get("anyOf", [schema[key]]))


NULL = {"type": "null"}


def _bounds(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The non-null options of a schema, without their titles and descriptions."""
    return [
        {key: value for key, value in option.items() if key not in ("title", "description")}
        for option in options
        if option != NULL
    ]
