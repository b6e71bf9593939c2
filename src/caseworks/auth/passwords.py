"""Passwords: argon2id hashes, a minimum length, and a bundled list of common passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_COMMON = Path(__file__).parent / "common_passwords.txt"
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip())


def weakness(password: str) -> str | None:
    """Why ``password`` may not be used, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters long"
    if password.casefold() in common_passwords():
        return "is too common; choose another"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (rehash at sign-in)."""
    return _hasher.check_needs_rehash(stored_hash)
