"""Agency workers, children and applications: the records worker assignments point at."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caseworks.auth import Principal, policy
from caseworks.auth.tokens import revoke_worker_tokens
from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.core.errors import Conflict, FieldProblem, Forbidden, NotFound
from caseworks.core.ids import is_valid_id, new_id
from caseworks.core.pagination import Page, PageRequest
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor, Row, audit, idempotency
from caseworks.db.idempotency import IdempotentRequest
from caseworks.web.jsonapi import childwelfare_resources as render
from caseworks.web.jsonapi.documents import Resource


@dataclass(frozen=True)
class RecordKind:
    noun: str
    table: str
    prefix: str
    create: type[schemas.Attributes]
    update: type[schemas.Attributes]
    render: Callable[[Row], Resource]
    sorts: tuple[str, ...] = ("created_at", "updated_at")
    generic_type: str | None = None  # a type naming any record of the kind, whatever its subtype

    def not_found(self, record_id: str) -> NotFound:
        return NotFound(f"no {self.noun} {record_id}")


WORKERS = RecordKind(
    "agency worker",
    "agency_workers",
    "worker",
    schemas.WorkerCreate,
    schemas.WorkerUpdate,
    render.worker,
)
CHILDREN = RecordKind(
    "child", "children", "child", schemas.ChildCreate, schemas.ChildUpdate, render.child
)
APPLICATIONS = RecordKind(
    "application",
    "applications",
    "application",
    schemas.ApplicationCreate,
    schemas.ApplicationUpdate,
    render.application,
    generic_type="applications",
)


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Attribute values as the columns hold them."""
    if values.get("assignable_roles") is not None:
        values["assignable_roles"] = ",".join(sorted(set(values["assignable_roles"])))
    return values


async def list_records(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    sort: str,
    page: PageRequest,
    full_name_contains: str = "",
) -> Page:
    """A page of records; ``full_name_contains`` filters children by part of their full name."""
    reader = policy.casework_scope(caller)
    async with db.connection() as connection:  # the page and its total: one checkout
        rows, total = await queries.list_records(
            connection, kind.table, caller.agency_id, reader, sort, page, full_name_contains
        )
    return Page(rows, page, total)


async def get_record(
    db: Executor, caller: Principal, kind: RecordKind, record_id: str, lock: bool = False
) -> Row:
    """The record if the caller may read it; 404 otherwise, as if it did not exist."""
    reader = policy.casework_scope(caller)
    row = None
    if is_valid_id(record_id):
        row = await queries.get_record(db, kind.table, caller.agency_id, record_id, reader, lock)
    if row is None:
        raise kind.not_found(record_id)
    return row


def _check_subtype(kind: RecordKind, row: Row, resource_type: str) -> None:
    """409 for a body typed as another subtype (a renewal for an initial application): the
    record's type is not the client's to change, and JSON:API answers a type mismatch so."""
    actual = kind.render(row)["type"]
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
) -> tuple[Row, bool]:
    """The new record, or the one an earlier attempt with the key made; and which."""
    # Before the key is looked up: a replay answers with a record only its maker may make.
    policy.require_casework_update(caller)
    return await idempotency.create_once(
        db,
        caller.agency_id,
        idempotent,
        lambda: _insert_record(db, caller, kind, attributes, extra, idempotent),
        lambda made: get_record(db, caller, kind, made),
    )


async def _insert_record(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    attributes: schemas.Attributes,
    extra: dict[str, Any] | None,
    idempotent: IdempotentRequest | None,
) -> Row:
    now = utc_now()
    record_id = new_id(kind.prefix)
    values = _stored(attributes.model_dump()) | (extra or {})
    values |= {"agency_id": caller.agency_id, "id": record_id, "created_at": now, "updated_at": now}
    async with db.transaction() as tx:
        await idempotency.claim(tx, caller.agency_id, idempotent, kind.table, record_id)
        await queries.insert_record(tx, kind.table, values)
        await audit.record(tx, caller, "created", kind.table, record_id)
        return await get_record(tx, caller, kind, record_id)


async def update_record(
    db: Database,
    caller: Principal,
    kind: RecordKind,
    record_id: str,
    attributes: schemas.Attributes,
    resource_type: str,
) -> Row:
    """``resource_type`` is the body's ``data.type``: the record's own type, or the generic one."""
    changes = _stored(attributes.model_dump(include=attributes.model_fields_set))
    async with db.transaction() as tx:
        current = await get_record(tx, caller, kind, record_id, lock=True)
        policy.require_casework_update(caller)
        _check_subtype(kind, current, resource_type)
        if changes:
            await queries.update_record(
                tx, kind.table, caller.agency_id, record_id, changes | {"updated_at": utc_now()}
            )
            details: dict[str, Any] = {"fields": sorted(changes)}
            if kind is WORKERS and changes.get("active") is False:  # the worker's tokens go too
                details["tokens_revoked"] = await revoke_worker_tokens(
                    tx, caller.agency_id, record_id
                )
            await audit.record(tx, caller, "updated", kind.table, record_id, details=details)
        return await get_record(tx, caller, kind, record_id)
