"""Moving a worker's caseload to another worker: each of its assignments in the roles asked for
is deleted and made again for the target, under the rules of a single create.

All items of a transfer commit together, in one transaction: the answer then says exactly what
the database holds (no item is half done, and a failure of the database itself leaves the whole
caseload where it was, to be sent again). An item refused by a rule is not an error: it stays
with the source worker and its result says why. A dry run is the same transaction rolled back,
so its results are those a real transfer would have had at that moment, and nothing of it (rows,
audit events, mail) remains.

Locks, in the order every writer takes them: both workers' rows (id order), the source's
assignments, then each child and application of them (children, then applications, each by
id), so that a transfer never waits in a circle with another transfer or a single create.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from caseworks.auth import Principal, policy
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare import records
from caseworks.childwelfare import worker_assignments as assignments
from caseworks.childwelfare.terms import WorkerRole
from caseworks.childwelfare.worker_assignments import Made, Subject
from caseworks.core.errors import Invalid
from caseworks.core.ids import is_valid_id, new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor, Row

TARGET_POINTER = "/data/relationships/target-worker"


@dataclass(frozen=True)
class Transfer:
    """What a transfer asks for: the roles moved, to whom, why, and whether for real."""

    roles: tuple[WorkerRole, ...]
    target_id: str
    reason: str
    dry_run: bool = False
    notify: bool = True


class Outcome(StrEnum):
    MOVED = "moved"
    INELIGIBLE = "ineligible"
    OVER_CAPACITY = "over-capacity"
    ROW_LIMIT = "row-limit"
    ALREADY_ASSIGNED = "already-assigned"


@dataclass(frozen=True)
class ItemResult:
    """One assignment of the source worker and what became of it."""

    assignment_id: str
    role: WorkerRole
    subject: Subject
    outcome: Outcome
    detail: str
    new_assignment_id: str | None = None  # the assignment made for the target (not on a dry run)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back, carrying its results."""

    def __init__(self, results: list[ItemResult]) -> None:
        super().__init__("dry run")
        self.results = results


async def check_source(db: Database, caller: Principal, worker_id: str) -> None:
    """Before the body is read: 404 for a worker the caller's agency does not have."""
    await records.get_record(db, caller, records.WORKERS, worker_id)


async def transfer_caseload(
    db: Database,
    caller: Principal,
    source_id: str,
    transfer: Transfer,
    limits: dict[WorkerRole, int],
) -> list[ItemResult]:
    """Each of the source worker's assignments in ``transfer.roles``, oldest first, moved to
    the target where the rules allow it; one result per assignment."""
    policy.require_casework_update(caller)
    try:
        async with db.transaction() as tx:
            results = await _transfer_in(tx, caller, source_id, transfer, limits)
            if transfer.dry_run:
                raise _DryRun(results)
    except _DryRun as rolled_back:
        return rolled_back.results
    return results


async def _transfer_in(
    tx: Executor,
    caller: Principal,
    source_id: str,
    transfer: Transfer,
    limits: dict[WorkerRole, int],
) -> list[ItemResult]:
    await queries.hold_workers(tx, caller.agency_id, [source_id, transfer.target_id])
    await records.get_record(tx, caller, records.WORKERS, source_id)  # 404 if gone meanwhile
    target = await _target(tx, caller, source_id, transfer.target_id)
    rows = await queries.assignments_of_worker(tx, caller.agency_id, source_id, transfer.roles)
    subjects = await _locked_subjects(tx, caller, rows)
    assigner = await assignments.assigner_of(tx, caller)
    moving = Moving(target, transfer, Made("", utc_now(), assigner, transfer.notify))
    results = []
    for row in rows:
        subject = _subject_of(row)
        result = await _checked(tx, caller, row, subject, target, limits)
        if result is None:
            result = await _move(tx, caller, row, subject, subjects[_key(subject)], moving)
        results.append(result)
    return results


@dataclass(frozen=True)
class Moving:
    """What every move of one transfer shares: the target, the request, and how its new
    assignments are made (when, by whom, with or without mail)."""

    target: Row
    transfer: Transfer
    made: Made


async def _move(
    tx: Executor, caller: Principal, row: Row, subject: Subject, locked: Row, moving: Moving
) -> ItemResult:
    """The assignment deleted and made again for the target, each with its audit event and the
    reason, the target's mail queued as a single create queues it."""
    reason, target = moving.transfer.reason, moving.target
    new_assignment_id = new_id("wa")
    await assignments.remove_assignment(tx, caller, row, reason=reason, moved_to=new_assignment_id)
    made = replace(
        moving.made, assignment_id=new_assignment_id, reason=reason, moved_from=row["id"]
    )
    role = WorkerRole(row["role"])
    await assignments.add_assignment(tx, caller, subject, locked, target, role, made)
    if moving.transfer.dry_run:  # rolled back: the new id will name nothing
        return ItemResult(
            row["id"], role, subject, Outcome.MOVED, f"would move to agency worker {target['id']}"
        )
    detail = f"moved to agency worker {target['id']} as {new_assignment_id}"
    return ItemResult(row["id"], role, subject, Outcome.MOVED, detail, new_assignment_id)


async def _target(tx: Executor, caller: Principal, source_id: str, target_id: str) -> Row:
    """The target worker: another worker of the caller's agency (422 at the relationship)."""
    scope = policy.casework_scope(caller)
    row = None
    if is_valid_id(target_id):
        row = await queries.get_record(
            tx, records.WORKERS.table, scope, target_id, columns_only=True
        )
    if row is None:
        raise Invalid.field(TARGET_POINTER, f"no agency worker {target_id} in this agency")
    if target_id == source_id:
        raise Invalid.field(TARGET_POINTER, "is the worker whose caseload moves")
    return row


def _subject_of(row: Row) -> Subject:
    if row["child_id"] is not None:
        return Subject("child_id", row["child_id"], from_path=False)
    return Subject("application_id", row["application_id"], from_path=False)


def _key(subject: Subject) -> tuple[str, str]:
    return subject.column, subject.record_id


async def _locked_subjects(
    tx: Executor, caller: Principal, rows: list[Row]
) -> dict[tuple[str, str], Row]:
    """The children and applications of ``rows``, each locked once, children first, by id."""
    keys = sorted(
        {_key(_subject_of(row)) for row in rows}, key=lambda key: (key[0] != "child_id", key[1])
    )
    locked = {}
    for column, record_id in keys:
        kind = records.CHILDREN if column == "child_id" else records.APPLICATIONS
        locked[(column, record_id)] = await records.get_record(
            tx, caller, kind, record_id, lock=True
        )
    return locked


async def _checked(
    tx: Executor,
    caller: Principal,
    row: Row,
    subject: Subject,
    target: Row,
    limits: dict[WorkerRole, int],
) -> ItemResult | None:
    """The rule that keeps this assignment with the source worker, as its result; None when it
    may move. The rules of a single create, in its order: the target's eligibility, the target
    holding it already, the subject's row limit, the target's capacity (which counts the items
    this transfer moved before, since they are written already)."""
    role = WorkerRole(row["role"])

    def kept(outcome: Outcome, detail: str) -> ItemResult:
        return ItemResult(row["id"], role, subject, outcome, detail)

    refused = assignments.ineligible(target, role)
    if refused is not None:
        return kept(Outcome.INELIGIBLE, refused)
    held = await queries.holders(tx, caller.agency_id, subject.column, subject.record_id)
    if any(other["worker_id"] == target["id"] and other["role"] == role for other in held):
        return kept(
            Outcome.ALREADY_ASSIGNED,
            f"agency worker {target['id']} is already a {role.label} worker of"
            f" {subject.kind.noun} {subject.record_id}; this assignment stays",
        )
    # The move replaces one of the role's workers with another: the count stays as it is, so
    # only a subject already over its limit (the limit lowered since) refuses it.
    if sum(other["role"] == role for other in held) > limits[role]:
        return kept(Outcome.ROW_LIMIT, assignments.row_limit(subject, role, limits[role]))
    refused = await assignments.over_capacity(tx, caller.agency_id, target, role)
    if refused is not None:
        return kept(Outcome.OVER_CAPACITY, refused)
    return None
