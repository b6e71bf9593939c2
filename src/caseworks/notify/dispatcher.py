"""The dispatcher: delivers the outbox, at least once, never losing a message.

It claims due messages with a lease, sends them, and marks them sent. A failure is counted and the
message retried after an exponential backoff (capped, with jitter) while the server refuses (4xx)
or cannot be reached; a permanent refusal (5xx), or running out of attempts, marks it failed. A
dispatcher that dies mid-send leaves a lease that expires, after which another delivers: the
same message may then arrive twice, recognisable by its ``Message-ID``.

Whatever goes wrong with one message is recorded on that message, and the batch goes on: a
message that cannot even be built (a header no e-mail can carry) is failed at once, since
retrying cannot change it; an unexpected error from the transport counts as a failed attempt,
retried like any other.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from caseworks.config import Settings
from caseworks.core.aio import wait_a_while
from caseworks.db import Database, DatabaseUnavailable, Row
from caseworks.mentoring.digest import queue_due_digests
from caseworks.notify import outbox_queries as queries
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


# Longest error text kept on a message; an exception's text can be as long as its input.
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class _Failure:
    """What went wrong: ``stored`` in the row's ``last_error`` (the row holds the message's
    contents anyway), ``logged`` with no more than the error's kind, since logs name message ids
    and attempt counts, never addresses or contents."""

    stored: str
    logged: str
    permanent: bool

    @classmethod
    def unbuildable(cls, error: Exception) -> _Failure:
        kind = f"cannot be built: {type(error).__name__}"
        return cls(f"{kind}: {error}"[:MAX_ERROR_LENGTH], kind, permanent=True)

    @classmethod
    def unexpected(cls, error: Exception) -> _Failure:
        kind = f"unexpected error sending: {type(error).__name__}"
        return cls(f"{kind}: {error}"[:MAX_ERROR_LENGTH], kind, permanent=False)


# Work that falls due by the clock (the weekly digests): given the database and the dispatcher's
# time, it queues what is due into the outbox. Run before each pass, so what it queues goes out in
# that same pass.
ScheduledWork = Callable[[Database, datetime], Awaitable[object]]


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
        scheduled: Sequence[ScheduledWork] = (),
    ) -> None:
        self.db = db
        self.transport = transport
        self.sender = sender
        self.policy = policy or Policy()
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
        self.scheduled = tuple(scheduled)
        self.wake = asyncio.Event()

    async def run_scheduled(self) -> None:
        """Run each scheduled work once at the dispatcher's time; one that fails is logged and
        tried again on the next pass, and never holds up the delivery of the outbox."""
        now = self.clock()
        for work in self.scheduled:
            name = getattr(work, "__qualname__", repr(work))
            try:
                await work(self.db, now)
            except DatabaseUnavailable as error:
                log.warning("%s: database unavailable: %s", name, error)
            except Exception:
                log.exception("%s failed; trying again on the next pass", name)

    async def run_once(self) -> Report:
        """Claim what is due, try each once; returns what happened."""
        report = Report()
        now = self.clock()
        lease_until = now + timedelta(seconds=self.policy.lease_seconds)
        async with self.db.transaction() as tx:
            rows = await queries.claim(tx, self.owner, now, lease_until, self.policy.batch)
        report.claimed = len(rows)
        # Oldest first (ids begin with their time): RETURNING promises no order.
        for row in sorted(rows, key=lambda row: str(row["id"])):
            if await self._deliver(row):
                report.sent += 1
            else:
                report.failed += 1
        return report

    async def _deliver(self, row: Row) -> bool:
        try:
            message = self.message(row)
        except Exception as error:  # anything at all: the same row will never build
            await self._failed(row, _Failure.unbuildable(error))
            return False
        try:
            await self.transport.send(message)
        except DeliveryError as error:
            await self._failed(row, _Failure(str(error), str(error), error.permanent))
            return False
        except Exception as error:  # a transport's bug must not stop the batch or the retries
            await self._failed(row, _Failure.unexpected(error))
            return False
        async with self.db.transaction() as tx:
            await queries.mark_sent(tx, row, self.owner, self.clock())
        log.info("sent %s after %d attempt(s)", row["message_id"], row["attempts"] + 1)
        return True

    async def _failed(self, row: Row, failure: _Failure) -> None:
        attempts = row["attempts"] + 1
        now = self.clock()
        give_up = failure.permanent or attempts >= self.policy.max_attempts
        retry_at = None if give_up else now + self.policy.backoff(attempts)
        async with self.db.transaction() as tx:
            await queries.mark_failed(tx, row, self.owner, failure.stored, retry_at, now)
        if give_up:
            log.error(
                "gave up on %s after %d attempt(s): %s", row["message_id"], attempts, failure.logged
            )
        else:
            log.warning(
                "attempt %d of %s failed (%s); retry at %s",
                attempts,
                row["message_id"],
                failure.logged,
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
            await self.run_scheduled()
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
    """The dispatcher the settings describe: SMTP if a URL is set, else ``.eml`` files; it
    queues the agencies' weekly digests when they fall due."""
    return Dispatcher(
        db,
        transport_for(settings.smtp_url, settings.mail_dir),
        settings.mail_from,
        Policy(max_attempts=settings.mail_max_attempts),
        scheduled=(queue_due_digests,),
    )
