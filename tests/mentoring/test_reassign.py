"""Reassigning an assignment: in one transaction it is closed with the reason and a successor
opens for the same contact with the new mentor, each pointing at the other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from caseworks.auth.principal import Role
from caseworks.db import Database, Row
from caseworks.notify.dispatcher import Dispatcher
from caseworks.notify.transport import SMTPSettings, SMTPTransport
from tests.support.mail import Inbox, SMTPServer
from tests.support.mentoring import Programme, create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


def reassign_url(assignment_id: str) -> str:
    return f"/api/v1/assignments/{assignment_id}/reassign"


async def reassign(
    api: httpx.AsyncClient, assignment_id: str, mentor_id: str, **fields: Any
) -> httpx.Response:
    body = {"mentor_id": mentor_id, "reason": "mentor moved away", **fields}
    return await api.post(reassign_url(assignment_id), json=body)


async def events(db: Database, tenant: Tenant, assignment_id: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT action, from_status, to_status, reason, details FROM audit_events"
        " WHERE agency_id = :agency_id AND subject_id = :id ORDER BY id",
        {"agency_id": tenant.agency_id, "id": assignment_id},
    )
    for row in rows:
        row["details"] = None if row["details"] is None else orjson.loads(row["details"])
    return rows


async def count(db: Database, tenant: Tenant, table: str) -> int:
    assert table in ("assignments", "audit_events")
    return int(
        await db.fetch_value(
            f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id",
            {"agency_id": tenant.agency_id},
        )
    )


async def test_reassign_closes_the_assignment_and_opens_its_successor(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api, name="Ola Hansen"))["mentor_id"]
    response = await reassign(api, programme.assignment_id, target)
    assert response.status_code == 201, response.text
    closed, opened = response.json()["closed"], response.json()["opened"]
    assert response.headers["location"].endswith(f"/api/v1/assignments/{opened['assignment_id']}")

    assert closed["assignment_id"] == programme.assignment_id
    assert closed["status"] == "closed"
    assert closed["closed_date"] is not None
    assert closed["closed_reason"] == "mentor moved away"
    assert closed["next_assignment_id"] == opened["assignment_id"]
    assert opened["status"] == "open"
    assert opened["mentor_id"] == target
    assert opened["contact_id"] == programme.assignment["contact_id"]
    assert opened["previous_assignment_id"] == programme.assignment_id
    assert opened["next_assignment_id"] is None
    # The handover carries the notes; contact history starts again with the new mentor.
    assert opened["notes"] == programme.assignment["notes"]
    assert opened["last_contact_date"] is None
    assert opened["closed_reason"] is None
    shown = await api.get(f"/api/v1/assignments/{programme.assignment_id}")
    assert shown.json() == closed
    assert (await api.get(response.headers["location"])).json() == opened

    (_, closing) = await events(db, tenant, programme.assignment_id)
    assert closing["action"] == "reassigned"
    assert (closing["from_status"], closing["to_status"]) == ("open", "closed")
    assert closing["reason"] == "mentor moved away"
    assert closing["details"]["next_assignment_id"] == opened["assignment_id"]
    (created,) = await events(db, tenant, opened["assignment_id"])
    assert created["action"] == "created"
    assert created["details"]["previous_assignment_id"] == programme.assignment_id


async def test_reassign_takes_the_assigned_date_given(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    response = await reassign(
        api, programme.assignment_id, target, assigned_date="2026-01-05T09:00:00+01:00"
    )
    assert response.status_code == 201, response.text
    assert response.json()["opened"]["assigned_date"].startswith("2026-01-05T08:00:00")


async def test_a_closed_assignment_is_409(api: httpx.AsyncClient, programme: Programme) -> None:
    target = (await create_mentor(api))["mentor_id"]
    url = f"/api/v1/assignments/{programme.assignment_id}/status"
    assert (await api.patch(url, json={"status": "closed"})).status_code == 200
    response = await reassign(api, programme.assignment_id, target)
    assert response.status_code == 409, response.text


async def test_reassigning_twice_is_409_the_second_time(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    assert (await reassign(api, programme.assignment_id, target)).status_code == 201
    assert (await reassign(api, programme.assignment_id, target)).status_code == 409


async def test_the_same_mentor_is_422_naming_mentor_id(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    before = await count(db, tenant, "audit_events")
    response = await reassign(api, programme.assignment_id, programme.mentor_id)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/mentor_id"
    assert await count(db, tenant, "audit_events") == before


@pytest.mark.parametrize("mentor_id", ["mentor_nosuchmentor", "not-an-id"])
async def test_an_unknown_mentor_is_422_naming_mentor_id(
    api: httpx.AsyncClient, programme: Programme, mentor_id: str
) -> None:
    response = await reassign(api, programme.assignment_id, mentor_id)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == "/mentor_id"


async def test_another_agencys_mentor_is_unknown(
    api: httpx.AsyncClient, other_tenant: Tenant, programme: Programme
) -> None:
    async with other_tenant.client(other_tenant.admin_token) as other:
        foreign = (await create_mentor(other))["mentor_id"]
    response = await reassign(api, programme.assignment_id, foreign)
    assert response.status_code == 422, response.text


async def test_a_target_with_the_contact_already_open_is_409_and_nothing_changes(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    await create_assignment(api, target, programme.assignment["contact_id"])
    before = (await count(db, tenant, "assignments"), await count(db, tenant, "audit_events"))
    response = await reassign(api, programme.assignment_id, target)
    assert response.status_code == 409, response.text
    after = (await count(db, tenant, "assignments"), await count(db, tenant, "audit_events"))
    assert after == before
    kept = await api.get(f"/api/v1/assignments/{programme.assignment_id}")
    assert kept.json()["status"] == "open"


@pytest.mark.parametrize("assignment_id", ["assign_nosuchassignment", "nonsense"])
async def test_an_unknown_assignment_is_404(
    api: httpx.AsyncClient, programme: Programme, assignment_id: str
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    assert (await reassign(api, assignment_id, target)).status_code == 404


async def test_another_agencys_assignment_is_404(
    other_tenant: Tenant, programme: Programme
) -> None:
    async with other_tenant.client(other_tenant.admin_token) as other:
        target = (await create_mentor(other))["mentor_id"]
        response = await reassign(other, programme.assignment_id, target)
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.MENTOR, Role.CASEWORKER])
async def test_mentors_and_caseworkers_are_403(
    api: httpx.AsyncClient, tenant: Tenant, programme: Programme, role: Role
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    if role is Role.MENTOR:
        token = await tenant.token(role, mentor_id=programme.mentor_id)
    else:
        token = await tenant.token(role)
    async with tenant.client(token) as client:
        assert (await reassign(client, programme.assignment_id, target)).status_code == 403


async def test_a_supervisor_reassigns(tenant: Tenant, programme: Programme) -> None:
    async with tenant.client(await tenant.token(Role.SUPERVISOR)) as client:
        target = (await create_mentor(client))["mentor_id"]
        assert (await reassign(client, programme.assignment_id, target)).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"mentor_id": "mentor_abcdef"},
        {"mentor_id": "mentor_abcdef", "reason": ""},
        {"reason": "why"},
        {"mentor_id": "mentor_abcdef", "reason": "why", "notes": "copied?"},
    ],
)
async def test_a_bad_body_is_422_naming_the_field(
    api: httpx.AsyncClient, programme: Programme, body: dict[str, Any]
) -> None:
    response = await api.post(reassign_url(programme.assignment_id), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]


async def test_over_the_targets_capacity_is_409_and_an_override_allows_it(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api, max_open_assignments=1))["mentor_id"]
    await create_assignment(api, target, programme.contacts[1]["contact_id"])
    response = await reassign(api, programme.assignment_id, target)
    assert response.status_code == 409, response.text
    assert (response.json()["open"], response.json()["limit"]) == (1, 1)

    without_reason = await api.post(
        reassign_url(programme.assignment_id),
        json={"mentor_id": target, "reason": " ", "override_capacity": True},
    )
    assert without_reason.status_code == 422
    forced = await reassign(api, programme.assignment_id, target, override_capacity=True)
    assert forced.status_code == 201, forced.text
    (created,) = await events(db, tenant, forced.json()["opened"]["assignment_id"])
    assert created["details"]["capacity_override"] is True
    assert created["reason"] == "mentor moved away"


async def test_a_retry_with_the_same_key_reassigns_once(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    body = {"mentor_id": target, "reason": "mentor moved away"}
    headers = {"Idempotency-Key": "reassign-1"}
    url = reassign_url(programme.assignment_id)
    first = await api.post(url, json=body, headers=headers)
    before = await count(db, tenant, "assignments")
    again = await api.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert await count(db, tenant, "assignments") == before
    other = await api.post(url, json={**body, "reason": "other"}, headers=headers)
    assert other.status_code == 422


async def test_erasing_either_end_clears_the_others_link(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    made = (await reassign(api, programme.assignment_id, target)).json()
    opened = made["opened"]["assignment_id"]
    assert (await api.delete(f"/api/v1/assignments/{programme.assignment_id}")).status_code == 200
    assert (await api.get(f"/api/v1/assignments/{opened}")).json()["previous_assignment_id"] is None

    second = (await create_mentor(api))["mentor_id"]
    again = (await reassign(api, opened, second)).json()
    url = f"/api/v1/assignments/{again['opened']['assignment_id']}"
    assert (await api.delete(url)).status_code == 200
    assert (await api.get(f"/api/v1/assignments/{opened}")).json()["next_assignment_id"] is None


async def test_deleting_a_mentor_clears_the_links_to_its_erased_assignments(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    target = (await create_mentor(api))["mentor_id"]
    opened = (await reassign(api, programme.assignment_id, target)).json()["opened"]
    deleted = await api.delete(f"/api/v1/mentors/{programme.mentor_id}")
    assert deleted.status_code == 200, deleted.text
    url = f"/api/v1/assignments/{opened['assignment_id']}"
    assert (await api.get(url)).json()["previous_assignment_id"] is None


async def test_a_contact_keeps_its_chain_of_assignments(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    first = (await create_mentor(api))["mentor_id"]
    second = (await create_mentor(api))["mentor_id"]
    middle = (await reassign(api, programme.assignment_id, first)).json()["opened"]
    last = (await reassign(api, middle["assignment_id"], second)).json()
    assert last["closed"]["previous_assignment_id"] == programme.assignment_id
    assert last["closed"]["next_assignment_id"] == last["opened"]["assignment_id"]
    contact = await create_contact(api)  # unrelated records stay unlinked
    assert "previous_assignment_id" not in contact


async def test_simultaneous_reassigns_of_one_assignment_succeed_once(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    targets = [(await create_mentor(api, name=f"Mentor {n}"))["mentor_id"] for n in range(10)]
    responses = await asyncio.gather(
        *(reassign(api, programme.assignment_id, target) for target in targets)
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    open_ones = await db.fetch_value(
        "SELECT count(*) FROM assignments WHERE agency_id = :agency_id AND contact_id = :contact"
        " AND status = 'open'",
        {"agency_id": tenant.agency_id, "contact": programme.assignment["contact_id"]},
    )
    assert open_ones == 1


async def test_simultaneous_reassigns_to_one_mentor_keep_its_limit(
    api: httpx.AsyncClient,
) -> None:
    target = (await create_mentor(api, max_open_assignments=2))["mentor_id"]
    leaving = (await create_mentor(api))["mentor_id"]
    moving = []
    for n in range(8):
        contact = (await create_contact(api, name=f"Contact {n}"))["contact_id"]
        moving.append((await create_assignment(api, leaving, contact))["assignment_id"])
    responses = await asyncio.gather(*(reassign(api, one, target) for one in moving))
    assert sorted(r.status_code for r in responses) == [201] * 2 + [409] * 6
    count = await api.get(f"/api/v1/assignments/mentor/{target}/open-count")
    assert count.json()["open_assignment_count"] == 2


# --- the new mentor's message --------------------------------------------------------------------


async def mail_to(db: Database, tenant: Tenant, recipient: str | None = None) -> list[Row]:
    """The agency's queued messages (to ``recipient``, if given), oldest first."""
    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE agency_id = :agency_id ORDER BY id",
        {"agency_id": tenant.agency_id},
    )
    return [row for row in rows if recipient is None or row["recipient"] == recipient]


@pytest.fixture
async def smtp() -> AsyncIterator[SMTPServer]:
    server = SMTPServer(Inbox())
    await server.start()
    yield server
    await server.stop()


async def test_the_new_mentor_is_told_once_naming_the_contact_and_the_reason(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, smtp: SMTPServer
) -> None:
    leaving = (await create_mentor(api))["mentor_id"]
    contact = await create_contact(
        api, name="Per Olsen", email="per@example.org", phone="+47 912 34 567"
    )
    made = await create_assignment(
        api, leaving, contact["contact_id"], notes="Confidential: family situation."
    )
    target = await create_mentor(api, name="Ola Hansen", email="ola@example.org")
    response = await reassign(api, made["assignment_id"], target["mentor_id"])
    assert response.status_code == 201, response.text
    opened = response.json()["opened"]["assignment_id"]

    [row] = await mail_to(db, tenant)
    assert row["recipient"] == "ola@example.org"
    assert row["subject"] == "New mentoring assignment: Per Olsen"
    for told in ("Ola Hansen", "Per Olsen", contact["contact_id"], opened, "mentor moved away"):
        assert told in row["body"]
    for private in ("per@example.org", "912 34 567", "Confidential"):
        assert private not in row["body"]
        assert private not in row["subject"]

    # Delivered over loopback SMTP as the dispatcher builds it, with the outbox's Message-ID.
    sender = Dispatcher(db, SMTPTransport(SMTPSettings.parse(smtp.url)), "caseworks@example.org")
    await sender.transport.send(sender.message(row))
    [message] = smtp.inbox.messages
    assert message["Message-ID"] == row["message_id"]
    assert message["To"] == "ola@example.org"
    assert message["Subject"] == "New mentoring assignment: Per Olsen"
    assert opened in message.get_content()


async def test_a_mentor_without_an_email_gets_no_message(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api, name="No Address"))["mentor_id"]
    assert (await reassign(api, programme.assignment_id, target)).status_code == 201
    assert await mail_to(db, tenant) == []


async def test_send_notification_false_sends_nothing(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api, email="quiet@example.org"))["mentor_id"]
    response = await reassign(api, programme.assignment_id, target, send_notification=False)
    assert response.status_code == 201, response.text
    assert await mail_to(db, tenant) == []


async def test_a_refused_reassignment_sends_nothing(
    api: httpx.AsyncClient, db: Database, tenant: Tenant, programme: Programme
) -> None:
    target = (await create_mentor(api, email="full@example.org", max_open_assignments=1))[
        "mentor_id"
    ]
    other = await create_contact(api, name="Liv")
    await create_assignment(api, target, other["contact_id"])
    response = await reassign(api, programme.assignment_id, target)
    assert response.status_code == 409, response.text  # over the target's capacity
    assert await mail_to(db, tenant) == []
