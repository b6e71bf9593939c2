"""Audit events: who did what, when and why, written in the same transaction as the change.

Events hold ids, statuses and field names, never personal data, except the free-text ``reason`` a
caller gives; deleting a record scrubs the reasons of its earlier events and leaves a tombstone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from caseworks.auth import Principal
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import Executor, Row

INSERT_EVENT = """
INSERT INTO audit_events (agency_id, id, occurred_at, actor_token_id, actor_role, action,
                          subject_type, subject_id, from_status, to_status, reason, details)
VALUES (:agency_id, :id, :occurred_at, :actor_token_id, :actor_role, :action,
        :subject_type, :subject_id, :from_status, :to_status, :reason, :details)
"""


async def record(
    tx: Executor,
    actor: Principal,
    action: str,
    subject_type: str,
    subject_id: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    await tx.execute(
        INSERT_EVENT,
        {
            "agency_id": actor.agency_id,
            "id": new_id("evt"),
            "occurred_at": utc_now(),
            "actor_token_id": actor.token_id,
            "actor_role": actor.role.value,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "from_status": from_status,
            "to_status": to_status,
            "reason": reason,
            "details": None if details is None else orjson.dumps(details).decode(),
        },
    )


@dataclass(frozen=True)
class Event:
    """One event of a batch (``record_many``): what ``record`` takes beside the actor."""

    action: str
    subject_type: str
    subject_id: str
    from_status: str | None = None
    to_status: str | None = None
    details: dict[str, Any] | None = None


async def record_many(tx: Executor, actor: Principal, events: Sequence[Event]) -> None:
    """Many events of one actor at one moment, written in one batch (an import's)."""
    occurred_at = utc_now()
    await tx.execute_many(
        INSERT_EVENT,
        [
            {
                "agency_id": actor.agency_id,
                "id": new_id("evt"),
                "occurred_at": occurred_at,
                "actor_token_id": actor.token_id,
                "actor_role": actor.role.value,
                "action": event.action,
                "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": None,
                "details": None if event.details is None else orjson.dumps(event.details).decode(),
            }
            for event in events
        ],
    )


async def scrub_reasons(tx: Executor, agency_id: str, subject_type: str, subject_id: str) -> None:
    """Erase free text from a deleted record's earlier events; the events themselves stay."""
    await tx.execute(
        """
        UPDATE audit_events SET reason = NULL
        WHERE agency_id = :agency_id AND subject_type = :subject_type AND subject_id = :subject_id
        """,
        {"agency_id": agency_id, "subject_type": subject_type, "subject_id": subject_id},
    )


async def events_for(db: Executor, agency_id: str, subject_type: str, subject_id: str) -> list[Row]:
    rows = await db.fetch_all(
        """
        SELECT id AS event_id, occurred_at, actor_token_id, actor_role, action,
               from_status, to_status, reason, details
        FROM audit_events
        WHERE agency_id = :agency_id AND subject_type = :subject_type AND subject_id = :subject_id
        ORDER BY occurred_at, id
        """,
        {"agency_id": agency_id, "subject_type": subject_type, "subject_id": subject_id},
    )
    for row in rows:
        row["details"] = None if row["details"] is None else orjson.loads(row["details"])
    return rows


async def actor_names(db: Executor, agency_id: str, actor_ids: Sequence[str]) -> dict[str, str]:
    """Who the actors of events are, by id: a console user's name (its e-mail when it has none)
    or an API token's label. An actor with neither (a token without a label, since revoked or
    not) is left out: the caller shows its role instead."""
    wanted = sorted(set(actor_ids))
    if not wanted:
        return {}
    params: dict[str, Any] = {"agency_id": agency_id}
    marks = []
    for number, actor_id in enumerate(wanted):
        params[f"actor_{number}"] = actor_id
        marks.append(f":actor_{number}")
    listed = ", ".join(marks)
    # Only numbered marks are formatted in; the ids themselves are parameters.
    sql = (
        "SELECT id, COALESCE(name, email) AS shown FROM users"  # noqa: S608
        f" WHERE agency_id = :agency_id AND id IN ({listed})"
        " UNION ALL SELECT id, name AS shown FROM api_tokens"
        f" WHERE agency_id = :agency_id AND id IN ({listed}) AND name IS NOT NULL"
    )
    rows = await db.fetch_all(sql, params)
    return {row["id"]: row["shown"] for row in rows}
