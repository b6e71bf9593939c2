"""Plain ``date`` and ``number`` template filters for as long as the environment has none of
its own (the locale-aware ones take their place when present)."""

from __future__ import annotations

from datetime import date, datetime

from caseworks.console.rendering import environment


def _plain_date(value: date | datetime | str) -> str:
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def _plain_number(value: int) -> str:
    return str(value)


environment.filters.setdefault("date", _plain_date)
environment.filters.setdefault("number", _plain_number)
