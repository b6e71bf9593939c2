"""Worker assignments: who may assign whom, the row limits, idempotency, audit and mail.

Every create runs in one transaction that first holds the case-carrying workers' rows (their
capacity), then locks the child or application (on PostgreSQL ``SELECT … FOR UPDATE``; SQLite
serialises writers), so the limits and the 201/200 decision hold exactly under concurrent
requests; the unique indexes back them up. Every writer that holds both takes workers first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caseworks.auth import Principal, policy
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare import records
from caseworks.childwelfare.childwelfare_models import INCLUDES
from caseworks.childwelfare.terms import WorkerRole
from caseworks.core.errors import Conflict, FieldProblem, Invalid, NotFound
from caseworks.core.ids import is_valid_id, new_id
from caseworks.core.pagination import Page, PageRequest
from caseworks.core.sorting import SortKey
from caseworks.core.text import one_line
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor, Row, audit
from caseworks.db.base import StreamedRows
from caseworks.notify.outbox import Email, enqueue

SUBJECT = "worker_assignment"
# The roles a worker's own limit counts (``max_case_carrying``), by the limit's column.
CAPACITY_COLUMNS = {WorkerRole.CASE_CARRYING: "max_case_carrying"}


@dataclass(frozen=True)
class Subject:
    """The child or application assignments are made on."""

    column: str  # "child_id" or "application_id"
    record_id: str
    from_path: bool  # named by the URL (404/403) rather than by the body (422)

    @property
    def kind(self) -> records.RecordKind:
        return records.CHILDREN if self.column == "child_id" else records.APPLICATIONS

    @property
    def relationship(self) -> str:
        return "child" if self.column == "child_id" else "application"


@dataclass(frozen=True)
class Wanted:
    """One requested assignment, and where in the body it came from (for error pointers)."""

    role: WorkerRole
    worker_id: str
    notify: bool
    pointer: str  # "/data" or "/data/0"
    assignment_id: str | None = None  # the client's own id for it, if it brought one


async def assign(
    db: Database,
    caller: Principal,
    subject: Subject,
    wanted: list[Wanted],
    limits: dict[WorkerRole, int],
) -> bool:
    """Make the assignments that do not exist yet; True if any was made (201), else 200."""
    policy.casework_scope(caller)
    async with db.transaction() as tx:
        return await assign_in(tx, caller, subject, wanted, limits)


async def assign_in(
    tx: Executor,
    caller: Principal,
    subject: Subject,
    wanted: list[Wanted],
    limits: dict[WorkerRole, int],
) -> bool:
    """``assign`` inside a transaction the caller holds (an application's intake makes its
    assignments in its own): every rule is checked before the first row is written."""
    limited = [item.worker_id for item in wanted if item.role in CAPACITY_COLUMNS]
    await queries.hold_workers(tx, caller.agency_id, limited)
    target = await _locked_subject(tx, caller, subject, wanted[0].pointer)
    policy.require_casework_update(caller)
    workers = await _eligible_workers(tx, caller, wanted)
    held = await queries.holders(tx, caller.agency_id, subject.column, subject.record_id)
    _ids_agree(held, wanted)
    new = _within_limits(held, subject, wanted, limits)
    await _within_capacity(tx, caller, workers, new)
    now = utc_now()
    assigner = await assigner_of(tx, caller)
    await _ids_free(tx, caller, new)
    for item in new:
        await add_assignment(
            tx,
            caller,
            subject,
            target,
            workers[item.worker_id],
            item.role,
            Made(item.assignment_id or new_id("wa"), now, assigner, item.notify),
        )
    return bool(new)


@dataclass(frozen=True)
class Made:
    """How one new assignment is made: its id, when, by whom (as the mail names the assigner),
    whether its worker is told, and why, when a caller said (a transfer's reason)."""

    assignment_id: str
    now: datetime
    assigner: str
    notify: bool
    reason: str | None = None
    moved_from: str | None = None  # the assignment a transfer deleted for it


async def add_assignment(
    tx: Executor,
    caller: Principal,
    subject: Subject,
    target: Row,
    worker: Row,
    role: WorkerRole,
    made: Made,
) -> None:
    """One new assignment, whose rules were checked: the row, its audit event and its worker's
    mail (once, through the outbox), in the caller's transaction. ``target`` is the subject's
    row, locked."""
    if subject.column == "application_id":
        await _first_assignment_dated(tx, caller, target, made.now)
    await queries.insert_assignment(
        tx,
        {
            "agency_id": caller.agency_id,
            "id": made.assignment_id,
            "worker_id": worker["id"],
            "role": role,
            "child_id": subject.record_id if subject.column == "child_id" else None,
            "application_id": subject.record_id if subject.column == "application_id" else None,
            "created_by": caller.token_id,
            "now": made.now,
        },
    )
    details = {"worker_id": worker["id"], "role": role, subject.column: subject.record_id}
    if made.moved_from is not None:
        details["moved_from"] = made.moved_from
    await audit.record(
        tx, caller, "created", SUBJECT, made.assignment_id, reason=made.reason, details=details
    )
    if made.notify:
        mail = _email(worker, role, subject, target, made.assigner)
        await enqueue(tx, caller.agency_id, mail, made.now)


async def _first_assignment_dated(
    tx: Executor, caller: Principal, application: Row, now: datetime
) -> None:
    """The day an application first got a worker: set once, by its first assignment; later
    assignments and deletions leave it alone (it dates the family's first contact with a
    worker, which no later change undoes)."""
    if application["caseworker_assigned_date"] is None:
        await queries.update_record(
            tx,
            records.APPLICATIONS.table,
            caller.agency_id,
            application["id"],
            {"caseworker_assigned_date": now.date(), "updated_at": now},
        )
        application["caseworker_assigned_date"] = now.date()  # the next assignment leaves it


async def _locked_subject(tx: Executor, caller: Principal, subject: Subject, pointer: str) -> Row:
    try:
        return await records.get_record(tx, caller, subject.kind, subject.record_id, lock=True)
    except NotFound:
        if subject.from_path:
            raise
        raise Invalid.field(
            f"{pointer}/relationships/{subject.relationship}",
            f"no {subject.kind.noun} {subject.record_id} in this agency",
        ) from None


async def _eligible_workers(
    tx: Executor, caller: Principal, wanted: list[Wanted]
) -> dict[str, Row]:
    """Each worker exists in the caller's agency, is active and may hold the role."""
    problems: list[FieldProblem] = []
    workers: dict[str, Row] = {}
    scope = policy.casework_scope(caller)
    for item in wanted:
        pointer = f"{item.pointer}/relationships/worker"
        row = await queries.get_record(
            tx, records.WORKERS.table, scope, item.worker_id, columns_only=True
        )
        refused = (
            f"no agency worker {item.worker_id} in this agency"
            if row is None
            else ineligible(row, item.role)
        )
        if refused is not None:
            problems.append(FieldProblem(refused, pointer))
        else:
            assert row is not None
            workers[item.worker_id] = row
    if problems:
        raise Invalid("the assignment breaks a business rule", problems)
    return workers


def ineligible(worker: Row, role: WorkerRole) -> str | None:
    """Why ``worker`` may not be given an assignment in ``role``, or None if it may: it must be
    active and hold the role among its assignable roles."""
    if not worker["active"]:
        return f"agency worker {worker['id']} is not active"
    if role not in worker["assignable_roles"]:
        return f"agency worker {worker['id']} may not hold the {role.label} role"
    return None


async def over_capacity(
    tx: Executor, agency_id: str, worker: Row, role: WorkerRole, adding: int = 1
) -> str | None:
    """Why ``adding`` more assignments in ``role`` would take ``worker`` over its own limit
    (``max-case-carrying`` for case-carrying), or None. The caller holds the worker's row
    (``queries.hold_workers``), so the count stays true until its transaction ends."""
    column = CAPACITY_COLUMNS.get(role)
    limit = None if column is None else worker[column]
    if limit is None:
        return None
    held = await queries.held_in_role(tx, agency_id, worker["id"], role)
    if held + adding <= limit:
        return None
    return (
        f"agency worker {worker['id']} holds {held} {role.label} assignments, and its"
        f" max-case-carrying is {limit}"
    )


async def _within_capacity(
    tx: Executor, caller: Principal, workers: dict[str, Row], new: list[Wanted]
) -> None:
    """Each new assignment within its worker's own limit: 422 at the worker otherwise."""
    problems = []
    for item in new:
        refused = await over_capacity(tx, caller.agency_id, workers[item.worker_id], item.role)
        if refused is not None:
            problems.append(FieldProblem(refused, f"{item.pointer}/relationships/worker"))
    if problems:
        raise Invalid("the assignment is over a worker's capacity", problems)


def _ids_agree(held: list[Row], wanted: list[Wanted]) -> None:
    """An assignment asked for that exists already is a no-op, unless the client gave it an id
    other than its own: the client would go on using an id that names nothing. 409 at that
    item's ``id``, naming the assignment's id (the client may send that one, or none); and
    for an item with an id that repeats an earlier item of the request, which makes it."""
    ids = {(row["worker_id"], row["role"]): row["id"] for row in held}
    made_by: dict[tuple[str, str], Wanted] = {}
    problems: list[FieldProblem] = []
    for item in wanted:
        key = (item.worker_id, item.role)
        what = f"agency worker {item.worker_id} in the {item.role.label} role"
        if key in ids:
            if item.assignment_id is not None and item.assignment_id != ids[key]:
                detail = (
                    f"{what} is worker assignment {ids[key]} already, not"
                    f" {item.assignment_id}: send {ids[key]}, or no id"
                )
                problems.append(FieldProblem(detail, pointer=f"{item.pointer}/id"))
        elif key in made_by:
            if item.assignment_id is not None:  # the same id twice was refused with the body
                detail = f"{what} is asked for by {made_by[key].pointer} already: send no id here"
                problems.append(FieldProblem(detail, pointer=f"{item.pointer}/id"))
        else:
            made_by[key] = item
    if problems:
        raise Conflict(problems[0].detail, problems)


def _within_limits(
    held: list[Row], subject: Subject, wanted: list[Wanted], limits: dict[WorkerRole, int]
) -> list[Wanted]:
    """The assignments to make: those not ``held`` already, each role within its limit."""
    holding = {(row["worker_id"], row["role"]) for row in held}
    counts: dict[str, int] = {}
    for row in held:
        counts[row["role"]] = counts.get(row["role"], 0) + 1
    new: list[Wanted] = []
    problems: list[FieldProblem] = []
    for item in wanted:
        if (item.worker_id, item.role) in holding:
            continue  # already assigned: a no-op
        holding.add((item.worker_id, item.role))
        counts[item.role] = counts.get(item.role, 0) + 1
        if counts[item.role] > limits[item.role]:
            problems.append(
                FieldProblem(
                    row_limit(subject, item.role, limits[item.role]),
                    pointer=f"{item.pointer}/relationships/{subject.relationship}",
                )
            )
        new.append(item)
    if problems:
        raise Invalid("the assignment breaks a row limit", problems)
    return new


def row_limit(subject: Subject, role: WorkerRole, limit: int) -> str:
    return f"the {subject.kind.noun} already has the most {role.label} workers allowed ({limit})"


async def _ids_free(tx: Executor, caller: Principal, new: list[Wanted]) -> None:
    """409 at its ``id`` for a client's id the agency holds already: nothing is written."""
    for item in new:
        if item.assignment_id is not None and await queries.id_taken(
            tx, "worker_assignments", caller.agency_id, item.assignment_id
        ):
            raise records.id_clash("worker assignment", item.assignment_id, f"{item.pointer}/id")


async def assigner_of(tx: Executor, caller: Principal) -> str:
    name = await queries.token_name(tx, caller.token_id)
    return f"{name} ({caller.role.value})" if name else f"a {caller.role.value}"


def _email(worker: Row, role: WorkerRole, subject: Subject, target: Row, assigner: str) -> Email:
    # Names are refused with control characters at the edge, but rows written before that rule
    # (or by hand, or the token label from the command line) may still hold them: each goes
    # through one_line, so a line break can neither make the message unbuildable nor forge a
    # header or a line of the body.
    if subject.column == "child_id":
        names = [target["first_name"], target["middle_name"], target["last_name"]]
        what = "child " + one_line(" ".join(part for part in names if part))
    else:
        applicant = one_line(target["applicant_name"] or "") or target["id"]
        what = f"{target['kind']} application {applicant}"
    label = role.label
    return Email(
        recipient=worker["email"],
        subject=f"New assignment: {label} worker for {what}",
        body=(
            f"Hello {one_line(worker['name'])},\n\n"
            f"You have been assigned as the {label} worker for {what}"
            f" ({subject.record_id}) by {one_line(assigner)}.\n"
        ),
    )


# --- reading and deleting ----------------------------------------------------------------------


async def list_assignments(
    db: Executor,
    caller: Principal,
    filters: dict[str, Any],
    order: Sequence[SortKey],
    page: PageRequest,
) -> Page:
    scope = policy.casework_scope(caller)
    rows, total = await queries.list_assignments(db, scope, filters, order, page)
    return Page(rows, page, total)


async def own_roles_on_children(
    db: Executor, caller: Principal, child_ids: list[str]
) -> dict[str, list[WorkerRole]]:
    """The roles the caller's own agency worker holds on each of ``child_ids``, by child (a
    child it holds none on is left out); nothing for a caller tied to no worker (a manager)."""
    scope = policy.casework_scope(caller)
    if scope.worker_id is None:
        return {}
    held: dict[str, list[WorkerRole]] = {}
    for row in await queries.worker_roles_on_children(
        db, scope.agency_id, scope.worker_id, child_ids
    ):
        held.setdefault(row["child_id"], []).append(WorkerRole(row["role"]))
    return held


async def subject_assignments(
    db: Executor,
    caller: Principal,
    subject: Subject,
    filters: dict[str, Any],
    order: Sequence[SortKey],
    page: PageRequest,
) -> Page:
    """The assignments of one child or application the caller may read (404 otherwise)."""
    await records.get_record(db, caller, subject.kind, subject.record_id)
    return await list_assignments(
        db, caller, {**filters, subject.column: subject.record_id}, order, page
    )


async def export_assignments(
    db: Database,
    caller: Principal,
    filters: dict[str, Any],
    order: Sequence[SortKey],
    subject: Subject | None = None,
) -> AsyncIterator[StreamedRows]:
    """Every assignment the list would page through (``subject``'s, when given: 404 first, as
    its list), in its order, a batch at a time."""
    scope = policy.casework_scope(caller)
    if subject is not None:
        await records.get_record(db, caller, subject.kind, subject.record_id)
        filters = {**filters, subject.column: subject.record_id}
    sql, params = queries.assignment_list_statement(scope, filters, order)
    async for batch in db.stream(sql, params):
        yield batch


async def get_assignment(db: Executor, caller: Principal, assignment_id: str) -> Row:
    scope = policy.casework_scope(caller)
    row = None
    if is_valid_id(assignment_id):
        row = await queries.get_assignment(db, scope, assignment_id)
    if row is None:
        raise NotFound(f"no worker assignment {assignment_id}")
    return row


async def assignments_with_included(
    db: Database,
    caller: Principal,
    filters: dict[str, Any],
    order: Sequence[SortKey],
    page: PageRequest,
    include: AbstractSet[str],
    subject: Subject | None = None,
) -> tuple[Page, records.Included]:
    """A page of the assignments the caller may read (``subject``'s only, when given), with the
    records ``include`` names: the subject, the page, its total and the included records on one
    connection, so one trip to the pool."""
    async with db.connection() as connection:
        if subject is None:
            found = await list_assignments(connection, caller, filters, order, page)
        else:
            found = await subject_assignments(connection, caller, subject, filters, order, page)
        related = await included(connection, caller, found.items, include) if include else {}
    return found, related


async def assignment_with_included(
    db: Database, caller: Principal, assignment_id: str, include: AbstractSet[str]
) -> tuple[Row, records.Included]:
    """One assignment, with the records ``include`` names (on one connection)."""
    if not include:
        return await get_assignment(db, caller, assignment_id), {}
    async with db.connection() as connection:
        row = await get_assignment(connection, caller, assignment_id)
        return row, await included(connection, caller, [row], include)


async def delete_assignment(db: Database, caller: Principal, assignment_id: str) -> None:
    async with db.transaction() as tx:
        row = await get_assignment(tx, caller, assignment_id)
        policy.require_casework_update(caller)
        await remove_assignment(tx, caller, row)


async def remove_assignment(
    tx: Executor,
    caller: Principal,
    row: Row,
    reason: str | None = None,
    moved_to: str | None = None,
) -> None:
    """Delete an assignment with its audit event, in the caller's transaction; ``reason`` and
    ``moved_to`` (the assignment made in its place) when a transfer moves it."""
    await queries.delete_assignment(tx, caller.agency_id, row["id"])
    column = "child_id" if row["child_id"] is not None else "application_id"
    details = {"worker_id": row["worker_id"], "role": row["role"], column: row[column]}
    if moved_to is not None:
        details["moved_to"] = moved_to
    await audit.record(tx, caller, "deleted", SUBJECT, row["id"], reason=reason, details=details)


# Each includable relationship (childwelfare_models.INCLUDES): its records and its column.
_RELATED = {
    "worker": records.Related(records.WORKERS, "worker_id"),
    "child": records.Related(records.CHILDREN, "child_id"),
    "application": records.Related(records.APPLICATIONS, "application_id"),
    "applicant-profile": records.Related(records.PROFILES, records.APPLICANT_COLUMN),
}
assert tuple(_RELATED) == INCLUDES, "every includable relationship is read here"


async def included(
    db: Executor, caller: Principal, rows: list[Row], wanted: AbstractSet[str]
) -> records.Included:
    """The related records of ``rows`` a compound document asks for (``wanted`` names the
    relationships), each once, by kind: one query per kind, whatever the number of rows (and
    one more for the supervisors of the workers), each within the caller's scope."""
    return await records.related_records(db, caller, rows, _RELATED, wanted)
