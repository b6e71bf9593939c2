"""Agency workers, children, applications and user agency profiles: the records worker
assignments point at, and the people of an application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from caseworks.auth import Principal, policy
from caseworks.auth.tokens import revoke_worker_tokens
from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare.terms import (
    ANY_APPLICATION_TYPE,
    HEARD_ABOUT_US_EXPLAINED,
    ApplicationKind,
    ProfileRole,
)
from caseworks.core.errors import Conflict, FieldProblem, Forbidden, Invalid, NotFound
from caseworks.core.ids import is_valid_id, new_id
from caseworks.core.pagination import Page, PageRequest
from caseworks.core.sorting import SortKey
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor, Row, audit, idempotency
from caseworks.db.idempotency import Claim, IdempotentRequest


@dataclass(frozen=True)
class RecordKind:
    noun: str
    table: str
    prefix: str
    generic_type: str | None = None  # a type naming any record of the kind, whatever its subtype

    @property
    def create(self) -> type[schemas.Attributes]:
        return schemas.RECORD_MODELS[self.table]

    @property
    def update(self) -> type[schemas.Attributes]:
        return schemas.UPDATE_MODELS[self.table]

    def not_found(self, record_id: str) -> NotFound:
        return NotFound(f"no {self.noun} {record_id}")


WORKERS = RecordKind("agency worker", "agency_workers", "worker")
CHILDREN = RecordKind("child", "children", "child")
APPLICATIONS = RecordKind(
    "application", "applications", "application", generic_type=ANY_APPLICATION_TYPE
)
PROFILES = RecordKind("user agency profile", "user_agency_profiles", "profile")
# The application's relationship to its applicant's profile, and the column that holds it.
APPLICANT = "applicant-agency-profile"
APPLICANT_COLUMN = "applicant_profile_id"
# Its co-applicant's profile, read with it (no column of its own: the profile's role says it).
CO_APPLICANT = "co-applicant-agency-profile"
CO_APPLICANT_COLUMN = "co_applicant_profile_id"


def today() -> date:
    """The day it is in UTC."""
    return datetime.now(UTC).date()


_NAME_PARTS = {"first_name", "middle_name", "last_name", "suffix"}


def full_name(parts: dict[str, Any]) -> str | None:
    """A profile's name from its parts (first, middle, last, suffix), or None without any."""
    names = [parts.get(part) for part in ("first_name", "middle_name", "last_name", "suffix")]
    return " ".join(name for name in names if name) or None


# The related records of a compound document, by kind.
Included = dict[RecordKind, list[Row]]


@dataclass(frozen=True)
class Related:
    """A relationship a compound document may include: the kind of record it names and the
    column of a row holding that record's id; with ``role``, only a profile of that role names
    one (Binti's ``applications-as-…``)."""

    kind: RecordKind
    column: str
    role: ProfileRole | None = None

    def id_in(self, row: Row) -> str | None:
        if self.role is not None and row["role"] != self.role:
            return None
        record_id: str | None = row[self.column]
        return record_id


# Each kind's includable relationships, in the order of its list in childwelfare_models (the
# query models take those names; these say what each reads). Other kinds have none.
RELATED: dict[RecordKind, dict[str, Related]] = {
    APPLICATIONS: {
        APPLICANT: Related(PROFILES, APPLICANT_COLUMN),
        CO_APPLICANT: Related(PROFILES, CO_APPLICANT_COLUMN),
    },
    PROFILES: {
        "application": Related(APPLICATIONS, "application_id"),
        **{
            name: Related(APPLICATIONS, "application_id", role)
            for role, name in schemas.PROFILE_APPLICATIONS.items()
        },
    },
}
assert tuple(RELATED[APPLICATIONS]) == schemas.APPLICATION_INCLUDES
assert tuple(RELATED[PROFILES]) == schemas.PROFILE_INCLUDES


async def related_records(
    db: Executor,
    caller: Principal,
    rows: Sequence[Row],
    relationships: Mapping[str, Related],
    wanted: AbstractSet[str],
) -> Included:
    """The records the ``wanted`` relationships of ``rows`` name, each once, by kind: one query
    per kind (names of one kind share it), whatever the number of rows. Each is read through
    the caller's scope, as a direct read of it would be: one the caller could not read at its
    own URL is left out."""
    ids: dict[RecordKind, dict[str, None]] = {}
    for name, related in relationships.items():
        if name in wanted:
            found = ids.setdefault(related.kind, {})  # an ordered set
            for row in rows:
                record_id = related.id_in(row)
                if record_id is not None:
                    found[record_id] = None
    scope = policy.casework_scope(caller)
    return {
        kind: await queries.get_records(db, kind.table, scope, list(found))
        for kind, found in ids.items()
    }


async def records_with_included(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    order: Sequence[SortKey],
    page: PageRequest,
    filters: dict[str, Any] | None = None,
    include: AbstractSet[str] = frozenset(),
) -> tuple[Page, Included]:
    """A page of the records the caller may read, in ``order`` ((field, direction) pairs);
    ``filters`` by name (``full_name_contains``, or an attribute's exact value); with the
    records ``include`` names."""
    scope = policy.casework_scope(caller)
    async with db.connection() as connection:  # the page, its total and more: one checkout
        rows, total = await queries.list_records(
            connection, kind.table, scope, order, page, filters
        )
        related = await _included(connection, caller, kind, rows, include)
    return Page(rows, page, total), related


async def export_records(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    order: Sequence[SortKey],
    filters: dict[str, Any] | None = None,
) -> AsyncIterator[list[Row]]:
    """Every record the list would page through, in its order, a batch at a time, each row as
    its export's columns read it: a worker's supervisors by id (as a create names them), an
    application's Binti type."""
    scope = policy.casework_scope(caller)
    sql, params = queries.records_list_statement(kind.table, scope, order, filters)
    async for batch in db.stream(sql, params):
        rows = batch.mappings()  # changed below: a worker's supervisors, a type
        await queries.read_records(db, kind.table, scope, rows)
        for row in rows:
            _exported(kind, row)
        yield rows


def _exported(kind: RecordKind, row: Row) -> None:
    if kind is WORKERS:
        row["supervisors"] = [supervisor["id"] for supervisor in row["supervisors"]]
    elif kind is APPLICATIONS:
        row["type"] = ApplicationKind(row["kind"]).binti_type


async def record_with_included(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    record_id: str,
    include: AbstractSet[str] = frozenset(),
) -> tuple[Row, Included]:
    """One record the caller may read (404 otherwise), with the records ``include`` names."""
    if not include or kind not in RELATED:
        return await get_record(db, caller, kind, record_id), {}
    async with db.connection() as connection:
        row = await get_record(connection, caller, kind, record_id)
        return row, await _included(connection, caller, kind, [row], include)


async def _included(
    db: Executor, caller: Principal, kind: RecordKind, rows: list[Row], include: AbstractSet[str]
) -> Included:
    if not include or kind not in RELATED:
        return {}
    return await related_records(db, caller, rows, RELATED[kind], include)


async def get_record(
    db: Executor, caller: Principal, kind: RecordKind, record_id: str, lock: bool = False
) -> Row:
    """The record if the caller may read it; 404 otherwise, as if it did not exist."""
    scope = policy.casework_scope(caller)
    row = None
    if is_valid_id(record_id):
        row = await queries.get_record(db, kind.table, scope, record_id, lock)
    if row is None:
        raise kind.not_found(record_id)
    return row


def id_clash(noun: str, record_id: str, pointer: str) -> Conflict:
    """409 for a client's id that its agency already holds for a record of the kind."""
    detail = f"there is already a {noun} {record_id} in this agency"
    return Conflict(detail, [FieldProblem(detail, pointer=pointer)])


async def refuse_taken_id(tx: Executor, agency_id: str, kind: RecordKind, record_id: str) -> None:
    """409 at ``/data/id`` when the agency holds ``record_id`` for a record of ``kind``."""
    if await queries.id_taken(tx, kind.table, agency_id, record_id):
        raise id_clash(kind.noun, record_id, "/data/id")


def _check_subtype(kind: RecordKind, row: Row, resource_type: str) -> None:
    """409 for a body typed as another subtype (a renewal for an initial application): the
    record's type is not the client's to change, and JSON:API answers a type mismatch so."""
    if kind.generic_type is None:  # no subtypes: the one type was checked with the document
        return
    actual = ApplicationKind(row["kind"]).resource_type
    if resource_type not in (actual, kind.generic_type):
        detail = f"{row['id']} is of type {actual}, not {resource_type}"
        raise Conflict(detail, [FieldProblem(detail, pointer="/data/type")])


async def check_update_access(
    db: Database, caller: Principal, kind: RecordKind, record_id: str
) -> None:
    """Before a change's body is read: 403 for a caller that may change nothing here (404 where
    it may not even read the record). The change itself checks again in its transaction."""
    try:
        policy.require_casework_update(caller)
    except Forbidden:
        await get_record(db, caller, kind, record_id)
        raise


async def create_record(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    attributes: schemas.Attributes,
    extra: dict[str, Any] | None = None,
    idempotent: IdempotentRequest | None = None,
    own_id: str | None = None,
) -> tuple[Row, bool]:
    """The new record, or the one an earlier attempt with the key made; and which.

    ``own_id`` is the id the client chose (already checked for its form); else one is made.
    """
    # Before the key is looked up: a replay answers with a record only its maker may make.
    policy.require_casework_update(caller)
    record_id = own_id or new_id(kind.prefix)
    return await idempotency.create_once(
        db,
        Claim(caller.agency_id, idempotent, kind.table, record_id),
        lambda tx: _insert_record(tx, caller, kind, attributes, extra, record_id, bool(own_id)),
        lambda made: get_record(db, caller, kind, made),
    )


async def _insert_record(
    tx: Executor,
    caller: Principal,
    kind: RecordKind,
    attributes: schemas.Attributes,
    extra: dict[str, Any] | None,
    record_id: str,
    chosen: bool,
) -> Row:
    """``chosen``: the id is the client's, which its agency may hold already (a generated one
    is new by construction)."""
    if chosen:
        await refuse_taken_id(tx, caller.agency_id, kind, record_id)
    await insert(tx, caller, kind, record_id, attributes.model_dump() | (extra or {}))
    return await get_record(tx, caller, kind, record_id)


async def insert(
    tx: Executor, caller: Principal, kind: RecordKind, record_id: str, values: dict[str, Any]
) -> None:
    """A new record with its audit event; an application moves to its status today unless it
    says when, and a worker's supervisors are kept in their own table."""
    now = utc_now()
    if kind is APPLICATIONS and values.get("status_date") is None:
        values = values | {"status_date": today()}
    values = values | {
        "agency_id": caller.agency_id,
        "id": record_id,
        "created_at": now,
        "updated_at": now,
    }
    supervised = kind is WORKERS and bool(values.get("supervisors"))
    if supervised:  # first: see hold_supervision
        await queries.hold_supervision(tx, caller.agency_id)
    await queries.insert_record(tx, kind.table, values)
    if supervised:
        await set_supervisors(tx, caller.agency_id, record_id, values["supervisors"])
    await audit.record(tx, caller, "created", kind.table, record_id)


async def update_record(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    record_id: str,
    attributes: schemas.Attributes,
    resource_type: str,
    links: dict[str, str | None] | None = None,
) -> Row:
    """``resource_type`` is the body's ``data.type``: the record's own type, or the generic one;
    ``links`` the relationships sent, by name (None clears one)."""
    changes = attributes.model_dump(include=attributes.model_fields_set)
    apart = {name: changes.pop(name) for name in kind.update.held_apart if name in changes}
    async with db.transaction() as tx:
        if "supervisors" in apart:  # before the record's own lock: see hold_supervision
            await queries.hold_supervision(tx, caller.agency_id)
        current = await get_record(tx, caller, kind, record_id, lock=True)
        policy.require_casework_update(caller)
        _check_subtype(kind, current, resource_type)
        _keeps_rules(kind, current, changes)
        if "supervisors" in apart:
            await set_supervisors(tx, caller.agency_id, record_id, apart["supervisors"])
        if links and APPLICANT in links:
            changes[APPLICANT_COLUMN] = await _applicant(tx, caller, record_id, links[APPLICANT])
        changes |= _derived(kind, current, changes)
        if changes or apart:
            await queries.update_record(
                tx, kind.table, caller.agency_id, record_id, changes | {"updated_at": utc_now()}
            )
            details: dict[str, Any] = {"fields": sorted(changes | apart)}
            if kind is WORKERS and changes.get("active") is False:  # the worker's tokens go too
                details["tokens_revoked"] = await revoke_worker_tokens(
                    tx, caller.agency_id, record_id
                )
            await audit.record(tx, caller, "updated", kind.table, record_id, details=details)
        return await get_record(tx, caller, kind, record_id)


_SUPERVISORS = "/data/attributes/supervisors"


async def set_supervisors(
    tx: Executor, agency_id: str, worker_id: str, supervisor_ids: list[str]
) -> None:
    """The worker's supervisors become ``supervisor_ids`` (given twice counts once). Each must
    be another worker of the agency, and none may be supervised by this worker, directly or
    through others, since supervision would then go round in a circle: 422 at each one that
    breaks a rule, nothing written. The caller holds the agency's supervision already."""
    wanted = list(dict.fromkeys(supervisor_ids))
    known = await queries.existing_workers(tx, agency_id, wanted)
    problems: list[FieldProblem] = []
    for index, supervisor_id in enumerate(supervisor_ids):
        pointer = f"{_SUPERVISORS}/{index}"
        if supervisor_id == worker_id:
            problems.append(FieldProblem("a worker cannot supervise itself", pointer))
        elif supervisor_id not in known:
            detail = f"no agency worker {supervisor_id} in this agency"
            problems.append(FieldProblem(detail, pointer))
        elif await queries.supervised_by(tx, agency_id, supervisor_id, worker_id):
            detail = (
                f"{supervisor_id} is supervised by {worker_id}, directly or through others:"
                " supervision cannot go round in a circle"
            )
            problems.append(FieldProblem(detail, pointer))
    if problems:
        raise Invalid("the supervisors break a rule", problems)
    await queries.replace_supervisors(tx, agency_id, worker_id, wanted)


def _attribute(name: str) -> str:
    return f"/data/attributes/{name.replace('_', '-')}"


def _keeps_rules(kind: RecordKind, current: Row, changes: dict[str, Any]) -> None:
    """A partial change must keep the rules that span attributes with those it leaves as
    stored (the update model checks those sent together): 422 before anything is written."""
    if kind is APPLICATIONS:
        _keeps_ages(current, changes)
        _keeps_explained(current, changes)
    given_family_id = kind is PROFILES and changes.get("family_id") is not None
    if given_family_id and current["role"] not in schemas.FAMILY_ID_ROLES:
        raise Invalid.field(_attribute("family_id"), schemas.NOT_FAMILY_ID)


def _keeps_ages(current: Row, changes: dict[str, Any]) -> None:
    ages = ("approved_age_lower", "approved_age_higher")
    if not set(ages) & set(changes):
        return
    lower, higher = (changes[name] if name in changes else current[name] for name in ages)
    if lower is not None and higher is not None and higher < lower:
        named = ages[1] if ages[1] in changes else ages[0]
        detail = f"approved ages from {lower} to {higher}: the lower is above the higher"
        raise Invalid.field(_attribute(named), detail)


def _keeps_explained(current: Row, changes: dict[str, Any]) -> None:
    names = ("how_did_you_hear_about_us", "how_did_you_hear_about_us_details")
    if not set(names) & set(changes):
        return
    way, details = (changes[name] if name in changes else current[name] for name in names)
    if way in HEARD_ABOUT_US_EXPLAINED and not (details and details.strip()):
        detail = f"is required when how_did_you_hear_about_us is {way}"
        raise Invalid.field(_attribute(names[1]), detail)


def _derived(kind: RecordKind, current: Row, changes: dict[str, Any]) -> dict[str, Any]:
    """What follows from a change: a new status dates from today unless the change says when;
    a profile's name follows its parts."""
    if kind is APPLICATIONS:
        moved = "status" in changes and changes["status"] != current["status"]
        if moved and "status_date" not in changes:
            return {"status_date": today()}
    if kind is PROFILES and _NAME_PARTS & set(changes):
        name = full_name(current | changes)
        if name is not None:  # a profile made with a name alone keeps it until parts arrive
            return {"name": name}
    return {}


async def _applicant(
    tx: Executor, caller: Principal, application_id: str, profile_id: str | None
) -> str | None:
    """The applicant profile a change names: one of this application's applicants (422)."""
    if profile_id is None:
        return None
    scope = policy.casework_scope(caller)
    row = (
        await queries.get_record(tx, PROFILES.table, scope, profile_id)
        if is_valid_id(profile_id)
        else None
    )
    if row is None or row["application_id"] != application_id:
        problem = f"no user agency profile {profile_id} on application {application_id}"
    elif row["role"] != ProfileRole.APPLICANT:
        problem = f"user agency profile {profile_id} is not an applicant (it is {row['role']})"
    else:
        return profile_id
    raise Invalid.field(f"/data/relationships/{APPLICANT}/data", problem)
