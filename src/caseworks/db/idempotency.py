"""``Idempotency-Key`` on creates, so a client can retry a POST whose answer it never got.

A create sent with a key claims it as the first statement of its own transaction, naming the
record it makes. The claim commits with the record or not at all, so a retry with the same key
either finds the record the first attempt made and is answered with it, or finds nothing and
creates it: never two records. A retry that arrives while the first attempt is still running
waits for it (the claim's row lock) and then finds its record. Keys belong to the agency and are
honoured for 24 hours; a key sent again with a different request is refused.

``create_once`` is the only way in: it opens the transaction, claims the key in it, and hands
the create that transaction alone, so a record cannot be written outside its claim. Reading the
key from a request is the web layer's (``web/idempotency_header.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from caseworks.core.errors import FieldProblem, Invalid
from caseworks.core.timestamps import utc_now
from caseworks.db.base import ConstraintViolation, Database, Executor

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)

T = TypeVar("T")


@dataclass(frozen=True)
class IdempotentRequest:
    key: str
    fingerprint: str  # of method, path and body: what the key stands for


@dataclass(frozen=True)
class Claim:
    """A create's claim on its key (if the request brought one), for the record it makes."""

    agency_id: str
    request: IdempotentRequest | None
    subject_type: str
    subject_id: str


class KeyClaimed(Exception):
    """Another attempt with the same key committed first."""


async def create_once(
    db: Database,
    claim: Claim,
    create: Callable[[Executor], Awaitable[T]],
    fetch: Callable[[str], Awaitable[T]],
) -> tuple[T, bool]:
    """``create(tx)`` in a new transaction whose first statement claims the key; or, when the key
    already made a record, ``fetch`` of that record's id. Returns the result and whether it was
    a replay."""
    if claim.request is not None:
        made = await _earlier(db, claim.agency_id, claim.request)
        if made is not None:
            return await fetch(made), True
    try:
        async with db.transaction() as tx:
            await _claim(tx, claim)
            return await create(tx), False
    except KeyClaimed:  # a simultaneous attempt committed first: answer with its record
        assert claim.request is not None, "only a key can be claimed"
        made = await _earlier(db, claim.agency_id, claim.request)
        assert made is not None, "a claimed key is committed before it is seen"
        return await fetch(made), True


async def _claim(tx: Executor, claim: Claim) -> None:
    if claim.request is None:
        return
    now = utc_now()
    key = {"agency_id": claim.agency_id, "key": claim.request.key}
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
                "fingerprint": claim.request.fingerprint,
                "subject_type": claim.subject_type,
                "subject_id": claim.subject_id,
                "now": now,
            },
        )
    except ConstraintViolation as violation:
        if violation.kind == "unique":
            raise KeyClaimed from violation
        raise


async def _earlier(db: Executor, agency_id: str, request: IdempotentRequest) -> str | None:
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
