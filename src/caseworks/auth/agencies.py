"""Agencies: the tenants every record belongs to, and each agency's settings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from caseworks.core.ids import new_id
from caseworks.core.text import Email
from caseworks.core.timestamps import utc_now
from caseworks.db import Executor


async def create_agency(db: Executor, name: str, agency_id: str | None = None) -> str:
    agency_id = agency_id or new_id("agency")
    await db.execute(
        "INSERT INTO agencies (id, name, created_at) VALUES (:id, :name, :now)",
        {"id": agency_id, "name": name, "now": utc_now()},
    )
    return agency_id


async def agency_exists(db: Executor, agency_id: str) -> bool:
    found = await db.fetch_value("SELECT 1 FROM agencies WHERE id = :id", {"id": agency_id})
    return found is not None


async def sole_agency(db: Executor) -> str | None:
    """The agency's id when there is exactly one (a command may then leave it unnamed)."""
    rows = await db.fetch_all("SELECT id FROM agencies ORDER BY id LIMIT 2")
    return str(rows[0]["id"]) if len(rows) == 1 else None


# --- settings ------------------------------------------------------------------------------------


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the zone database's files: once


def _time_zone(name: str) -> str:
    # Only the IANA names the zone database lists ("Europe/Oslo", "UTC"), not the file paths
    # ZoneInfo would also open.
    if name not in _zone_names():
        raise ValueError("must be an IANA time zone name such as Europe/Oslo or UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("must be an IANA time zone name such as Europe/Oslo or UTC") from error
    return name


def _distinct(addresses: list[str]) -> list[str]:
    if len({address.lower() for address in addresses}) != len(addresses):
        raise ValueError("lists an address twice")
    return addresses


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_time_zone)]
StaleAfterDays = Annotated[StrictInt, Field(ge=1, le=3650)]
Capacity = Annotated[StrictInt, Field(ge=0, le=10_000)]
Weekday = Annotated[StrictInt, Field(ge=1, le=7, description="ISO weekday: Monday is 1.")]
Hour = Annotated[StrictInt, Field(ge=0, le=23, description="Hour of the day, in time_zone.")]
Recipients = Annotated[list[Email], Field(max_length=50), AfterValidator(_distinct)]


class AgencySettings(BaseModel):
    """An agency's settings as stored (the columns of ``agencies``; their defaults are the
    schema's server defaults)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stale_after_days: StaleAfterDays = Field(
        description="An open assignment with no contact for longer than this is stale."
    )
    default_mentor_capacity: Capacity | None = Field(
        description="Open assignments a mentor may hold unless it has its own limit; null: none."
    )
    time_zone: TimeZoneName
    digest_weekday: Weekday
    digest_hour: Hour
    digest_recipients: Recipients

    def stale_before(self, now: datetime) -> datetime:
        """Open assignments whose last contact (or, with none, assignment) is before this are
        stale."""
        return now - timedelta(days=self.stale_after_days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


SETTINGS_COLUMNS = tuple(AgencySettings.model_fields)
# Column names from the model, never from a client.
_READ_SETTINGS = f"SELECT {', '.join(SETTINGS_COLUMNS)} FROM agencies WHERE id = :id"  # noqa: S608


async def read_settings(db: Executor, agency_id: str) -> AgencySettings:
    row = await db.fetch_one(_READ_SETTINGS, {"id": agency_id})
    if row is None:
        raise LookupError(f"no agency {agency_id}")
    return _settings(row)


def _settings(row: dict[str, Any]) -> AgencySettings:
    # Stored values were checked by the model when they were written: not checked again here.
    values = dict(row)
    values["digest_recipients"] = json.loads(values["digest_recipients"])
    return AgencySettings.model_construct(**values)
