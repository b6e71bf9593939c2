"""An application's intake: the application, the people made with it and the workers assigned
to it, in one transaction (a refused assignment leaves nothing behind)."""

from __future__ import annotations

from typing import Any

from caseworks.auth import Principal, policy
from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare import records
from caseworks.childwelfare.terms import ApplicationKind, ProfileRole, WorkerRole
from caseworks.childwelfare.worker_assignments import Subject, Wanted, assign_in
from caseworks.core.errors import Invalid, NotFound
from caseworks.core.ids import new_id
from caseworks.db import Database, Executor, Row, idempotency
from caseworks.db.idempotency import Claim, IdempotentRequest


async def create_application(
    db: Database,
    caller: Principal,
    kind: ApplicationKind,
    attributes: schemas.Attributes,
    people: dict[ProfileRole, schemas.ProfileIntake],
    wanted: list[Wanted],
    limits: dict[WorkerRole, int],
    idempotent: IdempotentRequest | None = None,
    own_id: str | None = None,
) -> tuple[Row, bool]:
    """The new application (or the one an earlier attempt with the key made), and which;
    ``own_id`` is the id the client chose for it (checked for its form), else one is made."""
    policy.require_casework_update(caller)
    application_id = own_id or new_id(records.APPLICATIONS.prefix)

    async def make(tx: Executor) -> Row:
        if own_id:
            await records.refuse_taken_id(tx, caller.agency_id, records.APPLICATIONS, own_id)
        values = attributes.model_dump() | {"kind": kind}
        await records.insert(tx, caller, records.APPLICATIONS, application_id, values)
        for role, person in people.items():
            profile_id = new_id(records.PROFILES.prefix)
            values = person.model_dump(exclude={"name"})
            values["name"] = records.full_name(values) or person.name
            await _add_person(tx, caller, profile_id, application_id, role, values)
        if wanted:
            subject = Subject("application_id", application_id, from_path=True)
            await assign_in(tx, caller, subject, wanted, limits)
        return await records.get_record(tx, caller, records.APPLICATIONS, application_id)

    return await idempotency.create_once(
        db,
        Claim(caller.agency_id, idempotent, records.APPLICATIONS.table, application_id),
        make,
        lambda made: records.get_record(db, caller, records.APPLICATIONS, made),
    )


async def _add_person(
    tx: Executor,
    caller: Principal,
    profile_id: str,
    application_id: str,
    role: ProfileRole,
    values: dict[str, Any],
) -> None:
    """A profile on an application; an applicant's becomes the application's applicant."""
    values = values | {"application_id": application_id, "role": role}
    await records.insert(tx, caller, records.PROFILES, profile_id, values)
    if role is ProfileRole.APPLICANT:
        await queries.update_record(
            tx,
            records.APPLICATIONS.table,
            caller.agency_id,
            application_id,
            {records.APPLICANT_COLUMN: profile_id},
        )


async def create_profile(
    db: Database,
    caller: Principal,
    application_id: str,
    attributes: schemas.ProfileNew,
    idempotent: IdempotentRequest | None = None,
    own_id: str | None = None,
) -> tuple[Row, bool]:
    """A person added to an application (a co-applicant, another adult, a child in the home, a
    reference; or its applicant, when it has none yet), or the one an earlier attempt made;
    ``own_id`` is the id the client chose for it, else one is made."""
    policy.require_casework_update(caller)
    if attributes.family_id is not None and attributes.role not in schemas.FAMILY_ID_ROLES:
        raise Invalid.field("/data/attributes/family-id", schemas.NOT_FAMILY_ID)
    profile_id = own_id or new_id(records.PROFILES.prefix)

    async def make(tx: Executor) -> Row:
        if own_id:
            await records.refuse_taken_id(tx, caller.agency_id, records.PROFILES, own_id)
        try:
            application = await records.get_record(
                tx, caller, records.APPLICATIONS, application_id, lock=True
            )
        except NotFound:
            raise Invalid.field(
                "/data/relationships/application", f"no application {application_id}"
            ) from None
        role = attributes.role
        if role is ProfileRole.APPLICANT and application[records.APPLICANT_COLUMN] is not None:
            raise Invalid.field(
                "/data/attributes/role", f"application {application_id} has its applicant"
            )
        values = attributes.model_dump(exclude={"role"})
        values["name"] = records.full_name(values)
        await _add_person(tx, caller, profile_id, application_id, role, values)
        return await records.get_record(tx, caller, records.PROFILES, profile_id)

    return await idempotency.create_once(
        db,
        Claim(caller.agency_id, idempotent, records.PROFILES.table, profile_id),
        make,
        lambda made: records.get_record(db, caller, records.PROFILES, made),
    )
