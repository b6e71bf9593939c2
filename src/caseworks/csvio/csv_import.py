"""Importing a kind of record from a CSV file, all or nothing.

The header names the columns (``csv_columns``); each row is one record, its id the client's.
Every cell is validated by the model the API validates that record with (so the messages are
the API's) before any transaction opens. Then, in one transaction, each row's id is looked up
(a thousand a statement): a new id is created under the rules of a create, a known one whose
values differ is updated under the rules of a PUT, and one that matches is left alone. Any
problem means nothing is written and the report lists the problems (the first hundred; the
rest counted). Rows and audit events are written in batches.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from caseworks.auth import Principal, policy
from caseworks.auth.policy import CaseworkScope
from caseworks.auth.tokens import revoke_worker_tokens
from caseworks.childwelfare import childwelfare_queries
from caseworks.childwelfare.childwelfare_models import RECORD_MODELS, admits_null
from caseworks.childwelfare.records import set_supervisors
from caseworks.core.errors import Conflict, Invalid, NotFound
from caseworks.core.ids import is_client_id, is_client_record_id
from caseworks.core.text import FreeText, IsoDateTime, RecordId
from caseworks.core.timestamps import to_utc, utc_now
from caseworks.core.validation import message
from caseworks.csvio import import_queries as queries
from caseworks.csvio.csv_columns import columns
from caseworks.csvio.csv_reading import CsvFile, Record, Unreadable, read_csv
from caseworks.db import ConstraintViolation, Database, Executor, Row
from caseworks.db.audit import Event, record_many
from caseworks.mentoring.capacity import OverCapacity, claim_capacity
from caseworks.mentoring.mentoring_models import AssignmentStatus, MentorFields, PersonCreate

MAX_ERRORS = 100
# Rows written in one batch: the progress shown moves on after each.
WRITE_BATCH = 5000
# Progress: called with (steps done, steps in all); each row is two steps, read and written.
Progress = Callable[[int, int], None]


# --- the report -------------------------------------------------------------------------------


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    more_errors: int = 0

    def add(self, line: int, column: str | None, detail: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "column": column, "detail": detail})
        else:
            self.more_errors += 1

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def problems(self) -> int:
        """Every problem found so far, named or counted."""
        return len(self.errors) + self.more_errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "more_errors": self.more_errors,
        }


class ImportRefused(Invalid):
    """422: the file was not imported; ``report`` says why, row by row."""

    def __init__(self, report: Report) -> None:
        count = report.problems
        super().__init__(
            f"the file was not imported: {count} problem{'' if count == 1 else 's'};"
            " nothing was written"
        )
        self.report = report


class _DryRun(Exception):
    """Rolls back a dry run's transaction once its report is made."""


# --- rows as the models see them ----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A valid row: its id, the create model's values, and the fields it sets on a record
    that exists (those of its columns, less empty cells of fields that cannot be null)."""

    line: int
    record_id: str
    values: dict[str, Any]
    sets: tuple[str, ...]


class _AssignmentRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mentor_id: RecordId
    contact_id: RecordId
    status: AssignmentStatus = "open"
    notes: FreeText | None = None
    assigned_date: IsoDateTime | None = None  # now, for a new one
    last_contact_date: IsoDateTime | None = None
    closed_date: IsoDateTime | None = None


Shape = Literal["int", "bool", "json", "text"]


def _shape(annotation: Any) -> Shape:
    """How a cell's text becomes the value the model checks: JSON for lists and objects, a
    number or a boolean where the field takes one, else the text itself."""
    if get_origin(annotation) is Annotated:
        return _shape(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        shapes = {_shape(option) for option in get_args(annotation) if option is not type(None)}
        return shapes.pop() if len(shapes) == 1 else "text"
    if get_origin(annotation) is list or (
        isinstance(annotation, type) and issubclass(annotation, BaseModel)
    ):
        return "json"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    return "text"


# At most 19 digits: int() refuses a longer number text outright (and none fits a column).
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_BOOLEANS = {"true": True, "false": False}


def _value(shape: Shape, text: str) -> Any:
    """The cell as the model takes it; text that does not parse is left for the model to
    refuse, so that the message is the model's."""
    if shape == "int" and _INTEGER.fullmatch(text.strip()):
        return int(text)
    if shape == "bool" and text.strip().lower() in _BOOLEANS:
        return _BOOLEANS[text.strip().lower()]
    if shape == "json":
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
    return text


# --- each kind ----------------------------------------------------------------------------------

Planner = Callable[["Kind", Executor, Principal, list[Line], Report], Awaitable["Plan"]]
Writer = Callable[["Kind", Executor, Principal, "Plan", Progress | None], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    name: str  # as the command and the path name it: "agency-workers"
    model: type[BaseModel]  # validates a row's cells, less its id
    id_check: Callable[[str], bool]
    id_rule: str
    table: str
    subject: str  # the audit events' subject type, as the API's writes name it
    plan: Planner
    write: Writer
    # Fields an empty cell leaves as stored (an update may leave them out, not make them null).
    kept_when_empty: frozenset[str] = frozenset()

    @property
    def id_column(self) -> str:
        return columns(self.name)[0]

    @property
    def shapes(self) -> dict[str, Shape]:
        return {name: _shape(info.annotation) for name, info in self.model.model_fields.items()}

    @property
    def required(self) -> tuple[str, ...]:
        required = (name for name, info in self.model.model_fields.items() if info.is_required())
        return (self.id_column, *required)


@dataclass
class Plan:
    """What the transaction writes: new rows, and (row, changed fields) pairs."""

    creates: list[Line] = field(default_factory=list)
    updates: list[tuple[Line, dict[str, Any]]] = field(default_factory=list)
    # Assignments: (row, current status, new status) where the status changes.
    moves: list[tuple[Line, str, str]] = field(default_factory=list)


def _never_null(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name in model.model_fields if not admits_null(model, name))


def _same(new: Any, old: Any) -> bool:
    if isinstance(new, datetime) and isinstance(old, datetime):
        return to_utc(new) == to_utc(old)
    if isinstance(new, list) and isinstance(old, list):  # kept as a set, in no order
        return sorted({_item(item) for item in new}) == sorted({_item(item) for item in old})
    return bool(_plain(new) == _plain(old))


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _item(value: Any) -> Any:
    """An item of a list as stored: a role as its value, a supervisor (read as its id and
    name) as its id."""
    if isinstance(value, dict):
        return value["id"]
    return _plain(value)


def _changes(line: Line, current: Row) -> dict[str, Any]:
    return {
        name: line.values[name] for name in line.sets if not _same(line.values[name], current[name])
    }


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Times in UTC to the second, as the database keeps them."""
    return {
        name: to_utc(value) if isinstance(value, datetime) else value
        for name, value in values.items()
    }


async def _in_batches(
    rows: Sequence[Any],
    write: Callable[[Sequence[Any]], Awaitable[None]],
    progress: Progress | None,
    done: list[int],
) -> None:
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        await write(batch)
        if progress is not None:
            done[0] += len(batch)
            progress(done[0], done[1])


# --- mentors and contacts -------------------------------------------------------------------


async def _plan_people(
    kind: Kind, db: Executor, caller: Principal, lines: list[Line], report: Report
) -> Plan:
    stored = await queries.people(db, kind.table, caller.agency_id, (x.record_id for x in lines))
    return _sorted(lines, stored, report)


def _sorted(lines: list[Line], stored: dict[str, Row], report: Report) -> Plan:
    """New, changed and unchanged rows, counted in the report."""
    plan = Plan()
    for line in lines:
        current = stored.get(line.record_id)
        if current is None:
            plan.creates.append(line)
            continue
        changes = _changes(line, current)
        if changes:
            plan.updates.append((line, changes))
        else:
            report.unchanged += 1
    report.created, report.updated = len(plan.creates), len(plan.updates)
    return plan


async def _write_people(
    kind: Kind, tx: Executor, caller: Principal, plan: Plan, progress: Progress | None
) -> None:
    now = utc_now()
    names = queries.PERSON_COLUMNS[kind.table]
    done = [0, len(plan.creates)]

    async def insert(batch: Sequence[Line]) -> None:
        await queries.insert_people(
            tx,
            kind.table,
            [
                {name: line.values.get(name) for name in names}
                | {"agency_id": caller.agency_id, "id": line.record_id, "now": now}
                for line in batch
            ],
        )
        await record_many(
            tx, caller, [Event("created", kind.subject, line.record_id) for line in batch]
        )

    await _in_batches(plan.creates, insert, progress, done)
    await queries.update_rows(
        tx,
        kind.table,
        names,
        caller.agency_id,
        [(line.record_id, changes) for line, changes in plan.updates],
        now,
    )
    await record_many(tx, caller, _updated_events(kind, plan))


def _updated_events(kind: Kind, plan: Plan) -> list[Event]:
    return [
        Event("updated", kind.subject, line.record_id, details={"fields": sorted(changes)})
        for line, changes in plan.updates
    ]


# --- assignments -------------------------------------------------------------------------------


async def _plan_assignments(
    kind: Kind, db: Executor, caller: Principal, lines: list[Line], report: Report
) -> Plan:
    agency_id = caller.agency_id
    stored = await queries.assignments(db, agency_id, (line.record_id for line in lines))
    await _check_people(db, agency_id, lines, report)
    plan = Plan()
    for line in lines:
        current = stored.get(line.record_id)
        if current is None:
            _plan_new_assignment(line, plan, report)
        else:
            _plan_assignment_change(line, current, plan, report)
    if report.failed:
        return plan
    await _check_open_pairs(db, agency_id, plan, stored, report)
    await _check_capacity(db, agency_id, plan, stored, report)
    changed = {line.record_id for line, _ in plan.updates}
    changed |= {line.record_id for line, _, _ in plan.moves}
    report.created, report.updated = len(plan.creates), len(changed)
    report.unchanged = len(lines) - report.created - report.updated
    return plan


async def _check_people(db: Executor, agency_id: str, lines: list[Line], report: Report) -> None:
    """Every mentor and contact a row names is one of this agency's (another agency's is no
    different from one that does not exist)."""
    for column, table, noun in (
        ("mentor_id", "mentors", "mentor"),
        ("contact_id", "contacts", "contact"),
    ):
        known = await queries.existing_ids(
            db, table, agency_id, {line.values[column] for line in lines}
        )
        for line in lines:
            if line.values[column] not in known:
                report.add(line.line, column, f"no {noun} {line.values[column]} in this agency")


def _plan_new_assignment(line: Line, plan: Plan, report: Report) -> None:
    values = line.values
    if values["status"] == "closed" and values["closed_date"] is None:
        report.add(line.line, "closed_date", "is required when status is closed")
        return
    if values["status"] == "open" and values["closed_date"] is not None:
        report.add(line.line, "closed_date", "must be empty while status is open")
        return
    assigned = values["assigned_date"] or utc_now()
    if values["closed_date"] is not None and to_utc(values["closed_date"]) < to_utc(assigned):
        report.add(line.line, "closed_date", "must not be before assigned_date")
        return
    plan.creates.append(Line(line.line, line.record_id, values | {"assigned_date": assigned}, ()))


def _plan_assignment_change(line: Line, current: Row, plan: Plan, report: Report) -> None:
    """A PUT's changes (notes, dates) and a status change's (closing dates it; reopening
    clears the date); who the assignment is between is not changed by an import."""
    found_before = report.problems
    changes = _changes(line, current)
    for column in ("mentor_id", "contact_id"):
        if column in changes:
            report.add(
                line.line,
                column,
                f"assignment {line.record_id} is with {current[column]}: an import does not"
                " change whom an assignment is between (reassign it instead)",
            )
    new_status = changes.pop("status", current["status"])
    given_closed = changes.pop("closed_date", None)
    if new_status == "open" and line.values["closed_date"] is not None:
        report.add(line.line, "closed_date", "must be empty while status is open")
    elif given_closed is not None and new_status == current["status"]:
        report.add(
            line.line, "closed_date", "is set when the assignment is closed; it cannot be changed"
        )
    if report.problems > found_before:
        return
    changes = {
        name: value for name, value in changes.items() if name not in ("mentor_id", "contact_id")
    }
    if new_status != current["status"]:
        closed = (given_closed or utc_now()) if new_status == "closed" else None
        plan.moves.append(
            (
                Line(line.line, line.record_id, {"closed_date": closed}, ()),
                current["status"],
                new_status,
            )
        )
    if changes:
        plan.updates.append((line, changes))


async def _check_open_pairs(
    db: Executor, agency_id: str, plan: Plan, stored: dict[str, Row], report: Report
) -> None:
    """One open assignment per mentor and contact: after the import as before it."""
    closing = {line.record_id for line, _, new in plan.moves if new == "closed"}
    opening = [line for line in plan.creates if line.values["status"] == "open"]
    opening += [
        Line(line.line, line.record_id, stored[line.record_id], ())
        for line, _, new in plan.moves
        if new == "open"
    ]
    mentors = {line.values["mentor_id"] for line in opening}
    taken = {
        (row["mentor_id"], row["contact_id"]): row["id"]
        for row in await queries.open_assignments_of(db, agency_id, mentors)
        if row["id"] not in closing
    }
    for line in sorted(opening, key=lambda line: line.line):
        pair = (line.values["mentor_id"], line.values["contact_id"])
        holder = taken.get(pair)
        if holder is not None and holder != line.record_id:
            report.add(
                line.line,
                "contact_id",
                f"mentor {pair[0]} already has an open assignment with contact {pair[1]}"
                f" ({holder})",
            )
        taken[pair] = line.record_id


async def _check_capacity(
    db: Executor, agency_id: str, plan: Plan, stored: dict[str, Row], report: Report
) -> None:
    """Each mentor's open assignments after the import within its limit in force, claimed
    once per mentor for all the file opens for it (less those it closes): the mentor's row
    stays locked until the import commits."""
    opened: dict[str, list[int]] = {}
    closed: dict[str, int] = {}
    for line in plan.creates:
        if line.values["status"] == "open":
            opened.setdefault(line.values["mentor_id"], []).append(line.line)
    for line, _, new in plan.moves:
        mentor_id = stored[line.record_id]["mentor_id"]
        if new == "open":
            opened.setdefault(mentor_id, []).append(line.line)
        else:
            closed[mentor_id] = closed.get(mentor_id, 0) + 1
    for mentor_id in sorted(opened):  # one order of locks for every import
        lines, freed = sorted(opened[mentor_id]), closed.get(mentor_id, 0)
        if len(lines) <= freed:
            continue
        try:
            await claim_capacity(db, agency_id, mentor_id, adding=len(lines) - freed)
        except OverCapacity as over:
            first_over = lines[max(0, over.limit - over.open + freed)]
            after = over.open - freed + len(lines)
            report.add(
                first_over,
                "mentor_id",
                f"mentor {mentor_id} is over capacity: it would hold {after} open assignments"
                f" (open: {over.open}, limit: {over.limit})",
            )


async def _write_assignments(
    kind: Kind, tx: Executor, caller: Principal, plan: Plan, progress: Progress | None
) -> None:
    now = utc_now()
    agency_id = caller.agency_id
    # Closings first, so that a pair they free may be opened again by a later row.
    for wanted in ("closed", "open"):
        moves = [(line, old, new) for line, old, new in plan.moves if new == wanted]
        await queries.update_rows(
            tx,
            "assignments",
            ("status", "closed_date"),
            agency_id,
            [(line.record_id, {"status": new} | _stored(line.values)) for line, _, new in moves],
            now,
        )
        await record_many(
            tx,
            caller,
            [
                Event(
                    "status_changed", kind.subject, line.record_id, from_status=old, to_status=new
                )
                for line, old, new in moves
            ],
        )
    await queries.update_rows(
        tx,
        "assignments",
        ("notes", "assigned_date", "last_contact_date"),
        agency_id,
        [(line.record_id, _stored(changes)) for line, changes in plan.updates],
        now,
    )
    await record_many(tx, caller, _updated_events(kind, plan))
    done = [0, len(plan.creates)]

    async def insert(batch: Sequence[Line]) -> None:
        await queries.insert_assignments(
            tx,
            [
                {name: line.values[name] for name in queries.ASSIGNMENT_COLUMNS}
                | _stored({"assigned_date": line.values["assigned_date"]})
                | {"agency_id": agency_id, "id": line.record_id, "now": now}
                for line in batch
            ],
        )
        await record_many(
            tx,
            caller,
            [
                Event(
                    "created",
                    kind.subject,
                    line.record_id,
                    to_status=line.values["status"],
                    details={
                        "mentor_id": line.values["mentor_id"],
                        "contact_id": line.values["contact_id"],
                    },
                )
                for line in batch
            ],
        )

    await _in_batches(plan.creates, insert, progress, done)


# --- agency workers and children ------------------------------------------------------------------


async def _plan_records(
    kind: Kind, db: Executor, caller: Principal, lines: list[Line], report: Report
) -> Plan:
    scope = CaseworkScope(caller.agency_id)
    stored: dict[str, Row] = {}
    ids = [line.record_id for line in lines]
    for start in range(0, len(ids), queries.LOOKUP_BATCH):
        batch = ids[start : start + queries.LOOKUP_BATCH]
        for row in await childwelfare_queries.get_records(db, kind.table, scope, batch):
            stored[row["id"]] = row
    return _sorted(lines, stored, report)


async def _write_records(
    kind: Kind, tx: Executor, caller: Principal, plan: Plan, progress: Progress | None
) -> None:
    """Inserts in batches; updates one by one (a worker made inactive loses its tokens); a
    worker's supervisors under their own rules, once every worker of the file exists, so a
    row may name a supervisor that a later row brings."""
    now = utc_now()
    agency_id = caller.agency_id
    supervised = [
        (line, line.values.get("supervisors"))
        for line in plan.creates
        if line.values.get("supervisors")
    ] + [
        (line, changes["supervisors"]) for line, changes in plan.updates if "supervisors" in changes
    ]
    if supervised:  # first in the transaction: see hold_supervision
        await childwelfare_queries.hold_supervision(tx, agency_id)
    done = [0, len(plan.creates)]

    async def insert(batch: Sequence[Line]) -> None:
        await childwelfare_queries.insert_records(
            tx,
            kind.table,
            [
                line.values
                | {
                    "agency_id": agency_id,
                    "id": line.record_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for line in batch
            ],
        )
        await record_many(
            tx, caller, [Event("created", kind.subject, line.record_id) for line in batch]
        )

    await _in_batches(plan.creates, insert, progress, done)
    events = []
    for line, changes in plan.updates:
        columns_changed = {name: value for name, value in changes.items() if name != "supervisors"}
        if columns_changed:
            await childwelfare_queries.update_record(
                tx, kind.table, agency_id, line.record_id, columns_changed | {"updated_at": now}
            )
        details: dict[str, Any] = {"fields": sorted(changes)}
        if kind.table == "agency_workers" and changes.get("active") is False:
            details["tokens_revoked"] = await revoke_worker_tokens(tx, agency_id, line.record_id)
        events.append(Event("updated", kind.subject, line.record_id, details=details))
    await record_many(tx, caller, events)
    for line, supervisors in supervised:
        try:
            await set_supervisors(tx, agency_id, line.record_id, list(supervisors or []))
        except Invalid as refused:
            report = Report()
            for problem in refused.problems:
                report.add(line.line, "supervisors", problem.detail)
            raise ImportRefused(report) from None


def _people_kind(name: str, prefix: str, model: type[BaseModel]) -> Kind:
    return Kind(
        name,
        model,
        lambda value: is_client_id(value, prefix),
        f"must be '{prefix}_' followed by 3–40 letters or digits",
        name,
        prefix,
        _plan_people,
        _write_people,
        _never_null(model),
    )


def _record_kind(name: str, table: str) -> Kind:
    model = RECORD_MODELS[table]
    return Kind(
        name,
        model,
        is_client_record_id,
        "must be 1–40 letters, digits, '_' or '-'",
        table,
        table,
        _plan_records,
        _write_records,
        _never_null(model),
    )


KINDS: dict[str, Kind] = {
    "mentors": _people_kind("mentors", "mentor", MentorFields),
    "contacts": _people_kind("contacts", "contact", PersonCreate),
    "assignments": Kind(
        "assignments",
        _AssignmentRow,
        lambda value: is_client_id(value, "assign"),
        "must be 'assign_' followed by 3–40 letters or digits",
        "assignments",
        "assignment",
        _plan_assignments,
        _write_assignments,
        frozenset({"mentor_id", "contact_id", "status", "assigned_date"}),
    ),
    "agency-workers": _record_kind("agency-workers", "agency_workers"),
    "children": _record_kind("children", "children"),
}


# --- reading and validating the file ------------------------------------------------------------


def _check_header(kind: Kind, header: list[str], report: Report) -> None:
    known = columns(kind.name)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            report.add(1, name, "is named twice in the header")
        elif name not in known:
            report.add(
                1,
                name or None,
                f"is not a column of {kind.name}: the columns are {', '.join(known)}",
            )
        seen.add(name)
    for name in kind.required:
        if name not in seen:
            report.add(1, name, "is a required column")


def _validated(
    kind: Kind, csv_file: CsvFile, report: Report, progress: Progress | None
) -> list[Line]:
    """Every row checked by the kind's model, its id by the kind's rule and once per file."""
    header = csv_file.header
    shapes = kind.shapes
    id_index = header.index(kind.id_column)
    fields = [(index, name) for index, name in enumerate(header) if name in shapes]
    kept = kind.kept_when_empty
    first_line: dict[str, int] = {}
    lines: list[Line] = []
    total = 2 * len(csv_file.records)
    for count, record in enumerate(csv_file.records, 1):
        if progress is not None and count % 1000 == 0:
            progress(count, total)
        cells = record.cells
        if len(cells) != len(header):
            report.add(
                record.line, None, f"has {len(cells)} fields; the header names {len(header)}"
            )
            continue
        record_id = cells[id_index].strip()
        id_ok = _check_id(kind, record, record_id, first_line, report)
        given = {
            name: _value(shapes[name], cells[index]) for index, name in fields if cells[index] != ""
        }
        try:
            values = kind.model.model_validate(given).model_dump()
        except ValidationError as error:
            for problem in error.errors(include_url=False, include_input=False):
                loc = problem.get("loc", ())
                column = str(loc[0]) if loc and str(loc[0]) in shapes else None
                report.add(record.line, column, message(problem))
            continue
        if id_ok and not report.failed:
            sets = tuple(name for index, name in fields if cells[index] != "" or name not in kept)
            lines.append(Line(record.line, record_id, values, sets))
    if progress is not None:
        progress(len(csv_file.records), total)
    return lines


def _check_id(
    kind: Kind, record: Record, record_id: str, first_line: dict[str, int], report: Report
) -> bool:
    column = kind.id_column
    if not record_id:
        report.add(record.line, column, "is required: the id makes an import safe to repeat")
        return False
    if not kind.id_check(record_id):
        report.add(record.line, column, kind.id_rule)
        return False
    if record_id in first_line:
        report.add(record.line, column, f"{record_id} is also on line {first_line[record_id]}")
        return False
    first_line[record_id] = record.line
    return True


def _read_and_validate(
    kind: Kind, data: bytes, progress: Progress | None
) -> tuple[Report, list[Line]]:
    """The file's valid rows with the report so far; ImportRefused when any is wrong."""
    report = Report()
    try:
        csv_file = read_csv(data)
    except Unreadable as unreadable:
        report.add(unreadable.line, None, unreadable.detail)
        raise ImportRefused(report) from None
    report.rows = len(csv_file.records)
    _check_header(kind, csv_file.header, report)
    if not report.failed and not csv_file.records:
        report.add(1, None, "the file has a header but no rows")
    if report.failed:
        raise ImportRefused(report)
    lines = _validated(kind, csv_file, report, progress)
    if report.failed:
        raise ImportRefused(report)
    return report, lines


def check_kind(kind_name: str) -> Kind:
    """The kind of record of that name; NotFound for one there is no import of."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise NotFound(f"no kind of record {kind_name!r} to import: one of {', '.join(KINDS)}")
    return kind


async def import_csv(
    db: Database,
    caller: Principal,
    kind_name: str,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Import a file of ``kind_name`` records into the caller's agency; the report, or
    ImportRefused (422) with it when any row is wrong and nothing was written. A dry run
    does it all in a transaction that is rolled back."""
    policy.require_agency_admin(caller)
    kind = check_kind(kind_name)
    # Reading and validating is all CPU (a second or two for 100,000 rows): in a thread, so
    # that a server's event loop goes on answering other requests meanwhile.
    report, lines = await asyncio.to_thread(_read_and_validate, kind, data, progress)
    try:
        async with db.transaction() as tx:
            await queries.plan_with_values(tx)
            plan = await kind.plan(kind, tx, caller, lines, report)
            if report.failed:
                raise ImportRefused(report)
            await kind.write(kind, tx, caller, plan, _second_half(progress, report.rows))
            if progress is not None:
                progress(2 * report.rows, 2 * report.rows)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ImportRefused as refused:
        refused.report.rows = report.rows
        raise
    except ConstraintViolation as violation:
        if violation.kind in ("unique", "foreign_key"):
            raise Conflict(
                "the records changed while the file was imported; nothing was written:"
                " import it again"
            ) from violation
        raise
    return report


def _second_half(progress: Progress | None, rows: int) -> Progress | None:
    """The writes' progress, after the reading's (each row is a step of each)."""
    if progress is None:
        return None
    return lambda done, total: progress(rows + rows * done // max(total, 1), 2 * rows)
