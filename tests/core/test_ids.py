"""Ids: prefixed, random, and in creation order."""

from __future__ import annotations

from caseworks.core.ids import is_client_id, is_valid_id, new_id


def test_new_ids_sort_in_creation_order_even_within_a_millisecond() -> None:
    ids = [new_id("assign") for _ in range(10_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(value.startswith("assign_") and len(value) == len("assign_") + 26 for value in ids)


def test_client_ids_and_valid_ids() -> None:
    assert is_client_id("mentor_a1b2c3", "mentor")
    assert not is_client_id("mentor_a1", "mentor")
    assert not is_client_id("contact_a1b2c3", "mentor")
    assert is_valid_id(new_id("x"))
    assert not is_valid_id("a\x00b")
    assert not is_valid_id("a" * 65)
