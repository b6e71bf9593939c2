"""Giving a waiting contact its mentor: only a contact with no open assignment, through the
API's own create (capacity and its override, the audit event)."""

from __future__ import annotations

from caseworks.auth import Principal, policy
from caseworks.core.errors import Conflict
from caseworks.db import Database, Row
from caseworks.mentoring import caseload_queries as queries
from caseworks.mentoring.mentor_assignments import create_assignment
from caseworks.mentoring.mentoring_models import AssignmentCreate
from caseworks.mentoring.people import CONTACTS, get_person


class NotWaiting(Conflict):
    """The contact already has an open assignment: assigning it from the waiting list would
    give it a second mentor."""


async def is_waiting(db: Database, caller: Principal, contact_id: str) -> bool:
    """Whether the contact (404 if the caller cannot see it) has no open assignment."""
    policy.require_mentoring_manager(caller)
    await get_person(db, caller, CONTACTS, contact_id)
    return await queries.is_waiting(db, caller.agency_id, contact_id)


async def assign_waiting_contact(db: Database, caller: Principal, data: AssignmentCreate) -> Row:
    """The new assignment of a waiting contact, made by `create_assignment` (what
    `POST /api/v1/assignments` runs). `NotWaiting` (409) when the contact already has an open
    assignment; `OverCapacity` (409) at the mentor's limit without an override."""
    if not await is_waiting(db, caller, data.contact_id):
        raise NotWaiting(f"contact {data.contact_id} already has an open assignment")
    made, _ = await create_assignment(db, caller, data)
    return made
