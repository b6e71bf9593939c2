"""The weekly caseload digest: what it lists, when it falls due in the agency's time zone, and
that each agency gets one a week, whoever queues it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from caseworks.auth.agencies import AgencySettings, create_agency, read_settings, write_settings
from caseworks.core.errors import NotFound
from caseworks.core.ids import new_id
from caseworks.db import Database, DatabaseURL, Executor, open_database
from caseworks.mentoring import mentoring_queries as queries
from caseworks.mentoring.digest import (
    STALE_SHOWN,
    Outcome,
    Result,
    due_week,
    queue_due_digests,
    read_digest,
    render,
    send_digests_now,
)
from tests.support.tenants import Tenant

# Monday 30 November 2026, 07:00 UTC: 08:00 in Oslo (CET, UTC+1), the default digest hour.
MONDAY_0800_OSLO = datetime(2026, 11, 30, 7, tzinfo=UTC)
RECIPIENTS = ["lead@example.org", "coordinator@example.org"]


def day(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}T12:00:00+00:00")


# --- seeding rows with the times a test needs ----------------------------------------------------


async def add_mentor(tx: Executor, agency_id: str, name: str, limit: int | None = None) -> str:
    mentor_id = new_id("mentor")
    row = {"agency_id": agency_id, "id": mentor_id, "now": day("2026-01-01"), "name": name}
    await queries.insert_person(tx, "mentors", row)
    if limit is not None:
        await tx.execute(
            "UPDATE mentors SET max_open_assignments = :limit WHERE id = :id",
            {"limit": limit, "id": mentor_id},
        )
    return mentor_id


async def add_contact(tx: Executor, agency_id: str, created: str, name: str = "Per Olsen") -> str:
    contact_id = new_id("contact")
    row = {"agency_id": agency_id, "id": contact_id, "now": day(created), "name": name}
    await queries.insert_person(tx, "contacts", row)
    return contact_id


async def add_assignment(
    tx: Executor,
    agency_id: str,
    mentor_id: str,
    contact_id: str,
    assigned: str,
    *,
    last_contact: str | None = None,
    closed: str | None = None,
) -> str:
    assignment_id = new_id("assign")
    row = {
        "agency_id": agency_id,
        "id": assignment_id,
        "mentor_id": mentor_id,
        "contact_id": contact_id,
        "notes": "Private notes",
        "assigned_date": day(assigned),
        "created_at": day(assigned),
    }
    await queries.insert_assignment(tx, row)
    if last_contact is not None:
        changes = {"last_contact_date": day(last_contact)}
        await queries.update_assignment(tx, agency_id, assignment_id, changes, day(last_contact))
    if closed is not None:
        await queries.set_status(tx, agency_id, assignment_id, "closed", day(closed))
    return assignment_id


# --- content -------------------------------------------------------------------------------------


async def test_the_digest_lists_stale_assignments_full_mentors_and_waiting_contacts(
    db: Database, tenant: Tenant
) -> None:
    agency = tenant.agency_id
    async with db.transaction() as tx:
        await write_settings(tx, agency, {"default_mentor_capacity": 2, "time_zone": "Europe/Oslo"})
        kari = await add_mentor(tx, agency, "Kari Nordmann", limit=1)
        ola = await add_mentor(tx, agency, "Ola Hansen")  # the agency's default: 2
        siri = await add_mentor(tx, agency, "Siri Berg", limit=5)
        contacts = [await add_contact(tx, agency, "2026-07-01", f"Person {n}") for n in range(5)]
        never = await add_assignment(tx, agency, kari, contacts[0], "2026-09-01")
        quiet = await add_assignment(
            tx, agency, ola, contacts[1], "2026-08-01", last_contact="2026-10-15"
        )
        await add_assignment(tx, agency, ola, contacts[2], "2026-11-20")
        await add_assignment(tx, agency, kari, contacts[3], "2026-11-25")
        await add_assignment(tx, agency, siri, contacts[4], "2026-10-01", closed="2026-11-10")
        unassigned = await add_contact(tx, agency, "2026-10-20")
        released = contacts[4]
    settings = await read_settings(db, agency)

    digest = await read_digest(db, agency, settings, MONDAY_0800_OSLO)

    # Stale: open, the last contact (or, never contacted, the assignment) older than 30 days;
    # the longest without contact first.
    assert [row["assignment_id"] for row in digest.stale.rows] == [never, quiet]
    assert digest.stale.total == 2
    # At or over the limit in force (own, else the agency's default), the furthest over first.
    assert [
        (row["mentor_id"], row["open"], row["capacity"]) for row in digest.at_capacity.rows
    ] == [
        (kari, 2, 1),
        (ola, 2, 2),
    ]
    # Waiting: no open assignment, since the later of creation and the last closing.
    assert [row["contact_id"] for row in digest.waiting.rows] == [unassigned, released]

    text = render("Fjordby", settings, "2026-W49", digest, MONDAY_0800_OSLO)
    assert text.splitlines() == [
        "Caseload digest for Fjordby, week 2026-W49",
        "As of 2026-11-30 08:00 (Europe/Oslo).",
        "",
        "Stale assignments (no contact for more than 30 days): 2",
        f"- {never}: contact {contacts[0]}, mentor Kari Nordmann ({kari}),"
        " never contacted, assigned 2026-09-01 (89 days ago)",
        f"- {quiet}: contact {contacts[1]}, mentor Ola Hansen ({ola}),"
        " last contact 2026-10-15 (45 days ago)",
        "",
        "Mentors at or over their caseload limit: 2",
        f"- Kari Nordmann ({kari}): 2 open, limit 1",
        f"- Ola Hansen ({ola}): 2 open, limit 2",
        "",
        "Contacts waiting for a mentor, longest first: 2",
        f"- {unassigned}: waiting since 2026-10-20 (40 days ago)",
        f"- {released}: waiting since 2026-11-10 (19 days ago)",
        "",
        "Contacts are named by id only; look them up in caseworks.",
        "You get this mail as a digest recipient in your agency's settings.",
    ]
    assert "Person" not in text  # no contact's name
    assert "Private notes" not in text


async def test_long_lists_are_cut_with_a_count_of_the_rest(db: Database, tenant: Tenant) -> None:
    agency = tenant.agency_id
    async with db.transaction() as tx:
        mentor = await add_mentor(tx, agency, "Kari Nordmann")
        for number in range(STALE_SHOWN + 3):
            contact = await add_contact(tx, agency, "2026-01-01")
            await add_assignment(tx, agency, mentor, contact, f"2026-02-{number % 28 + 1:02d}")
    settings = await read_settings(db, agency)

    digest = await read_digest(db, agency, settings, MONDAY_0800_OSLO)

    assert (len(digest.stale.rows), digest.stale.total, digest.stale.more) == (STALE_SHOWN, 53, 3)
    assigned = [row["assigned_date"] for row in digest.stale.rows]
    assert assigned == sorted(assigned)
    text = render("Fjordby", settings, "2026-W49", digest, MONDAY_0800_OSLO)
    assert "… and 3 more" in text.splitlines()
    assert "Mentors at or over their caseload limit: 0" in text  # no limit, none full


async def test_an_empty_programme_gets_a_digest_of_zeros(db: Database, tenant: Tenant) -> None:
    settings = await read_settings(db, tenant.agency_id)
    digest = await read_digest(db, tenant.agency_id, settings, MONDAY_0800_OSLO)
    text = render("Fjordby", settings, "2026-W49", digest, MONDAY_0800_OSLO)
    assert "Stale assignments (no contact for more than 30 days): 0" in text
    assert "Contacts waiting for a mentor, longest first: 0" in text
    assert "… and" not in text


# --- when it is due ------------------------------------------------------------------------------


def oslo(**changes: Any) -> AgencySettings:
    values: dict[str, Any] = {
        "stale_after_days": 30,
        "default_mentor_capacity": None,
        "time_zone": "Europe/Oslo",
        "digest_weekday": 1,
        "digest_hour": 8,
        "digest_recipients": RECIPIENTS,
    }
    return AgencySettings.model_validate(values | changes)


@pytest.mark.parametrize(
    ("now", "last_week", "due"),
    [
        (MONDAY_0800_OSLO - timedelta(seconds=1), None, None),  # 07:59:59 in Oslo
        (MONDAY_0800_OSLO, None, "2026-W49"),
        (MONDAY_0800_OSLO, "2026-W48", "2026-W49"),
        (MONDAY_0800_OSLO, "2026-W49", None),  # queued already
        (datetime(2026, 12, 6, 22, 59, tzinfo=UTC), None, "2026-W49"),  # Sunday 23:59 in Oslo
        # Sunday 23:00 UTC is Monday 00:00 in Oslo: a new week, before its hour.
        (datetime(2026, 12, 6, 23, 0, tzinfo=UTC), "2026-W49", None),
        (datetime(2026, 12, 7, 7, 0, tzinfo=UTC), "2026-W49", "2026-W50"),
        # Summer time (CEST, UTC+2): 08:00 in Oslo is 06:00 UTC.
        (datetime(2026, 6, 1, 5, 59, tzinfo=UTC), None, None),
        (datetime(2026, 6, 1, 6, 0, tzinfo=UTC), None, "2026-W23"),
        # ISO weeks cross years: 28 December 2026 is in 2026-W53, 4 January 2027 in 2027-W01.
        (datetime(2026, 12, 28, 7, tzinfo=UTC), "2026-W52", "2026-W53"),
        (datetime(2027, 1, 4, 7, tzinfo=UTC), "2026-W53", "2027-W01"),
    ],
)
def test_due_at_the_weekday_and_hour_in_the_agencys_zone(
    now: datetime, last_week: str | None, due: str | None
) -> None:
    assert due_week(oslo(), last_week, now) == due


def test_a_weekday_later_in_the_week_is_due_from_that_day() -> None:
    friday_1700 = oslo(digest_weekday=5, digest_hour=17)
    assert due_week(friday_1700, None, datetime(2026, 12, 4, 15, 59, tzinfo=UTC)) is None
    assert due_week(friday_1700, None, datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == "2026-W49"


def test_an_hour_skipped_by_summer_time_is_due_at_the_next_local_time() -> None:
    # 29 March 2026: Oslo's clocks go from 02:00 to 03:00; 02:30 never happens.
    sunday_0230 = oslo(digest_weekday=7, digest_hour=2)
    assert due_week(sunday_0230, None, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) is None
    assert due_week(sunday_0230, None, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "2026-W13"


# --- queueing, exactly once ----------------------------------------------------------------------


async def agency_with_recipients(db: Database, recipients: list[str] = RECIPIENTS) -> str:
    async with db.transaction() as tx:
        agency_id = await create_agency(tx, "Fjordby")
        changes = {"time_zone": "Europe/Oslo", "digest_recipients": recipients}
        await write_settings(tx, agency_id, changes)
    return agency_id


async def outbox(db: Database, agency_id: str) -> list[tuple[str, str]]:
    rows = await db.fetch_all(
        "SELECT recipient, subject FROM outbox WHERE agency_id = :a ORDER BY recipient",
        {"a": agency_id},
    )
    return [(row["recipient"], row["subject"]) for row in rows]


async def weeks(db: Database, agency_id: str) -> list[str]:
    rows = await db.fetch_all(
        "SELECT week FROM digest_weeks WHERE agency_id = :a ORDER BY week", {"a": agency_id}
    )
    return [row["week"] for row in rows]


async def test_the_schedule_queues_one_mail_per_recipient_once_a_week(
    quiet_digest_db: Database,
) -> None:
    db = quiet_digest_db
    agency = await agency_with_recipients(db)

    assert await queue_due_digests(db, MONDAY_0800_OSLO - timedelta(minutes=1)) == []
    assert (await outbox(db, agency), await weeks(db, agency)) == ([], [])

    queued = await queue_due_digests(db, MONDAY_0800_OSLO)
    assert queued == [Outcome(agency, "2026-W49", Result.QUEUED, 2)]
    subject = "Caseload digest, week 2026-W49"
    assert await outbox(db, agency) == [
        ("coordinator@example.org", subject),
        ("lead@example.org", subject),
    ]
    assert await weeks(db, agency) == ["2026-W49"]
    body = await db.fetch_value("SELECT body FROM outbox WHERE agency_id = :a", {"a": agency})
    assert body.startswith("Caseload digest for Fjordby, week 2026-W49\n")

    for later in (timedelta(minutes=1), timedelta(days=3), timedelta(days=6, hours=16)):
        assert await queue_due_digests(db, MONDAY_0800_OSLO + later) == []
    assert len(await outbox(db, agency)) == 2

    next_week = await queue_due_digests(db, MONDAY_0800_OSLO + timedelta(days=7))
    assert next_week == [Outcome(agency, "2026-W50", Result.QUEUED, 2)]
    assert await weeks(db, agency) == ["2026-W49", "2026-W50"]


async def test_an_agency_without_recipients_gets_nothing(quiet_digest_db: Database) -> None:
    db = quiet_digest_db
    agency = await agency_with_recipients(db, [])
    assert await queue_due_digests(db, MONDAY_0800_OSLO) == []
    assert (await outbox(db, agency), await weeks(db, agency)) == ([], [])
    assert await send_digests_now(db, MONDAY_0800_OSLO, agency) == [
        Outcome(agency, None, Result.NO_RECIPIENTS)
    ]
    assert await weeks(db, agency) == []


async def test_sending_by_hand_queues_this_weeks_digest_once(quiet_digest_db: Database) -> None:
    db = quiet_digest_db
    agency = await agency_with_recipients(db)
    sunday_night = MONDAY_0800_OSLO - timedelta(hours=9)  # Sunday 23:00 in Oslo: week 48

    assert await send_digests_now(db, sunday_night, agency) == [
        Outcome(agency, "2026-W48", Result.QUEUED, 2)
    ]
    assert await send_digests_now(db, sunday_night, agency) == [
        Outcome(agency, "2026-W48", Result.ALREADY_QUEUED)
    ]
    # Before the hour, by hand: this week's is sent now, and the schedule sends no other.
    tuesday = MONDAY_0800_OSLO + timedelta(days=1)
    assert await send_digests_now(db, MONDAY_0800_OSLO - timedelta(hours=1)) == [
        Outcome(agency, "2026-W49", Result.QUEUED, 2)
    ]
    assert await queue_due_digests(db, tuesday) == []
    assert await weeks(db, agency) == ["2026-W48", "2026-W49"]
    assert len(await outbox(db, agency)) == 4


async def test_sending_by_hand_to_an_unknown_agency_is_refused(quiet_digest_db: Database) -> None:
    with pytest.raises(NotFound):
        await send_digests_now(quiet_digest_db, MONDAY_0800_OSLO, "agency_nosuch")


async def test_recipients_removed_meanwhile_queue_nothing(quiet_digest_db: Database) -> None:
    db = quiet_digest_db
    agency = await agency_with_recipients(db)
    async with db.transaction() as tx:
        await write_settings(tx, agency, {"digest_recipients": []})
    assert await queue_due_digests(db, MONDAY_0800_OSLO) == []
    assert await weeks(db, agency) == []


async def test_two_schedulers_racing_queue_one_digest(
    quiet_digest_db: Database, digest_url: DatabaseURL
) -> None:
    """Two processes' connections (two databases opened on one), each finding the agency due:
    one queues, the other's claim of the week fails and it writes nothing."""
    db = quiet_digest_db
    agencies = [await agency_with_recipients(db) for _ in range(5)]
    other = await open_database(digest_url, pool_size=5)
    try:
        first, second = await asyncio.gather(
            queue_due_digests(db, MONDAY_0800_OSLO), queue_due_digests(other, MONDAY_0800_OSLO)
        )
    finally:
        await other.close()
    results = sorted(outcome.result for outcome in [*first, *second])
    assert results.count(Result.QUEUED) == len(agencies)
    assert set(results) <= {Result.QUEUED, Result.ALREADY_QUEUED}
    for agency in agencies:
        assert len(await outbox(db, agency)) == len(RECIPIENTS)
        assert await weeks(db, agency) == ["2026-W49"]


async def test_one_agency_that_cannot_be_read_holds_back_no_other(
    quiet_digest_db: Database,
) -> None:
    db = quiet_digest_db
    broken, sound = await agency_with_recipients(db), await agency_with_recipients(db)
    async with db.transaction() as tx:  # a stored value no write through the API can make
        await tx.execute(
            "UPDATE agencies SET digest_recipients = '[\"lead@' WHERE id = :id", {"id": broken}
        )
    assert await queue_due_digests(db, MONDAY_0800_OSLO) == [
        Outcome(sound, "2026-W49", Result.QUEUED, 2)
    ]
    assert await weeks(db, broken) == []
