"""Rules of the mentoring programme: access checks, validation against the data, one transaction
per write with its audit event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from pydantic import ValidationError

from caseworks.auth import Principal, policy
from caseworks.core.errors import Conflict, FieldProblem, Invalid, NotFound
from caseworks.core.ids import is_valid_id, new_id
from caseworks.core.pagination import Page, PageRequest
from caseworks.core.timestamps import to_utc, utc_now
from caseworks.core.validation import from_validation_errors
from caseworks.db import ConstraintViolation, Database, Executor, Row, audit, idempotency
from caseworks.db.base import StreamedRow
from caseworks.db.idempotency import Claim, IdempotentRequest
from caseworks.mentoring import mentoring_queries as queries
from caseworks.mentoring.capacity import CapacityCheck, NoSuchMentor, claim_capacity
from caseworks.mentoring.caseloads import with_stale_rule
from caseworks.mentoring.mentoring_models import (
    AssignmentCreate,
    AssignmentFields,
    AssignmentUpdate,
    CapacityOverride,
    Reassignment,
    StatusChange,
)
from caseworks.mentoring.mentoring_queries import AssignmentFilters
from caseworks.mentoring.reassignment_mail import reassignment_email
from caseworks.notify.outbox import enqueue

SUBJECT = "assignment"


class Reassigned(NamedTuple):
    closed: Row
    opened: Row


class SameMentor(Invalid):
    """A reassignment to the mentor the assignment already has (a conflict in a bulk move)."""


def _not_found(assignment_id: str) -> NotFound:
    return NotFound(f"no assignment {assignment_id}")


class FilterChoice(Protocol):
    """What a caller chooses assignments by: the list's query, a bulk operation's filter."""

    @property
    def mentor_id(self) -> str | None: ...
    @property
    def contact_id(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def assigned_from(self) -> datetime | None: ...
    @property
    def assigned_to(self) -> datetime | None: ...
    @property
    def last_contact_before(self) -> datetime | None: ...


def chosen_filters(chosen: FilterChoice) -> AssignmentFilters:
    """The list's filters for a choice, its times in UTC (``stale`` is applied apart, by
    ``with_stale_rule``, since it needs the agency's settings)."""

    def utc(value: datetime | None) -> datetime | None:
        return None if value is None else to_utc(value)

    return AssignmentFilters(
        mentor_id=chosen.mentor_id,
        contact_id=chosen.contact_id,
        status=chosen.status,
        assigned_from=utc(chosen.assigned_from),
        assigned_to=utc(chosen.assigned_to),
        last_contact_before=utc(chosen.last_contact_before),
    )


async def list_assignments(
    db: Database,
    caller: Principal,
    filters: AssignmentFilters,
    sort: str,
    page: PageRequest,
    stale: bool | None = None,
    now: datetime | None = None,
) -> Page:
    """A page of assignments; ``stale`` keeps the stale ones (true) or the others (false) as
    of ``now`` (the present if not given)."""
    scope = policy.mentoring_scope(caller)
    async with db.connection() as connection:  # settings, the page and its total: one checkout
        filters = await with_stale_rule(
            connection, scope.agency_id, filters, stale, now or utc_now()
        )
        rows, total = await queries.list_assignments(connection, scope, filters, sort, page)
    return Page(rows, page, total)


async def export_assignments(
    db: Database,
    caller: Principal,
    filters: AssignmentFilters,
    sort: str,
    columns: tuple[str, ...],
    stale: bool | None = None,
    now: datetime | None = None,
) -> AsyncIterator[list[StreamedRow]]:
    """Every assignment the list would page through, in its order, a batch at a time: the same
    scope and filters (``stale`` as the list takes it), each row ``columns`` (fields of an
    assignment) in their order."""
    scope = policy.mentoring_scope(caller)
    filters = await with_stale_rule(db, scope.agency_id, filters, stale, now or utc_now())
    exported = queries.Exported(columns, db.dialect)
    sql, params = queries.assignment_list_statement(scope, filters, sort, exported)
    async for batch in db.stream(sql, params):
        yield batch


async def _visible(db: Executor, caller: Principal, assignment_id: str) -> Row:
    """The assignment if the caller may see it; 404 otherwise, exactly as if it did not exist."""
    scope = policy.mentoring_scope(caller)
    row = None
    if is_valid_id(assignment_id):
        row = await queries.get_assignment(db, scope, assignment_id)
    if row is None:
        raise _not_found(assignment_id)
    return row


async def _locked(tx: Executor, caller: Principal, assignment_id: str) -> Row:
    """Like _visible, holding the row lock until the transaction ends."""
    scope = policy.mentoring_scope(caller)
    row = None
    if is_valid_id(assignment_id):
        row = await queries.lock_assignment(tx, scope, assignment_id)
    if row is None:
        raise _not_found(assignment_id)
    return row


async def get_assignment(db: Database, caller: Principal, assignment_id: str) -> Row:
    return await _visible(db, caller, assignment_id)


async def create_assignment(
    db: Database,
    caller: Principal,
    data: AssignmentCreate,
    idempotent: IdempotentRequest | None = None,
) -> tuple[Row, bool]:
    """The new assignment, or the one an earlier attempt with the key made; and which."""
    # Before the key is looked up: a replay answers with a record only its maker may make.
    policy.require_mentoring_manager(caller)
    check_override(caller, data)
    assignment_id = new_id("assign")
    return await idempotency.create_once(
        db,
        Claim(caller.agency_id, idempotent, SUBJECT, assignment_id),
        lambda tx: _insert_assignment(tx, caller, data, assignment_id),
        lambda made: get_assignment(db, caller, made),
    )


async def _insert_assignment(
    tx: Executor, caller: Principal, data: AssignmentCreate, assignment_id: str
) -> Row:
    now = utc_now()
    check = await _claim_for_new(tx, caller, data)
    try:
        fields = data.model_dump(include=set(AssignmentFields.model_fields))
        fields |= {"assigned_date": data.assigned_date or now}
        made = {"agency_id": caller.agency_id, "id": assignment_id, "created_at": now}
        await queries.insert_assignment(tx, _in_utc(fields) | made)
    except ConstraintViolation as violation:
        if violation.kind == "unique":
            raise Conflict(
                f"mentor {data.mentor_id} already has an open assignment"
                f" with contact {data.contact_id}"
            ) from violation
        raise
    await audit.record(
        tx,
        caller,
        "created",
        SUBJECT,
        assignment_id,
        to_status="open",
        reason=data.reason,
        details={"mentor_id": data.mentor_id, "contact_id": data.contact_id}
        | _override_details(check),
    )
    return await _visible(tx, caller, assignment_id)


async def _claim_for_new(tx: Executor, caller: Principal, data: AssignmentCreate) -> CapacityCheck:
    """422 naming each record the body names that does not exist; else the mentor's capacity
    claimed (409 over it)."""
    mentor = FieldProblem(f"no mentor {data.mentor_id}", pointer="/mentor_id")
    if not await queries.contact_exists(tx, caller.agency_id, data.contact_id):
        contact = FieldProblem(f"no contact {data.contact_id}", pointer="/contact_id")
        problems = [contact]
        if not await queries.mentor_exists(tx, caller.agency_id, data.mentor_id):
            problems.insert(0, mentor)
        raise Invalid("the assignment names records that do not exist", problems)
    try:
        return await claim_capacity(
            tx, caller.agency_id, data.mentor_id, override=data.override_capacity
        )
    except NoSuchMentor:
        raise Invalid("the assignment names records that do not exist", [mentor]) from None


def check_override(caller: Principal, data: CapacityOverride) -> None:
    """An override of a mentor's limit: admins and supervisors only (403), with a reason (422)."""
    if not data.override_capacity:
        return
    policy.require_capacity_override(caller)
    if data.reason is None or not data.reason.strip():
        raise Invalid.field("/reason", "a reason is required to override a mentor's capacity")


def _override_details(check: CapacityCheck | None) -> dict[str, Any]:
    """What the audit event says of a write that went over a mentor's limit."""
    if check is None or not check.over:
        return {}
    return {"capacity_override": True, "open_before": check.open, "limit": check.limit}


def _in_utc(values: dict[str, Any]) -> dict[str, Any]:
    """Times as they are stored: in UTC, whatever offset they were given with."""
    return {
        name: to_utc(value) if isinstance(value, datetime) else value
        for name, value in values.items()
    }


async def update_assignment(
    db: Database, caller: Principal, assignment_id: str, data: AssignmentUpdate
) -> Row:
    sent = data.model_fields_set
    if not sent:
        fields = ", ".join(AssignmentUpdate.model_fields)
        raise Invalid.field("", f"send at least one of {fields}")
    if "assigned_date" in sent and data.assigned_date is None:
        raise Invalid.field("/assigned_date", "assigned_date cannot be null")
    async with db.transaction() as tx:
        current = await _locked(tx, caller, assignment_id)
        return await _apply_update(tx, caller, assignment_id, current["status"], data)


async def _apply_update(
    tx: Executor, caller: Principal, assignment_id: str, status: str, data: AssignmentUpdate
) -> Row:
    """The fields sent in ``data`` written to the locked assignment, as the caller's role
    allows, with its audit event; the assignment as it is then."""
    sent = data.model_fields_set
    policy.check_assignment_update(caller, set(sent), status)
    changes = _in_utc(data.model_dump(include=sent))
    await queries.update_assignment(tx, caller.agency_id, assignment_id, changes, utc_now())
    await audit.record(
        tx, caller, "updated", SUBJECT, assignment_id, details={"fields": sorted(sent)}
    )
    return await _visible(tx, caller, assignment_id)


def appended_note(notes: str | None, note: str) -> str | None:
    """``notes`` with ``note`` (trimmed) after a blank line; None when the trimmed note is empty
    (the notes stay as they are)."""
    trimmed = note.strip()
    if not trimmed:
        return None
    return f"{notes}\n\n{trimmed}" if notes else trimmed


async def log_contact(
    db: Database, caller: Principal, assignment_id: str, contact_date: datetime, note: str
) -> Row:
    """A contact with the assignment's contact on ``contact_date``: sets ``last_contact_date``
    and appends ``note`` to the notes (an empty note sets the date only). The same write, rules,
    validation and audit event as an update of those fields; the notes are read under the row's
    lock, so two notes logged at once are both kept."""
    async with db.transaction() as tx:
        locked = await _locked(tx, caller, assignment_id)
        current = await _visible(tx, caller, assignment_id)  # its notes, as the lock holds them
        fields: dict[str, Any] = {"last_contact_date": contact_date}
        notes = appended_note(current["notes"], note)
        if notes is not None:
            fields["notes"] = notes
        try:
            data = AssignmentUpdate.model_validate(fields)
        except ValidationError as error:
            raise from_validation_errors(
                [{**entry, "loc": ("body", *entry["loc"])} for entry in error.errors()]
            ) from None
        return await _apply_update(tx, caller, assignment_id, locked["status"], data)


async def change_status(
    db: Database, caller: Principal, assignment_id: str, data: StatusChange
) -> Row:
    check_override(caller, data)
    async with db.transaction() as tx:
        if data.status == "open":
            await _lock_mentor_of(tx, caller, assignment_id)
        current = await _locked(tx, caller, assignment_id)
        policy.require_mentoring_manager(caller)
        if current["status"] != data.status:
            check = None
            if data.status == "open":  # a reopened assignment counts against the limit again
                check = await claim_capacity(
                    tx, caller.agency_id, current["mentor_id"], override=data.override_capacity
                )
            try:
                await queries.set_status(
                    tx, caller.agency_id, assignment_id, data.status, utc_now(), data.reason
                )
            except ConstraintViolation as violation:
                if violation.kind == "unique":
                    raise Conflict(
                        "the mentor already has another open assignment with this contact"
                    ) from violation
                raise
            await audit.record(
                tx,
                caller,
                "status_changed",
                SUBJECT,
                assignment_id,
                from_status=current["status"],
                to_status=data.status,
                reason=data.reason,
                details=_override_details(check) or None,
            )
        return await _visible(tx, caller, assignment_id)


async def _lock_mentor_of(tx: Executor, caller: Principal, assignment_id: str) -> None:
    """Lock the assignment's mentor before the assignment itself, in the order deleting a
    mentor takes them, so the two never wait for each other (an assignment's mentor never
    changes, so it can be read before the lock)."""
    seen = None
    if is_valid_id(assignment_id):
        seen = await queries.peek_assignment(tx, policy.mentoring_scope(caller), assignment_id)
    if seen is not None:
        await queries.lock_mentor_capacity(tx, caller.agency_id, seen["mentor_id"])


async def delete_assignment(db: Database, caller: Principal, assignment_id: str) -> None:
    async with db.transaction() as tx:
        current = await _locked(tx, caller, assignment_id)
        policy.require_mentoring_manager(caller)
        await erase_assignment(tx, caller, current)


async def erase_assignment(tx: Executor, caller: Principal, current: Row) -> None:
    """Delete the record, scrub free text from its history and leave a tombstone event."""
    await queries.delete_assignment(tx, caller.agency_id, current)
    await audit.scrub_reasons(tx, caller.agency_id, SUBJECT, current["id"])
    await audit.record(
        tx,
        caller,
        "deleted",
        SUBJECT,
        current["id"],
        from_status=current["status"],
        details={"mentor_id": current["mentor_id"], "contact_id": current["contact_id"]},
    )


async def _mentor_total(db: Executor, caller: Principal, mentor_id: str, open_only: bool) -> int:
    """The mentor's assignment count, or 404 if the caller may not see that mentor."""
    scope = policy.mentoring_scope(caller)
    total = None
    if is_valid_id(mentor_id):
        total = await queries.mentor_total(db, scope, mentor_id, open_only=open_only)
    if total is None:
        raise NotFound(f"no mentor {mentor_id}")
    return total


async def mentor_assignments(
    db: Database, caller: Principal, mentor_id: str, *, open_only: bool, page: PageRequest
) -> Page:
    async with db.connection() as connection:  # the total and the page: one checkout
        total = await _mentor_total(connection, caller, mentor_id, open_only)
        rows = []
        if page.offset < total:  # past the last page there is nothing to fetch
            rows = await queries.mentor_assignments(
                connection,
                policy.mentoring_scope(caller),
                mentor_id,
                open_only=open_only,
                page=page,
            )
    return Page(rows, page, total)


async def export_mentor_assignments(
    db: Database, caller: Principal, mentor_id: str, *, open_only: bool, columns: tuple[str, ...]
) -> AsyncIterator[list[StreamedRow]]:
    """All of a mentor's active view or history, in its order (404 first, as the list), each
    row ``columns`` in their order."""
    await _mentor_total(db, caller, mentor_id, open_only)
    scope = policy.mentoring_scope(caller)
    exported = queries.Exported(columns, db.dialect)
    sql, params = queries.mentor_list_statement(
        scope, mentor_id, open_only=open_only, exported=exported
    )
    async for batch in db.stream(sql, params):
        yield batch


async def export_events(
    db: Database, caller: Principal, assignment_id: str
) -> AsyncIterator[list[Row]]:
    """The audit trail of an assignment, as its list answers it: one batch (it is short)."""
    yield await assignment_events(db, caller, assignment_id)


async def mentor_open_count(db: Database, caller: Principal, mentor_id: str) -> int:
    return await _mentor_total(db, caller, mentor_id, open_only=True)


async def assignment_events(db: Database, caller: Principal, assignment_id: str) -> list[Row]:
    await _visible(db, caller, assignment_id)
    policy.require_mentoring_manager(caller)
    return await audit.events_for(db, caller.agency_id, SUBJECT, assignment_id)


# --- reassignment --------------------------------------------------------------------------------


async def reassign(
    db: Database,
    caller: Principal,
    assignment_id: str,
    data: Reassignment,
    idempotent: IdempotentRequest | None = None,
) -> tuple[Reassigned, bool]:
    """Close the assignment and open its successor with ``data.mentor_id``, in one transaction;
    or, for a retry with the key, what the first attempt did. Returns both rows and whether it
    was a replay."""
    policy.require_mentoring_manager(caller)
    check_override(caller, data)
    successor_id = new_id("assign")
    return await idempotency.create_once(
        db,
        Claim(caller.agency_id, idempotent, SUBJECT, successor_id),
        lambda tx: reassign_in(tx, caller, assignment_id, data, successor_id),
        lambda made: _reassignment_made(db, caller, made),
    )


async def reassign_in(
    tx: Executor, caller: Principal, assignment_id: str, data: Reassignment, successor_id: str
) -> Reassigned:
    """The one rule of a reassignment, in ``tx``: 404 for an assignment out of sight, 409 when
    it is closed, 422 for its own mentor or an unknown one, 409 over the target's capacity (unless
    overridden) or when the target already has the contact open."""
    # The target mentor's row before the assignment's, in the order every write that takes both
    # locks them, so a batch and a single move to one mentor queue instead of deadlocking.
    target_exists, _ = await queries.lock_mentor_capacity(tx, caller.agency_id, data.mentor_id)
    current = await _locked(tx, caller, assignment_id)
    if current["status"] != "open":
        raise Conflict(f"assignment {assignment_id} is closed; only an open one is reassigned")
    if current["mentor_id"] == data.mentor_id:
        raise SameMentor.field("/mentor_id", f"assignment {assignment_id} is with this mentor")
    if not target_exists:
        raise Invalid.field("/mentor_id", f"no mentor {data.mentor_id}")
    check = await claim_capacity(
        tx, caller.agency_id, data.mentor_id, override=data.override_capacity
    )
    now = utc_now()
    assigned = to_utc(data.assigned_date) if data.assigned_date is not None else now
    await tx.execute(
        *queries.close_for_successor_statement(
            caller.agency_id, assignment_id, successor_id, data.reason, now
        )
    )
    try:
        await tx.execute(
            *queries.successor_statement(
                caller.agency_id, assignment_id, successor_id, data.mentor_id, assigned, now
            )
        )
    except ConstraintViolation as violation:
        if violation.kind == "unique":
            raise Conflict(
                f"mentor {data.mentor_id} already has an open assignment"
                f" with contact {current['contact_id']}"
            ) from violation
        raise
    await _audit_reassignment(tx, caller, current, data, successor_id, check)
    made = Reassigned(
        await _visible(tx, caller, assignment_id), await _visible(tx, caller, successor_id)
    )
    if data.send_notification:
        await _tell_new_mentor(tx, caller, made.opened, data.reason, now)
    return made


async def _tell_new_mentor(
    tx: Executor, caller: Principal, opened: Row, reason: str, now: datetime
) -> None:
    """Queue the new mentor's message in ``tx``: it is sent if and only if the move commits (a
    dry run's or a failed item's rollback takes it too). A mentor without an address gets none."""
    mentor = await queries.mentor_addressee(tx, caller.agency_id, opened["mentor_id"])
    if mentor is None or not mentor["email"]:
        return
    await enqueue(tx, caller.agency_id, reassignment_email(mentor, opened, reason), now)


async def _audit_reassignment(
    tx: Executor,
    caller: Principal,
    current: Row,
    data: Reassignment,
    successor_id: str,
    check: CapacityCheck,
) -> None:
    await audit.record(
        tx,
        caller,
        "reassigned",
        SUBJECT,
        current["id"],
        from_status="open",
        to_status="closed",
        reason=data.reason,
        details={"next_assignment_id": successor_id, "mentor_id": data.mentor_id},
    )
    await audit.record(
        tx,
        caller,
        "created",
        SUBJECT,
        successor_id,
        to_status="open",
        reason=data.reason,
        details={
            "mentor_id": data.mentor_id,
            "contact_id": current["contact_id"],
            "previous_assignment_id": current["id"],
        }
        | _override_details(check),
    )


async def _reassignment_made(db: Database, caller: Principal, successor_id: str) -> Reassigned:
    """What an earlier attempt with the same key did: its successor and the one it closed."""
    opened = await _visible(db, caller, successor_id)
    previous = opened["previous_assignment_id"]
    if previous is None:  # the closed one was erased since
        raise NotFound(f"the assignment {successor_id} replaced has been erased")
    return Reassigned(await _visible(db, caller, previous), opened)
