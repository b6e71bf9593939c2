"""Time in UTC, to the second, as the wire shows it (``2025-11-01T00:00:00Z``)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_utc(value: datetime) -> datetime:
    """Normalise an incoming timestamp: naive means UTC; stored to the second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def wire(value: datetime | None) -> str | None:
    return None if value is None else to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
