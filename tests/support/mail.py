"""A real SMTP server on loopback (aiosmtpd on the test's event loop), a clock, outbox rows."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from caseworks.db import Database
from caseworks.notify.outbox import Email, enqueue


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and can be told to refuse."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_with: str | None = None
        self.arrived = asyncio.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_with is not None:
            return self.refuse_with
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.arrived.set()
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


class SMTPServer:
    def __init__(
        self,
        inbox: Inbox,
        credentials: tuple[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.inbox = inbox
        self.port = 0
        self.credentials = credentials
        self.tls = tls
        self._server: asyncio.Server | None = None

    def _authenticate(self, *args: Any) -> AuthResult:
        *_, data = args
        given = (data.login.decode(), data.password.decode())
        ok = isinstance(data, LoginPassword) and given == self.credentials
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 on failure

    def _protocol(self) -> SMTP:
        if self.tls is not None:
            # STARTTLS required before anything else, login only over TLS: a real relay's rules.
            return SMTP(
                self.inbox,
                hostname="localhost",
                tls_context=self.tls,
                require_starttls=True,
                authenticator=self._authenticate,
                auth_required=True,
            )
        if self.credentials is None:
            return SMTP(self.inbox, hostname="localhost")
        # Loopback only: login without TLS, so the test needs no certificate.
        return SMTP(
            self.inbox,
            hostname="localhost",
            authenticator=self._authenticate,
            auth_required=True,
            auth_require_tls=False,
        )

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


async def queue(db: Database, agency_id: str, at: datetime, count: int = 1) -> list[str]:
    """Queue ``count`` messages in one transaction made at ``at``: the test's clock, or the real
    time when a real process with the real clock delivers them."""
    ids = []
    async with db.transaction() as tx:
        for number in range(count):
            mail = Email(f"worker{number}@example.org", f"Assignment {number}", "Hello.\n")
            ids.append(await enqueue(tx, agency_id, mail, at))
    return ids


# Far from the real time on purpose: any time that reaches the outbox or the dispatcher from
# the real clock instead of the test's makes a test fail every time, not once in a while.
CLOCK_START = datetime(2025, 11, 3, 9, 0, 0, tzinfo=UTC)


class Clock:
    """Time the test moves by hand, to observe backoff and leases without waiting."""

    def __init__(self, start: datetime = CLOCK_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def outbox_row(db: Database, message_id: str) -> dict[str, Any]:
    row = await db.fetch_one("SELECT * FROM outbox WHERE message_id = :m", {"m": message_id})
    assert row is not None
    return row


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml")) if folder.exists() else []


async def no_digest_pending(db: Database) -> None:
    """No agency of ``db`` with a digest to send, no week's digest recorded, no mail queued: the
    digest's schedule looks at every agency of a database."""
    async with db.transaction() as tx:
        await tx.execute("UPDATE agencies SET digest_recipients = '[]'", {})
        await tx.execute("DELETE FROM digest_weeks", {})
        await tx.execute("DELETE FROM outbox", {})
