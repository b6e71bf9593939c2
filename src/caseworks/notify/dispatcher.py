"""The dispatcher: delivers the outbox, at least once, never losing a message.

It claims due messages with a lease, sends them, and marks them sent. A failure is counted and the
message retried after an exponential backoff (capped, with jitter) while the server refuses (4xx)
or cannot be reached; a permanent refusal (5xx), or running out of attempts, marks it failed. A
dispatcher that dies mid-send leaves a lease that expires, after which another delivers: the
same message may then arrive twice, recognisable by its ``Message-ID``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from caseworks.aio import wait_a_while
from caseworks.config import Settings
from caseworks.db import Database, DatabaseUnavailable, Row
from caseworks.notify import queries
from caseworks.notify.transport import DeliveryError, Transport, transport_for

log = logging.getLogger("caseworks.notify")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Policy:
    batch: int = 20
    lease_seconds: float = 120.0
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 600.0
    max_attempts: int = 30

    def backoff(self, attempts: int) -> timedelta:
        """After the n-th failure: base · 2^(n-1), capped, with up to 25 % jitter."""
        delay = min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.max_backoff_seconds)
        return timedelta(seconds=delay * (1 + random.random() / 4))


@dataclass
class Report:
    claimed: int = 0
    sent: int = 0
    failed: int = 0


class Dispatcher:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        sender: str,
        policy: Policy | None = None,
        clock: Callable[[], datetime] = _now,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.sender = sender
        self.policy = policy or Policy()
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
        self.wake = asyncio.Event()

    async def run_once(self) -> Report:
        """Claim what is due, try each once; returns what happened."""
        report = Report()
        now = self.clock()
        lease_until = now + timedelta(seconds=self.policy.lease_seconds)
        async with self.db.transaction() as tx:
            rows = await queries.claim(tx, self.owner, now, lease_until, self.policy.batch)
        report.claimed = len(rows)
        for row in rows:
            if await self._deliver(row):
                report.sent += 1
            else:
                report.failed += 1
        return report

    async def _deliver(self, row: Row) -> bool:
        try:
            await self.transport.send(self.message(row))
        except DeliveryError as error:
            await self._failed(row, error)
            return False
        async with self.db.transaction() as tx:
            await queries.mark_sent(tx, row, self.owner, self.clock())
        log.info("sent %s after %d attempt(s)", row["message_id"], row["attempts"] + 1)
        return True

    async def _failed(self, row: Row, error: DeliveryError) -> None:
        attempts = row["attempts"] + 1
        now = self.clock()
        give_up = error.permanent or attempts >= self.policy.max_attempts
        retry_at = None if give_up else now + self.policy.backoff(attempts)
        async with self.db.transaction() as tx:
            await queries.mark_failed(tx, row, self.owner, str(error), retry_at, now)
        if give_up:
            log.error("gave up on %s after %d attempt(s): %s", row["message_id"], attempts, error)
        else:
            log.warning(
                "attempt %d of %s failed (%s); retry at %s",
                attempts,
                row["message_id"],
                error,
                retry_at,
            )

    def message(self, row: Row) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = row["recipient"]
        message["Subject"] = row["subject"]
        message["Date"] = format_datetime(row["created_at"])
        message["Message-ID"] = row["message_id"]
        message.set_content(row["body"])
        return message

    async def run(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set: at once while there is work, else every poll."""
        while not stop.is_set():
            try:
                report = await self.run_once()
            except DatabaseUnavailable as error:
                log.warning("outbox unavailable: %s", error)
                report = Report()
            except Exception:
                log.exception("dispatcher pass failed; trying again")
                report = Report()
            if report.claimed:
                continue
            self.wake.clear()
            await wait_a_while(poll_seconds, stop, self.wake)


def build_dispatcher(settings: Settings, db: Database) -> Dispatcher:
    """The dispatcher the settings describe: SMTP if a URL is set, else ``.eml`` files."""
    return Dispatcher(
        db,
        transport_for(settings.smtp_url, settings.mail_dir),
        settings.mail_from,
        Policy(max_attempts=settings.mail_max_attempts),
    )
