"""An application's intake: the application, the people made with it and the workers assigned
to it, in one transaction (a refused assignment leaves nothing behind)."""

from __future__ import annotations

from caseworks.auth import Principal, policy
from caseworks.childwelfare import childwelfare_models as schemas
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare import records
from caseworks.childwelfare.terms import ApplicationKind, ProfileRole, WorkerRole
from caseworks.childwelfare.worker_assignments import Subject, Wanted, assign_in
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
) -> tuple[Row, bool]:
    """The new application (or the one an earlier attempt with the key made), and which."""
    policy.require_casework_update(caller)
    application_id = new_id(records.APPLICATIONS.prefix)

    async def make(tx: Executor) -> Row:
        values = attributes.model_dump() | {"kind": kind}
        await records.insert(tx, caller, records.APPLICATIONS, application_id, values)
        for role, person in people.items():
            profile_id = await _add_person(tx, caller, application_id, role, person)
            if role is ProfileRole.APPLICANT:
                await queries.update_record(
                    tx,
                    records.APPLICATIONS.table,
                    caller.agency_id,
                    application_id,
                    {records.APPLICANT_COLUMN: profile_id},
                )
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
    application_id: str,
    role: ProfileRole,
    person: schemas.ProfileIntake,
) -> str:
    profile_id = new_id(records.PROFILES.prefix)
    values = person.model_dump(exclude={"name"})
    values |= {
        "application_id": application_id,
        "role": role,
        "name": records.full_name(values) or person.name,
    }
    await records.insert(tx, caller, records.PROFILES, profile_id, values)
    return profile_id
