"""The ``sort`` query parameter: a comma list of fields, each ascending or, after ``-``, descending.

A resource names the fields it sorts by (``SortFields``); the parsed value is a sequence of
(field, direction) pairs (``sort_keys``), which the queries turn into ``ORDER BY`` and a
collection's ``meta`` can show. Each field may be named once: ``sort=last_name,-last_name`` has no
single meaning, so it is refused rather than read one way or the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from annotated_types import GroupedMetadata, MaxLen
from pydantic import AfterValidator, WithJsonSchema

Direction = Literal["asc", "desc"]
SortKey = tuple[str, Direction]


def sort_keys(text: str) -> tuple[SortKey, ...]:
    """``last_name,-date_of_birth`` → ``(("last_name", "asc"), ("date_of_birth", "desc"))``."""
    return tuple(
        (item[1:], "desc") if item.startswith("-") else (item, "asc") for item in text.split(",")
    )


def _checked(fields: Sequence[str]) -> Callable[[str], str]:
    allowed = set(fields)

    def check(value: str) -> str:
        keys = sort_keys(value)
        unknown = [field for field, _ in keys if field not in allowed]
        if unknown:
            raise ValueError(
                f"cannot sort by {unknown[0]!r}: sort by some of {', '.join(fields)}, separated"
                " by commas, each with - for descending"
            )
        named = [field for field, _ in keys]
        repeated = [field for index, field in enumerate(named) if field in named[:index]]
        if repeated:
            raise ValueError(f"names {repeated[0]!r} more than once: name each field once")
        return value

    return check


@dataclass(frozen=True)
class SortFields(GroupedMetadata):
    """What makes a ``sort`` parameter over ``fields``, for a query model:
    ``sort: Annotated[str, SortFields(("created_at", "last_name"))] = "created_at"``.

    The pattern in the OpenAPI document takes exactly the lists the check takes, but for a field
    named twice, which a pattern cannot say."""

    fields: tuple[str, ...]

    def __iter__(self) -> Iterator[object]:
        one = "-?(?:" + "|".join(re.escape(field) for field in self.fields) + ")"
        longest = len(",-".join(self.fields)) + 1  # every field once, each descending
        yield MaxLen(longest)
        yield AfterValidator(_checked(self.fields))
        yield WithJsonSchema(
            {
                "type": "string",
                "pattern": f"^{one}(?:,{one})*$",
                "maxLength": longest,
                "description": (
                    f"Some of {', '.join(self.fields)}, separated by commas, each at most once;"
                    " `-` for descending. Ties are broken by id."
                ),
            }
        )
