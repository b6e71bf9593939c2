"""Delivery from the outbox: at least once, in order, through outages, never lost."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from caseworks.db import Database
from caseworks.notify import outbox_queries as queries
from caseworks.notify.dispatcher import Dispatcher, Policy
from caseworks.notify.outbox import Email, enqueue
from caseworks.notify.transport import FileTransport, SMTPSettings, SMTPTransport
from tests.support.mail import CLOCK_START, Clock, SMTPServer, files_in, outbox_row, queue


def dispatcher(db: Database, smtp: SMTPServer, clock: Clock, owner: str = "one") -> Dispatcher:
    transport = SMTPTransport(SMTPSettings.parse(smtp.url))
    return Dispatcher(db, transport, "caseworks@example.org", Policy(), clock, owner)


async def test_delivers_with_headers_and_a_stable_message_id(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    report = await dispatcher(mail_db, smtp, clock).run_once()
    assert (report.claimed, report.sent, report.failed) == (1, 1, 0)
    [message] = smtp.inbox.messages
    assert message["Message-ID"] == message_id
    assert message["From"] == "caseworks@example.org"
    assert message["To"] == "worker0@example.org"
    assert message["Subject"] == "Assignment 0"
    assert message["Date"]
    assert message.get_content().strip() == "Hello."
    row = await outbox_row(mail_db, message_id)
    assert row["sent_at"] is not None
    assert row["attempts"] == 1
    assert (await dispatcher(mail_db, smtp, clock).run_once()).claimed == 0


async def test_a_message_is_due_exactly_when_the_dispatchers_clock_reaches_its_queue_time(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    # Queued by a transaction one second ahead of the dispatcher's clock (the clock itself a
    # year behind the real time): due when that clock says so, whatever the real time is.
    queued_at = clock.now + timedelta(seconds=1)
    [message_id] = await queue(mail_db, agency, queued_at)
    row = await outbox_row(mail_db, message_id)
    assert (row["created_at"], row["next_attempt_at"]) == (queued_at, queued_at)
    sender = dispatcher(mail_db, smtp, clock)
    assert (await sender.run_once()).claimed == 0  # a second early
    clock.advance(1)
    report = await sender.run_once()
    assert (report.claimed, report.sent) == (1, 1)
    assert smtp.inbox.message_ids() == [message_id]
    assert (await outbox_row(mail_db, message_id))["sent_at"] == clock.now


async def test_a_refusing_server_is_retried_with_backoff_then_delivers_once(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    sender = dispatcher(mail_db, smtp, clock)
    smtp.inbox.refuse_with = "451 Try again later"
    assert (await sender.run_once()).failed == 1
    first = await outbox_row(mail_db, message_id)
    assert first["attempts"] == 1
    assert "451" in first["last_error"]
    waited = (first["next_attempt_at"] - clock.now).total_seconds()
    assert 2 <= waited <= 3  # 2 s, plus up to 25 % jitter

    smtp.inbox.refuse_with = None
    assert (await sender.run_once()).claimed == 0  # not before its time
    clock.advance(waited + 1)
    smtp.inbox.refuse_with = "451 Still busy"
    await sender.run_once()
    second = await outbox_row(mail_db, message_id)
    assert second["attempts"] == 2
    assert (second["next_attempt_at"] - clock.now).total_seconds() >= 4  # doubled

    smtp.inbox.refuse_with = None
    clock.advance(10)
    assert (await sender.run_once()).sent == 1
    assert smtp.inbox.message_ids() == [message_id]
    assert (await outbox_row(mail_db, message_id))["attempts"] == 3


async def test_a_server_that_is_down_gets_the_mail_when_it_is_back(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    sender = dispatcher(mail_db, smtp, clock)
    await smtp.stop()
    assert (await sender.run_once()).failed == 1
    assert "unavailable" in (await outbox_row(mail_db, message_id))["last_error"]
    await smtp.start()
    clock.advance(5)
    assert (await sender.run_once()).sent == 1
    assert smtp.inbox.message_ids() == [message_id]


async def test_a_permanent_refusal_is_not_retried(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    sender = dispatcher(mail_db, smtp, clock)
    smtp.inbox.refuse_with = "550 No such mailbox"
    assert (await sender.run_once()).failed == 1
    row = await outbox_row(mail_db, message_id)
    assert row["failed_at"] is not None
    smtp.inbox.refuse_with = None
    clock.advance(3600)
    assert (await sender.run_once()).claimed == 0


async def test_a_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    [before] = await queue(mail_db, agency, clock.now)
    # A line break in a header: the API refuses such names now, but a row may hold one.
    unbuildable = Email("w@example.org", "New assignment for child Emma\nBcc: x@example.org", "B")
    async with mail_db.transaction() as tx:
        broken = await enqueue(tx, agency, unbuildable, clock.now)
    [after] = await queue(mail_db, agency, clock.now)

    report = await dispatcher(mail_db, smtp, clock).run_once()
    assert (report.claimed, report.sent, report.failed) == (3, 2, 1)
    assert smtp.inbox.message_ids() == [before, after]
    row = await outbox_row(mail_db, broken)
    assert row["attempts"] == 1
    assert row["failed_at"] == clock.now  # retrying cannot mend it
    assert row["last_error"].startswith("cannot be built: ValueError")
    clock.advance(3600)
    assert (await dispatcher(mail_db, smtp, clock).run_once()).claimed == 0


class Faulty:
    """The real SMTP transport, except that it raises an error of no known kind for one
    message, as a bug in a transport would."""

    def __init__(self, smtp: SMTPServer, fails: str) -> None:
        self.inner = SMTPTransport(SMTPSettings.parse(smtp.url))
        self.fails = fails

    async def send(self, message: EmailMessage) -> None:
        if message["Message-ID"] == self.fails:
            raise RuntimeError("transport bug")
        await self.inner.send(message)


async def test_an_unexpected_transport_error_is_a_failed_attempt_retried_later(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    first, unlucky, last = await queue(mail_db, agency, clock.now, 3)
    transport = Faulty(smtp, unlucky)
    sender = Dispatcher(mail_db, transport, "c@example.org", Policy(), clock)
    report = await sender.run_once()
    assert (report.claimed, report.sent, report.failed) == (3, 2, 1)
    assert smtp.inbox.message_ids() == [first, last]
    row = await outbox_row(mail_db, unlucky)
    assert (row["attempts"], row["failed_at"]) == (1, None)
    assert row["last_error"] == "unexpected error sending: RuntimeError: transport bug"
    assert row["next_attempt_at"] > clock.now

    transport.fails = ""
    clock.advance(10)
    assert (await sender.run_once()).sent == 1
    assert smtp.inbox.message_ids() == [first, last, unlucky]
    assert (await outbox_row(mail_db, unlucky))["attempts"] == 2


async def test_a_lease_left_by_a_dead_dispatcher_expires_and_another_delivers(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    # A dispatcher claims the message and dies before sending: its lease stays.
    async with mail_db.transaction() as tx:
        claimed = await queries.claim(
            tx, "dead", clock.now, clock.now + timedelta(seconds=Policy().lease_seconds), 10
        )
    assert [row["message_id"] for row in claimed] == [message_id]
    survivor = dispatcher(mail_db, smtp, clock, owner="survivor")
    assert (await survivor.run_once()).claimed == 0
    clock.advance(Policy().lease_seconds + 1)
    assert (await survivor.run_once()).sent == 1
    assert smtp.inbox.message_ids() == [message_id]


async def test_two_dispatchers_never_send_a_message_twice(
    mail_db: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    message_ids = await queue(mail_db, agency, clock.now, 40)
    first = dispatcher(mail_db, smtp, clock, owner="first")
    second = dispatcher(mail_db, smtp, clock, owner="second")
    while True:
        reports = await asyncio.gather(first.run_once(), second.run_once())
        if not any(report.claimed for report in reports):
            break
    assert sorted(smtp.inbox.message_ids()) == sorted(message_ids)


async def test_a_rolled_back_transaction_queues_nothing(mail_db: Database, agency: str) -> None:
    class Abort(Exception):
        pass

    try:
        async with mail_db.transaction() as tx:
            await enqueue(tx, agency, Email("w@example.org", "S", "B"), CLOCK_START)
            raise Abort
    except Abort:
        pass
    assert await mail_db.fetch_value("SELECT count(*) FROM outbox", {}) == 0


async def test_without_smtp_messages_become_eml_files(
    mail_db: Database, agency: str, clock: Clock, tmp_path: Path
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    folder = tmp_path / "mail"
    sender = Dispatcher(mail_db, FileTransport(folder), "caseworks@example.org", Policy(), clock)
    assert (await sender.run_once()).sent == 1
    [path] = files_in(folder)
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Message-ID"] == message_id
    assert message["Subject"] == "Assignment 0"
    assert not list(folder.glob("*.tmp"))


async def test_credentials_in_the_url_log_in(
    mail_db: Database, agency: str, smtp_with_login: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    url = f"smtp://caseworks:s3cret%2Fpass@127.0.0.1:{smtp_with_login.port}"
    sender = Dispatcher(
        mail_db, SMTPTransport(SMTPSettings.parse(url)), "c@example.org", Policy(), clock
    )
    assert (await sender.run_once()).sent == 1
    assert smtp_with_login.inbox.message_ids() == [message_id]


async def test_wrong_credentials_keep_the_mail_queued_until_they_are_fixed(
    mail_db: Database, agency: str, smtp_with_login: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    wrong = f"smtp://caseworks:guess@127.0.0.1:{smtp_with_login.port}"
    sender = Dispatcher(
        mail_db, SMTPTransport(SMTPSettings.parse(wrong)), "c@example.org", Policy(), clock
    )
    assert (await sender.run_once()).failed == 1
    row = await outbox_row(mail_db, message_id)
    assert row["failed_at"] is None  # a configuration problem, not the message's
    assert "CASEWORKS_SMTP_URL" in row["last_error"]

    fixed = f"smtp://caseworks:s3cret%2Fpass@127.0.0.1:{smtp_with_login.port}"
    sender = Dispatcher(
        mail_db, SMTPTransport(SMTPSettings.parse(fixed)), "c@example.org", Policy(), clock
    )
    clock.advance(60)
    assert (await sender.run_once()).sent == 1
    assert smtp_with_login.inbox.message_ids() == [message_id]


async def test_starttls_then_login_delivers_over_tls(
    mail_db: Database, agency: str, smtp_with_starttls: SMTPServer, clock: Clock
) -> None:
    [message_id] = await queue(mail_db, agency, clock.now)
    port = smtp_with_starttls.port
    url = f"smtp://caseworks:s3cret%2Fpass@127.0.0.1:{port}?starttls=true"
    sender = Dispatcher(
        mail_db, SMTPTransport(SMTPSettings.parse(url)), "c@example.org", Policy(), clock
    )
    assert (await sender.run_once()).sent == 1
    assert smtp_with_starttls.inbox.message_ids() == [message_id]

    # Without STARTTLS this relay takes nothing: the mail stays queued, nothing goes out in clear.
    [second] = await queue(mail_db, agency, clock.now)
    plain = f"smtp://caseworks:s3cret%2Fpass@127.0.0.1:{port}"
    sender = Dispatcher(
        mail_db, SMTPTransport(SMTPSettings.parse(plain)), "c@example.org", Policy(), clock
    )
    assert (await sender.run_once()).failed == 1
    assert (await outbox_row(mail_db, second))["failed_at"] is None
    assert second not in smtp_with_starttls.inbox.message_ids()


def test_smtp_urls() -> None:
    plain = SMTPSettings.parse("smtp://mail.internal")
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls) == (
        "mail.internal",
        25,
        False,
        False,
    )
    starttls = SMTPSettings.parse("smtp://u:p%40ss@mail.internal:587?starttls=true")
    assert (starttls.port, starttls.starttls, starttls.username, starttls.password) == (
        587,
        True,
        "u",
        "p@ss",
    )
    implicit = SMTPSettings.parse("smtps://mail.internal")
    assert (implicit.port, implicit.implicit_tls) == (465, True)
