"""Passwords: argon2id, at least twelve characters, never a common one."""

from __future__ import annotations

from argon2 import PasswordHasher

from caseworks.auth.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
    weakness,
)


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies_only_itself() -> None:
    stored = hash_password("a long enough phrase")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough phrase")
    assert not verify_password(stored, "a long enough phrasE")
    assert not verify_password("not a hash", "a long enough phrase")


def test_short_and_common_passwords_are_refused_whatever_their_case() -> None:
    assert weakness("short pass") == "must be at least 12 characters long"
    assert weakness("Password1234") == "is too common; choose another"
    assert weakness("QWERTYUIOP12") == "is too common; choose another"
    assert weakness("tangerine kayak lantern") is None


def test_a_hash_made_with_other_parameters_needs_a_rehash() -> None:
    weaker = PasswordHasher(time_cost=1, memory_cost=8192).hash("a long enough phrase")
    assert needs_rehash(weaker)
    assert not needs_rehash(hash_password("a long enough phrase"))
