"""An agency's settings: the schema's defaults until they are changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from caseworks.auth.agencies import AgencySettings, read_settings
from caseworks.db import Database
from tests.support.tenants import Tenant


async def test_a_new_agency_has_the_default_settings(db: Database, tenant: Tenant) -> None:
    settings = await read_settings(db, tenant.agency_id)

    assert settings.model_dump() == {
        "stale_after_days": 30,
        "default_mentor_capacity": None,
        "time_zone": "UTC",
        "digest_weekday": 1,
        "digest_hour": 8,
        "digest_recipients": [],
    }
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert settings.stale_before(now) == datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("time_zone", "Mars/Olympus"),
        ("time_zone", "/etc/passwd"),
        ("stale_after_days", 0),
        ("stale_after_days", "30"),
        ("digest_weekday", 8),
        ("digest_hour", 24),
        ("default_mentor_capacity", -1),
        ("digest_recipients", ["a@example.org", "A@example.org"]),
        ("digest_recipients", ["not an address"]),
    ],
)
def test_settings_refuse_values_out_of_range(key: str, value: object) -> None:
    good: dict[str, object] = {
        "stale_after_days": 30,
        "default_mentor_capacity": None,
        "time_zone": "Europe/Oslo",
        "digest_weekday": 1,
        "digest_hour": 8,
        "digest_recipients": [],
    }
    AgencySettings.model_validate(good)
    with pytest.raises(ValidationError) as raised:
        AgencySettings.model_validate(good | {key: value})
    assert raised.value.errors()[0]["loc"][0] == key
