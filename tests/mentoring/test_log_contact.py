"""Logging a contact: the date set and the note appended, through the same update as the API's
PUT (its policy, its audit event)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.core.errors import Forbidden, Invalid, NotFound
from caseworks.core.text import FREE_TEXT_LIMIT
from caseworks.mentoring.mentor_assignments import appended_note, assignment_events, log_contact
from tests.support.mentoring import Programme, create_assignment, create_mentor
from tests.support.tenants import Tenant

MET = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def manager(tenant: Tenant) -> Principal:
    return Principal(tenant.agency_id, Role.ADMIN, "tok_manager")


def mentor(tenant: Tenant, mentor_id: str) -> Principal:
    return Principal(tenant.agency_id, Role.MENTOR, "tok_mentor", mentor_id=mentor_id)


def test_a_note_follows_the_notes_after_a_blank_line_trimmed() -> None:
    assert appended_note("First meeting.", "  Second meeting.\n") == (
        "First meeting.\n\nSecond meeting."
    )
    assert appended_note(None, "Met at school.") == "Met at school."
    assert appended_note("Kept.", "  \n ") is None  # the notes stay as they are


async def test_a_mentor_logs_a_contact_on_its_own_assignment(
    tenant: Tenant, programme: Programme, api: httpx.AsyncClient
) -> None:
    row = await log_contact(
        tenant.db,
        mentor(tenant, programme.mentor_id),
        programme.assignment_id,
        MET,
        "Talked about school.\nAll well.",
    )
    assert row["last_contact_date"] == MET
    assert row["notes"] == "Initial assessment completed.\n\nTalked about school.\nAll well."
    seen = (await api.get(f"/api/v1/assignments/{programme.assignment_id}")).json()
    assert seen["last_contact_date"] == "2026-03-30T09:00:00Z"
    assert seen["notes"] == row["notes"]


async def test_a_blank_note_only_sets_the_date_and_the_event_names_only_it(
    tenant: Tenant, programme: Programme
) -> None:
    row = await log_contact(tenant.db, manager(tenant), programme.assignment_id, MET, "  ")
    assert row["notes"] == "Initial assessment completed."
    events = await assignment_events(tenant.db, manager(tenant), programme.assignment_id)
    assert events[-1]["action"] == "updated"
    assert events[-1]["details"] == {"fields": ["last_contact_date"]}


async def test_the_audit_event_is_the_updates_naming_both_fields(
    tenant: Tenant, programme: Programme
) -> None:
    await log_contact(
        tenant.db, mentor(tenant, programme.mentor_id), programme.assignment_id, MET, "Met."
    )
    events = await assignment_events(tenant.db, manager(tenant), programme.assignment_id)
    assert events[-1]["action"] == "updated"
    assert events[-1]["details"] == {"fields": ["last_contact_date", "notes"]}
    assert events[-1]["actor_token_id"] == "tok_mentor"


async def test_another_mentors_assignment_is_not_found(
    tenant: Tenant, programme: Programme, api: httpx.AsyncClient
) -> None:
    other = await create_mentor(api, name="Ola Hansen")
    with pytest.raises(NotFound):
        await log_contact(
            tenant.db, mentor(tenant, other["mentor_id"]), programme.assignment_id, MET, "x"
        )


async def test_another_agencys_assignment_is_not_found(
    other_tenant: Tenant, programme: Programme
) -> None:
    with pytest.raises(NotFound):
        await log_contact(other_tenant.db, manager(other_tenant), programme.assignment_id, MET, "")


async def test_a_closed_assignment_is_read_only_to_its_mentor_as_for_put(
    tenant: Tenant, programme: Programme, api: httpx.AsyncClient
) -> None:
    closed = await api.patch(
        f"/api/v1/assignments/{programme.assignment_id}/status", json={"status": "closed"}
    )
    assert closed.status_code == 200
    with pytest.raises(Forbidden):
        await log_contact(
            tenant.db, mentor(tenant, programme.mentor_id), programme.assignment_id, MET, "x"
        )
    row = await log_contact(tenant.db, manager(tenant), programme.assignment_id, MET, "Late.")
    assert row["notes"].endswith("Late.")


async def test_notes_that_would_grow_past_their_limit_are_refused_unchanged(
    tenant: Tenant, programme: Programme, api: httpx.AsyncClient
) -> None:
    long = await create_assignment(
        api,
        programme.mentor_id,
        programme.contacts[1]["contact_id"],
        notes="n" * (FREE_TEXT_LIMIT - 5),
    )
    with pytest.raises(Invalid) as refused:
        await log_contact(tenant.db, manager(tenant), long["assignment_id"], MET, "too long")
    assert refused.value.problems[0].pointer == "/notes"
    seen = (await api.get(f"/api/v1/assignments/{long['assignment_id']}")).json()
    assert seen["last_contact_date"] is None


async def test_a_caseworker_has_no_mentoring_access(tenant: Tenant, programme: Programme) -> None:
    caseworker = Principal(tenant.agency_id, Role.CASEWORKER, "tok_caseworker")
    with pytest.raises(Forbidden):
        await log_contact(tenant.db, caseworker, programme.assignment_id, MET, "x")
