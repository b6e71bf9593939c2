"""SQL of the outbox, and nothing else."""

from __future__ import annotations

from datetime import datetime

from caseworks.db import Executor, Row

_DUE = """
    sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= :now
    AND (lease_until IS NULL OR lease_until < :now)
"""


async def claim(
    tx: Executor, owner: str, now: datetime, lease_until: datetime, batch: int
) -> list[Row]:
    """Take a lease on due messages. On PostgreSQL rows another dispatcher is claiming are
    skipped, not waited for; SQLite writers are serialised anyway."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if tx.dialect == "postgresql" else ""
    return await tx.fetch_all(
        f"""
        UPDATE outbox SET lease_owner = :owner, lease_until = :lease_until
        WHERE (agency_id, id) IN (
            SELECT agency_id, id FROM outbox WHERE {_DUE}
            ORDER BY next_attempt_at LIMIT :batch{skip_locked}
        )
        RETURNING agency_id, id, message_id, recipient, subject, body, created_at, attempts
        """,
        {"owner": owner, "now": now, "lease_until": lease_until, "batch": batch},
    )


async def mark_sent(tx: Executor, row: Row, owner: str, now: datetime) -> None:
    await tx.execute(
        """
        UPDATE outbox SET sent_at = :now, attempts = attempts + 1, lease_owner = NULL,
                          lease_until = NULL, last_error = NULL
        WHERE agency_id = :agency_id AND id = :id AND lease_owner = :owner
        """,
        {"now": now, "agency_id": row["agency_id"], "id": row["id"], "owner": owner},
    )


async def mark_failed(
    tx: Executor,
    row: Row,
    owner: str,
    error: str,
    next_attempt_at: datetime | None,
    now: datetime,
) -> None:
    """Record a failed attempt: retry at ``next_attempt_at``, or never (None)."""
    await tx.execute(
        """
        UPDATE outbox SET attempts = attempts + 1, last_error = :error, lease_owner = NULL,
                          lease_until = NULL,
                          next_attempt_at = COALESCE(:next_attempt_at, next_attempt_at),
                          failed_at = :failed_at
        WHERE agency_id = :agency_id AND id = :id AND lease_owner = :owner
        """,
        {
            "error": error,
            "next_attempt_at": next_attempt_at,
            "failed_at": now if next_attempt_at is None else None,
            "agency_id": row["agency_id"],
            "id": row["id"],
            "owner": owner,
        },
    )
