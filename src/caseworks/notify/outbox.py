"""Queueing mail in the same transaction as the change it announces.

A row written here commits or rolls back with the caller's transaction, so a rejected or rolled-back
request never sends anything, and an acknowledged one is never lost. The dispatcher delivers rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caseworks.core.ids import new_id
from caseworks.db import Executor

MESSAGE_ID_DOMAIN = "caseworks"


INSERT_MESSAGE = """
INSERT INTO outbox (agency_id, id, message_id, recipient, subject, body,
                    created_at, next_attempt_at, attempts)
VALUES (:agency_id, :id, :message_id, :recipient, :subject, :body, :now, :now, 0)
"""


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    body: str


async def enqueue(tx: Executor, agency_id: str, email: Email, now: datetime) -> str:
    """Queue one message inside ``tx``, due at once; return its stable ``Message-ID``.

    ``now`` is the time of the transaction the message is part of (the caller's record carries
    the same). The outbox never reads a clock of its own: the dispatcher compares this time with
    its clock, so whoever controls that clock (a test) must also control this one.
    """
    outbox_id = new_id("mail")
    message_id = f"<{outbox_id}@{MESSAGE_ID_DOMAIN}>"
    await tx.execute(
        INSERT_MESSAGE,
        {
            "agency_id": agency_id,
            "id": outbox_id,
            "message_id": message_id,
            "recipient": email.recipient,
            "subject": email.subject,
            "body": email.body,
            "now": now,
        },
    )
    return message_id
