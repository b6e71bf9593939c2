"""A ``sort`` query parameter as JSON:API writes it (``-status_date,created_at``), read into
(field, direction) pairs. What may be sorted by is each list's own business; this knows only
the spelling."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Direction = Literal["asc", "desc"]
SortKey = tuple[str, Direction]


def parse_sort(value: str, fields: Iterable[str]) -> list[SortKey]:
    """The keys ``value`` names, in order; ValueError for a name not in ``fields``, an empty
    item or a field named twice (which of the two would win is no one's guess)."""
    allowed = tuple(fields)
    keys: list[SortKey] = []
    for item in value.split(","):
        name, direction = (item[1:], "desc") if item.startswith("-") else (item, "asc")
        if name not in allowed:
            raise ValueError(
                f"must be some of {', '.join(allowed)}, separated by commas, each with - for"
                " descending"
            )
        if any(name == seen for seen, _ in keys):
            raise ValueError(f"names {name} twice")
        keys.append((name, "desc" if direction == "desc" else "asc"))
    return keys


def sort_pattern(fields: Iterable[str]) -> str:
    """A regular expression of the lists ``parse_sort`` reads (a field twice aside)."""
    one = f"-?(?:{'|'.join(re.escape(field) for field in fields)})"
    return f"^{one}(?:,{one})*$"
