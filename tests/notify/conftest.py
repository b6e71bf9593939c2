"""A real SMTP server on loopback (aiosmtpd on the test's event loop) and a mail database."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import trustme

from caseworks.auth.agencies import create_agency
from caseworks.db import Database, DatabaseURL, open_database
from tests.support.databases import own_database
from tests.support.mail import Clock, Inbox, SMTPServer, no_digest_pending


@pytest.fixture
async def smtp() -> AsyncIterator[SMTPServer]:
    server = SMTPServer(Inbox())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def smtp_with_login() -> AsyncIterator[SMTPServer]:
    server = SMTPServer(Inbox(), credentials=("caseworks", "s3cret/pass"))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def smtp_with_starttls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SMTPServer]:
    """A relay with a certificate from a test CA, which the client is told to trust the way an
    operator would: through SSL_CERT_FILE."""
    authority = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(tls)
    trusted = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(trusted))
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted))
    server = SMTPServer(Inbox(), credentials=("caseworks", "s3cret/pass"), tls=tls)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def mail_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DatabaseURL]:
    """A database of its own, so no other test's queued mail is in the outbox."""
    folder = tmp_path_factory.mktemp("mail")
    async with own_database(request.param, folder, "caseworks_mail") as url:
        yield url


@pytest.fixture(scope="module")
async def mail_db(mail_url: DatabaseURL) -> AsyncIterator[Database]:
    db = await open_database(mail_url, pool_size=10)
    yield db
    await db.close()


@pytest.fixture
async def agency(mail_db: Database) -> str:
    async with mail_db.transaction() as tx:
        await tx.execute("DELETE FROM outbox", {})
        return await create_agency(tx, "Mail Agency")


@pytest.fixture
async def no_digests_due(mail_db: Database) -> Database:
    """``mail_db`` with no agency's digest pending: no recipients, no weeks, no mail."""
    await no_digest_pending(mail_db)
    return mail_db


@pytest.fixture
def clock() -> Clock:
    return Clock()


Finder = Callable[[], list[Path]]
