"""Ids: prefixed, random, and in creation order."""

from __future__ import annotations

import time

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


def test_an_id_spells_its_milliseconds_first_in_crockford_base32() -> None:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    before = time.time_ns() // 1_000_000
    made = new_id("evt")
    after = time.time_ns() // 1_000_000
    suffix = made.removeprefix("evt_")
    value = 0
    for char in suffix:
        value = value << 5 | alphabet.index(char)
    assert len(suffix) == 26
    assert before <= value >> 80 <= after
