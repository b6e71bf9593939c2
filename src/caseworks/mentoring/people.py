"""Mentors and contacts: the same rules for both, parameterised by kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from caseworks.auth import Principal, policy
from caseworks.auth.tokens import revoke_mentor_tokens
from caseworks.core.errors import Conflict, Invalid, NotFound
from caseworks.core.ids import is_client_id, is_valid_id, new_id
from caseworks.core.pagination import Page, PageRequest
from caseworks.core.timestamps import utc_now
from caseworks.db import ConstraintViolation, Database, Executor, Row, audit, idempotency
from caseworks.db.base import StreamedRows
from caseworks.db.idempotency import Claim, IdempotentRequest
from caseworks.mentoring import mentoring_queries as queries
from caseworks.mentoring.mentor_assignments import erase_assignment
from caseworks.mentoring.mentoring_models import (
    MentorFields,
    MentorUpdate,
    PersonCreate,
    PersonUpdate,
)


@dataclass(frozen=True)
class PersonKind:
    noun: str  # "mentor"
    table: str  # "mentors"
    id_field: str  # "mentor_id", also the assignments column pointing here
    fields: type[PersonCreate]  # the kind's columns: PersonCreate's, and a mentor's limit
    update: type[PersonUpdate]  # what an update may change

    @property
    def prefix(self) -> str:
        return self.noun

    def not_found(self, person_id: str) -> NotFound:
        return NotFound(f"no {self.noun} {person_id}")


# Fields a person must have: an update may leave them out, but not set them to null.
_REQUIRED = frozenset(
    name for name, field in PersonCreate.model_fields.items() if field.is_required()
)

MENTORS = PersonKind("mentor", "mentors", "mentor_id", MentorFields, MentorUpdate)
CONTACTS = PersonKind("contact", "contacts", "contact_id", PersonCreate, PersonUpdate)


async def list_people(
    db: Database, caller: Principal, kind: PersonKind, sort: str, page: PageRequest
) -> Page:
    scope = policy.mentoring_scope(caller)
    async with db.connection() as connection:  # the page and its total: one checkout
        rows, total = await queries.list_people(
            connection, kind.table, kind.id_field, scope, sort, page
        )
    return Page(rows, page, total)


async def list_waiting_contacts(db: Database, caller: Principal, page: PageRequest) -> Page:
    """The contacts with no open assignment, longest waiting first, each with ``waiting_since``.
    A mentor sees contacts only through its open assignments, so none of them is waiting to it."""
    scope = policy.mentoring_scope(caller)
    async with db.connection() as connection:  # the page and its total: one checkout
        rows, total = await queries.list_waiting_contacts(connection, scope, page)
    return Page(rows, page, total)


async def export_waiting_contacts(db: Database, caller: Principal) -> AsyncIterator[StreamedRows]:
    """Every contact the waiting list would page through, in its order, a batch at a time."""
    sql, params = queries.waiting_contacts_list_statement(policy.mentoring_scope(caller))
    async for batch in db.stream(sql, params):
        yield batch


async def export_people(
    db: Database, caller: Principal, kind: PersonKind, sort: str
) -> AsyncIterator[StreamedRows]:
    """Every mentor or contact the list would page through, in its order, a batch at a time."""
    scope = policy.mentoring_scope(caller)
    sql, params = queries.people_list_statement(kind.table, kind.id_field, scope, sort)
    async for batch in db.stream(sql, params):
        yield batch


async def get_person(db: Executor, caller: Principal, kind: PersonKind, person_id: str) -> Row:
    scope = policy.mentoring_scope(caller)
    row = None
    if is_valid_id(person_id):
        row = await queries.get_person(db, kind.table, kind.id_field, scope, person_id)
    if row is None:
        raise kind.not_found(person_id)
    return row


async def create_person(
    db: Database,
    caller: Principal,
    kind: PersonKind,
    data: PersonCreate,
    person_id: str | None,
    idempotent: IdempotentRequest | None = None,
) -> tuple[Row, bool]:
    """The new person, or the one an earlier attempt with the key made; and which."""
    # Before the key is looked up: a replay answers with a record only its maker may make.
    policy.require_mentoring_manager(caller)
    if person_id is not None and not is_client_id(person_id, kind.prefix):
        raise Invalid.field(
            f"/{kind.id_field}", f"must be '{kind.prefix}_' followed by 3–40 letters or digits"
        )
    new_person_id = person_id or new_id(kind.prefix)
    return await idempotency.create_once(
        db,
        Claim(caller.agency_id, idempotent, kind.noun, new_person_id),
        lambda tx: _insert_person(tx, caller, kind, data, new_person_id),
        lambda made: get_person(db, caller, kind, made),
    )


async def _insert_person(
    tx: Executor, caller: Principal, kind: PersonKind, data: PersonCreate, person_id: str
) -> Row:
    try:
        fields = data.model_dump(include=set(kind.fields.model_fields))
        await queries.insert_person(
            tx,
            kind.table,
            fields | {"agency_id": caller.agency_id, "id": person_id, "now": utc_now()},
        )
    except ConstraintViolation as violation:
        if violation.kind == "unique":
            raise Conflict(f"{kind.noun} {person_id} already exists") from violation
        raise
    await audit.record(tx, caller, "created", kind.noun, person_id)
    return await get_person(tx, caller, kind, person_id)


async def update_person(
    db: Database, caller: Principal, kind: PersonKind, person_id: str, data: PersonUpdate
) -> Row:
    sent = data.model_fields_set
    if not sent:
        raise Invalid.field("", f"send at least one of {', '.join(kind.update.model_fields)}")
    for name in sorted(sent & _REQUIRED):
        if getattr(data, name) is None:
            raise Invalid.field(f"/{name}", f"{name} cannot be null")
    async with db.transaction() as tx:
        await get_person(tx, caller, kind, person_id)
        policy.require_mentoring_manager(caller)
        changes = data.model_dump(include=sent)
        await queries.update_person(tx, kind.table, caller.agency_id, person_id, changes, utc_now())
        await audit.record(
            tx, caller, "updated", kind.noun, person_id, details={"fields": sorted(sent)}
        )
        return await get_person(tx, caller, kind, person_id)


async def delete_person(db: Database, caller: Principal, kind: PersonKind, person_id: str) -> None:
    """Refused while open assignments exist; closed ones are erased with the person."""
    async with db.transaction() as tx:
        await get_person(tx, caller, kind, person_id)
        policy.require_mentoring_manager(caller)
        await queries.lock_person(tx, kind.table, caller.agency_id, person_id)
        linked = await queries.assignments_of(tx, kind.id_field, caller.agency_id, person_id)
        open_count = sum(1 for assignment in linked if assignment["status"] == "open")
        if open_count:
            raise Conflict(
                f"{kind.noun} {person_id} still has {open_count} open assignment(s);"
                " close or delete them first"
            )
        for assignment in linked:
            await erase_assignment(tx, caller, assignment)
        await queries.delete_person(tx, kind.table, caller.agency_id, person_id)
        await audit.scrub_reasons(tx, caller.agency_id, kind.noun, person_id)
        details = None
        if kind is MENTORS:  # the mentor's own tokens go with the mentor
            revoked = await revoke_mentor_tokens(tx, caller.agency_id, person_id)
            details = {"tokens_revoked": revoked}
        await audit.record(tx, caller, "deleted", kind.noun, person_id, details=details)
