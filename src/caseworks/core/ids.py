"""Opaque prefixed ids: ``assign_…``, ``mentor_…``.

A generated id is 26 lowercase base32 characters: 48 bits of milliseconds then 80 random bits
(the ULID layout). Time first keeps new rows together in the primary-key index and gives a stable
creation order to break ties between equal timestamps.
"""

from __future__ import annotations

import re
import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lowercase

# A client may bring its own id when importing records: a prefix, "_", 3–40 letters or digits.
CLIENT_ID_SUFFIX = re.compile(r"[A-Za-z0-9]{3,40}")

# A Binti-compatible record a client creates may bring its own id (an agency moving from Binti
# keeps its integer ids, "48213"): 1–40 letters, digits, "_" or "-", which need no escaping in a
# URL.
CLIENT_RECORD_ID = re.compile(r"[A-Za-z0-9_\-]{1,40}")
MAX_CLIENT_RECORD_ID = 40

# Any id the service can hold (generated, imported, or a client's own); anything else (NUL
# bytes, 10 kB strings) cannot name a record.
ID_PATTERN = r"[A-Za-z0-9_\-]{1,64}"
ANY_ID = re.compile(ID_PATTERN)


_last = (0, 0)  # (milliseconds, random part) of the last id made here
# Every pair of characters, indexed by the ten bits they spell: an id is written 13 pairs at a
# time instead of 26 characters (an import makes an id for each of its audit events).
_PAIRS = tuple(first + second for first in _ALPHABET for second in _ALPHABET)
_PAIR_SHIFTS = tuple(range(120, -1, -10))  # 130 bits, the most significant pair first


def new_id(prefix: str) -> str:
    """Monotonic within a process (ULID style): an id made later sorts later, even within the
    same millisecond, where the random part of the previous id is incremented."""
    global _last
    milliseconds, randomness = time.time_ns() // 1_000_000, secrets.randbits(80)
    if milliseconds <= _last[0]:
        milliseconds, randomness = _last[0], _last[1] + 1
    _last = (milliseconds, randomness)
    value = milliseconds << 80 | randomness
    return f"{prefix}_{''.join([_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])}"


def is_client_id(value: str, prefix: str) -> bool:
    head, sep, suffix = value.partition("_")
    return head == prefix and sep == "_" and CLIENT_ID_SUFFIX.fullmatch(suffix) is not None


def is_client_record_id(value: str) -> bool:
    return CLIENT_RECORD_ID.fullmatch(value) is not None


def is_valid_id(value: str) -> bool:
    return ANY_ID.fullmatch(value) is not None
