"""A ``sort`` parameter read into (field, direction) pairs."""

from __future__ import annotations

import re

import pytest

from caseworks.core.sort_keys import parse_sort, sort_pattern

FIELDS = ("created_at", "status_date")


def test_a_comma_list_is_read_in_order_with_its_directions() -> None:
    assert parse_sort("-status_date,created_at", FIELDS) == [
        ("status_date", "desc"),
        ("created_at", "asc"),
    ]


@pytest.mark.parametrize(
    "value", ["", "name", "created_at,", ",created_at", "--created_at", "created_at,-created_at"]
)
def test_anything_else_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"must be some of|names"):
        parse_sort(value, FIELDS)


def test_the_pattern_takes_what_parse_takes_but_a_field_named_twice() -> None:
    pattern = re.compile(sort_pattern(FIELDS))
    assert pattern.fullmatch("-status_date,created_at")
    assert pattern.fullmatch("created_at,-created_at")  # refused by parse_sort, not the pattern
    for wrong in ("", "name", "created_at,", "--created_at", "created_at status_date"):
        assert not pattern.fullmatch(wrong)
