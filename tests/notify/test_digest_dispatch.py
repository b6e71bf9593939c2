"""The dispatcher sends each agency's weekly digest when it falls due by its clock, and several
dispatchers on one database send it once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from caseworks.auth.agencies import create_agency, write_settings
from caseworks.db import Database, DatabaseURL, open_database
from caseworks.mentoring.digest import queue_due_digests
from caseworks.notify.dispatcher import Dispatcher, Policy
from caseworks.notify.transport import SMTPSettings, SMTPTransport
from tests.support.mail import Clock, SMTPServer, queue
from tests.support.polling import until

# Monday 30 November 2026 at 08:00 in Oslo (CET): 07:00 UTC.
MONDAY_0800_OSLO = datetime(2026, 11, 30, 7, tzinfo=UTC)
RECIPIENTS = ("lead@example.org", "coordinator@example.org")


def digest_dispatcher(db: Database, smtp: SMTPServer, clock: Clock, owner: str) -> Dispatcher:
    transport = SMTPTransport(SMTPSettings.parse(smtp.url))
    return Dispatcher(
        db,
        transport,
        "caseworks@example.org",
        Policy(),
        clock,
        owner,
        scheduled=(queue_due_digests,),
    )


async def oslo_agency(db: Database, name: str = "Fjordby") -> str:
    async with db.transaction() as tx:
        agency_id = await create_agency(tx, name)
        changes = {"time_zone": "Europe/Oslo", "digest_recipients": list(RECIPIENTS)}
        await write_settings(tx, agency_id, changes)
    return agency_id


def received(smtp: SMTPServer) -> list[tuple[str, str]]:
    return sorted((str(message["To"]), str(message["Subject"])) for message in smtp.inbox.messages)


async def test_the_digest_goes_out_at_eight_in_oslo_not_before(
    no_digests_due: Database, smtp: SMTPServer
) -> None:
    await oslo_agency(no_digests_due)
    clock = Clock(datetime(2026, 11, 30, 6, 59, 59, tzinfo=UTC))  # 07:59:59 in Oslo
    sender = digest_dispatcher(no_digests_due, smtp, clock, "one")

    await sender.run_scheduled()
    assert (await sender.run_once()).claimed == 0

    clock.advance(1)
    await sender.run_scheduled()
    assert (await sender.run_once()).sent == len(RECIPIENTS)
    subject = "Caseload digest, week 2026-W49"
    assert received(smtp) == sorted((to, subject) for to in RECIPIENTS)
    [message] = [m for m in smtp.inbox.messages if m["To"] == RECIPIENTS[0]]
    assert message.get_content_type() == "text/plain"
    lines = message.get_content().splitlines()
    assert lines[0] == "Caseload digest for Fjordby, week 2026-W49"

    clock.advance(3600)
    await sender.run_scheduled()
    assert (await sender.run_once()).claimed == 0


async def test_a_failing_schedule_does_not_stop_the_mail(
    no_digests_due: Database, agency: str, smtp: SMTPServer, clock: Clock
) -> None:
    async def broken(db: Database, now: datetime) -> None:
        raise RuntimeError("a bug")

    [message_id] = await queue(no_digests_due, agency, clock.now)
    transport = SMTPTransport(SMTPSettings.parse(smtp.url))
    sender = Dispatcher(
        no_digests_due, transport, "c@example.org", Policy(), clock, "one", (broken,)
    )
    await sender.run_scheduled()  # logged, not raised
    assert (await sender.run_once()).sent == 1
    assert smtp.inbox.message_ids() == [message_id]


async def test_two_dispatchers_on_one_database_send_one_digest_per_agency_and_week(
    no_digests_due: Database, mail_url: DatabaseURL, smtp: SMTPServer
) -> None:
    """Two dispatchers, each with a database of its own on the one server (two processes'
    pools), running at once and finding the same agencies due."""
    agencies = [await oslo_agency(no_digests_due, f"Agency {n}") for n in range(4)]
    clock = Clock(MONDAY_0800_OSLO)
    other_db = await open_database(mail_url, pool_size=5)
    dispatchers = [
        digest_dispatcher(no_digests_due, smtp, clock, "first"),
        digest_dispatcher(other_db, smtp, clock, "second"),
    ]
    stop = asyncio.Event()
    running = [asyncio.create_task(sender.run(stop, poll_seconds=0.01)) for sender in dispatchers]
    expected = len(agencies) * len(RECIPIENTS)
    try:
        await until(lambda: len(smtp.inbox.messages) >= expected, seconds=20)
    finally:
        stop.set()
        await asyncio.gather(*running)
    try:
        # Once both have stopped, neither finds anything more to queue or to send.
        for sender in dispatchers:
            await sender.run_scheduled()
            assert (await sender.run_once()).claimed == 0
    finally:
        await other_db.close()

    subject = "Caseload digest, week 2026-W49"
    assert received(smtp) == sorted((to, subject) for to in RECIPIENTS for _ in agencies)
    weeks = await no_digests_due.fetch_all("SELECT agency_id, week FROM digest_weeks", {})
    assert sorted((row["agency_id"], row["week"]) for row in weeks) == sorted(
        (agency, "2026-W49") for agency in agencies
    )
