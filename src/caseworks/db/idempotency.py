"""``Idempotency-Key`` on creates, so a client can retry a POST whose answer it never got.

A create sent with a key claims it as the first statement of its own transaction, naming the
record it makes. The claim commits with the record or not at all, so a retry with the same key
either finds the record the first attempt made and is answered with it, or finds nothing and
creates it: never two records. A retry that arrives while the first attempt is still running
waits for it (the claim's row lock) and then finds its record. Keys belong to the agency and are
honoured for 24 hours; a key sent again with a different request is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from starlette.requests import Request

from caseworks.core.errors import BadRequest, FieldProblem, Invalid
from caseworks.core.timestamps import utc_now
from caseworks.db import ConstraintViolation, Executor
from caseworks.web.origin import origins_of

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on an answer given from an earlier attempt's record
RETENTION = timedelta(hours=24)
MAX_LENGTH = 255

# Visible ASCII; a quote or backslash would need escaping in the Structured Field string.
_KEY_CHARACTERS = frozenset(chr(code) for code in range(0x21, 0x7F)) - {'"', "\\"}

T = TypeVar("T")


@dataclass(frozen=True)
class IdempotentRequest:
    key: str
    fingerprint: str  # of method, path and body: what the key stands for


OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "description": "Retry safely: a create repeated with the same key within 24 hours"
            " is answered with the record the first attempt made, never a second one.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
        }
    ]
}


class KeyClaimed(Exception):
    """Another attempt with the same key committed first."""


async def of(request: Request) -> IdempotentRequest | None:
    """The key a request brings, if any; 400 unless it is 1–255 visible ASCII characters."""
    raw = request.headers.get(HEADER.lower())
    if raw is None:
        return None
    # The header is a Structured Field string ("…"); a bare token is accepted as well.
    key = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    if not 0 < len(key) <= MAX_LENGTH or not all(char in _KEY_CHARACTERS for char in key):
        detail = f'{HEADER} must be 1–{MAX_LENGTH} visible ASCII characters other than " and \\'
        raise BadRequest(detail, [FieldProblem(detail, header=HEADER)])
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), await request.body()):
        digest.update(len(part).to_bytes(8, "big") + part)
    return IdempotentRequest(key, digest.hexdigest())


async def claim(
    tx: Executor,
    agency_id: str,
    request: IdempotentRequest | None,
    subject_type: str,
    subject_id: str,
) -> None:
    """Claim the key for the record this transaction makes: its first statement."""
    if request is None:
        return
    now = utc_now()
    key = {"agency_id": agency_id, "key": request.key}
    await tx.execute(
        "DELETE FROM idempotency_keys"
        " WHERE agency_id = :agency_id AND key = :key AND created_at < :expired",
        key | {"expired": now - RETENTION},
    )
    try:
        await tx.execute(
            "INSERT INTO idempotency_keys"
            " (agency_id, key, fingerprint, subject_type, subject_id, created_at)"
            " VALUES (:agency_id, :key, :fingerprint, :subject_type, :subject_id, :now)",
            key
            | {
                "fingerprint": request.fingerprint,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "now": now,
            },
        )
    except ConstraintViolation as violation:
        if violation.kind == "unique":
            raise KeyClaimed from violation
        raise


async def earlier(db: Executor, agency_id: str, request: IdempotentRequest) -> str | None:
    """The id of the record an earlier attempt with this key made, if it committed."""
    row = await db.fetch_one(
        "SELECT fingerprint, subject_id FROM idempotency_keys"
        " WHERE agency_id = :agency_id AND key = :key AND created_at >= :live",
        {"agency_id": agency_id, "key": request.key, "live": utc_now() - RETENTION},
    )
    if row is None:
        return None
    if row["fingerprint"] != request.fingerprint:
        detail = f"this {HEADER} was already used for a different request"
        raise Invalid(detail, [FieldProblem(detail, header=HEADER)])
    return str(row["subject_id"])


def created_headers(request: Request, path: str, replayed: bool) -> dict[str, str]:
    """The headers of a 201: ``Location`` (absolute under the public URL, if one is configured),
    and whether an earlier attempt made the record."""
    location = origins_of(request.scope).location(path)
    return {"Location": location} | ({REPLAYED: "true"} if replayed else {})


async def create_once(
    db: Executor,
    agency_id: str,
    request: IdempotentRequest | None,
    create: Callable[[], Awaitable[T]],
    fetch: Callable[[str], Awaitable[T]],
) -> tuple[T, bool]:
    """``create()``, or, when this key already made a record, ``fetch`` of it; and whether it
    was a replay. ``create`` must ``claim`` the key in its transaction."""
    if request is None:
        return await create(), False
    made = await earlier(db, agency_id, request)
    if made is None:
        try:
            return await create(), False
        except KeyClaimed:  # a simultaneous attempt committed first: answer with its record
            made = await earlier(db, agency_id, request)
            assert made is not None, "a claimed key is committed before it is seen"
    return await fetch(made), True
