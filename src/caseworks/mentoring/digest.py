"""The weekly caseload digest: one plain-text e-mail a week to each of an agency's
``digest_recipients``, through the outbox, listing its stale assignments, the mentors at or over
their caseload limit and the contacts waiting longest for a mentor.

The dispatcher asks on each pass which agencies are due (``queue_due_digests``): those whose
local time has reached ``digest_weekday`` at ``digest_hour`` of the current ISO week and whose
digest of that week is not queued yet. ``caseworks digest send`` queues the current week's at
once (``send_digests_now``). Either way one transaction records the week in ``digest_weeks`` and
queues the mails; the table's primary key (agency, week) admits one record, so however many
dispatchers race, one wins and the others write nothing: exactly one digest per agency and
week.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from caseworks.auth import policy
from caseworks.auth.agencies import AgencySettings, read_settings, settings_from_row
from caseworks.core.errors import NotFound
from caseworks.core.pagination import PageRequest
from caseworks.db import Database, DatabaseUnavailable, Executor, Row
from caseworks.mentoring import digest_queries as queries
from caseworks.mentoring import mentoring_queries
from caseworks.notify.outbox import Email, enqueue

log = logging.getLogger("caseworks.digest")

# How many lines each list shows; the rest are counted ("… and 12 more").
STALE_SHOWN = 50
AT_CAPACITY_SHOWN = 50
WAITING_SHOWN = 20


def iso_week(day: date) -> str:
    """``2026-W49``: the ISO year and week of ``day`` (text order is time order)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_week(settings: AgencySettings, last_week: str | None, now: datetime) -> str | None:
    """The week whose digest is due at ``now``, or None: due once the agency's local time is at
    or past its weekday and hour of the current ISO week, until that week's digest is queued.

    Compared as local wall-clock times, so an hour that a change to summer time skips is due
    at the first local time after it.
    """
    local = now.astimezone(settings.zone).replace(tzinfo=None)
    year, week, _ = local.isocalendar()
    day = date.fromisocalendar(year, week, settings.digest_weekday)
    if local < datetime.combine(day, time(settings.digest_hour)):
        return None
    current = iso_week(local.date())
    if last_week is not None and last_week >= current:
        return None
    return current


class Result(StrEnum):
    QUEUED = "queued"
    ALREADY_QUEUED = "already queued"  # this week's digest was queued before, by anyone
    NO_RECIPIENTS = "no recipients"


@dataclass(frozen=True)
class Outcome:
    agency_id: str
    week: str | None
    result: Result
    recipients: int = 0


@dataclass(frozen=True)
class _Agency:
    agency_id: str
    name: str
    settings: AgencySettings
    last_week: str | None

    @classmethod
    def of(cls, row: Row) -> _Agency:
        return cls(row["agency_id"], row["name"], settings_from_row(row), row["last_week"])


async def queue_due_digests(db: Database, now: datetime) -> list[Outcome]:
    """Queue the digest of every agency that is due at ``now`` (the dispatcher's clock). One
    agency's failure is logged and tried again on the next pass, and holds back no other."""
    outcomes = []
    for row in await queries.agencies_with_recipients(db):
        try:
            agency = _Agency.of(row)
            week = due_week(agency.settings, agency.last_week, now)
            if week is not None:
                outcomes.append(await _queue(db, agency, week, now))
        except DatabaseUnavailable:
            raise  # every other agency would fail the same way: the dispatcher waits
        except Exception:
            log.exception("the digest for %s failed", row["agency_id"])
    return outcomes


async def send_digests_now(
    db: Database, now: datetime, agency_id: str | None = None
) -> list[Outcome]:
    """Queue the current week's digest at once, whatever the weekday and hour, for one agency
    or every agency with recipients; a week whose digest is queued already is left alone."""
    rows = await queries.agencies_with_recipients(db, agency_id)
    if agency_id is not None and not rows:
        try:
            await read_settings(db, agency_id)
        except LookupError:
            raise NotFound(f"no agency {agency_id}") from None
        return [Outcome(agency_id, None, Result.NO_RECIPIENTS)]
    outcomes = []
    for row in rows:
        agency = _Agency.of(row)
        week = iso_week(now.astimezone(agency.settings.zone).date())
        if agency.last_week is not None and agency.last_week >= week:
            outcomes.append(Outcome(agency.agency_id, week, Result.ALREADY_QUEUED))
        else:
            outcomes.append(await _queue(db, agency, week, now))
    return outcomes


class _Unclaimed(Exception):
    """Nothing to queue after all: roll the transaction back, the week's claim with it."""

    def __init__(self, result: Result) -> None:
        self.result = result


async def _queue(db: Database, agency: _Agency, week: str, now: datetime) -> Outcome:
    try:
        async with db.transaction() as tx:
            # The claim first: a process that loses the race stops here, before any work.
            if not await queries.claim_week(tx, agency.agency_id, week, now):
                raise _Unclaimed(Result.ALREADY_QUEUED)
            settings = await read_settings(tx, agency.agency_id)  # as they are now
            if not settings.digest_recipients:  # removed since the agency was found due
                raise _Unclaimed(Result.NO_RECIPIENTS)
            mail = await _compose(tx, agency, settings, week, now)
            for recipient in settings.digest_recipients:
                await enqueue(tx, agency.agency_id, Email(recipient, mail.subject, mail.body), now)
    except _Unclaimed as unclaimed:
        if unclaimed.result is Result.ALREADY_QUEUED:
            log.info("digest of %s for %s was queued by another process", week, agency.agency_id)
        return Outcome(agency.agency_id, week, unclaimed.result)
    count = len(settings.digest_recipients)
    log.info("queued the digest of %s for %s to %d recipient(s)", week, agency.agency_id, count)
    return Outcome(agency.agency_id, week, Result.QUEUED, count)


# --- content -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """The first rows of a list, and how many there are in all."""

    rows: list[Row]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Digest:
    stale: Listed
    at_capacity: Listed
    waiting: Listed


async def read_digest(
    db: Executor, agency_id: str, settings: AgencySettings, now: datetime
) -> Digest:
    """What the agency's digest lists at ``now``."""
    scope = policy.agency_scope(agency_id)
    stale = await queries.stale_assignments(db, scope, settings.stale_before(now), STALE_SHOWN)
    at_capacity = await queries.mentors_at_capacity(db, scope, AT_CAPACITY_SHOWN)
    waiting = await mentoring_queries.list_waiting_contacts(
        db, scope, PageRequest(1, WAITING_SHOWN)
    )
    return Digest(Listed(*stale), Listed(*at_capacity), Listed(*waiting))


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


async def _compose(
    db: Executor, agency: _Agency, settings: AgencySettings, week: str, now: datetime
) -> Mail:
    digest = await read_digest(db, agency.agency_id, settings, now)
    return Mail(f"Caseload digest, week {week}", render(agency.name, settings, week, digest, now))


def render(
    agency_name: str, settings: AgencySettings, week: str, digest: Digest, now: datetime
) -> str:
    """The digest as plain text. Contacts are named by id only: the mail leaves the service,
    and a coordinator finds the person by the id; mentors, the agency's own volunteers, by name
    and id. No addresses, phone numbers or notes."""
    moment = _Moments(settings, now)
    lines = [
        f"Caseload digest for {agency_name}, week {week}",
        f"As of {now.astimezone(settings.zone):%Y-%m-%d %H:%M} ({settings.time_zone}).",
        "",
        f"Stale assignments (no contact for more than {settings.stale_after_days} days):"
        f" {digest.stale.total}",
    ]
    for row in digest.stale.rows:
        if row["last_contact_date"] is None:
            last = f"never contacted, assigned {moment.ago(row['assigned_date'])}"
        else:
            last = f"last contact {moment.ago(row['last_contact_date'])}"
        lines.append(
            f"- {row['assignment_id']}: contact {row['contact_id']},"
            f" mentor {row['mentor_name']} ({row['mentor_id']}), {last}"
        )
    lines += _more(digest.stale)
    lines += ["", f"Mentors at or over their caseload limit: {digest.at_capacity.total}"]
    for row in digest.at_capacity.rows:
        lines.append(
            f"- {row['name']} ({row['mentor_id']}): {row['open']} open, limit {row['capacity']}"
        )
    lines += _more(digest.at_capacity)
    lines += ["", f"Contacts waiting for a mentor, longest first: {digest.waiting.total}"]
    for row in digest.waiting.rows:
        lines.append(f"- {row['contact_id']}: waiting since {moment.ago(row['waiting_since'])}")
    lines += _more(digest.waiting)
    lines += [
        "",
        "Contacts are named by id only; look them up in caseworks.",
        "You get this mail as a digest recipient in your agency's settings.",
    ]
    return "\n".join(lines) + "\n"


def _more(listed: Listed) -> list[str]:
    return [f"… and {listed.more} more"] if listed.more else []


@dataclass(frozen=True)
class _Moments:
    settings: AgencySettings
    now: datetime

    def ago(self, moment: datetime) -> str:
        """``2026-10-01 (61 days ago)``, the day in the agency's time zone."""
        days = (self.now - moment).days
        return f"{moment.astimezone(self.settings.zone):%Y-%m-%d} ({days} days ago)"
