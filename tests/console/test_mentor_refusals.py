"""A mentor's session can change nothing but its contacts' last contact and notes: every
manager form and action of the console answers 403 or 404 to it and changes nothing."""

from __future__ import annotations

from typing import Any

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def programme_state(tenant: Tenant) -> dict[str, Any]:
    """Everything a manager form could change, as the API shows it to an admin."""
    async with tenant.client(tenant.admin_token) as api:
        return {
            path: (await api.get(path, params={"limit": 100})).json()["data"]
            for path in ("/api/v1/mentors", "/api/v1/contacts", "/api/v1/assignments")
        }


async def test_every_manager_form_refuses_a_mentor_and_changes_nothing(tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api, name="Mona Mentor")
        other = await create_mentor(api, name="Otto Other")
        contact = await create_contact(api, name="Siri Seen")
        waiting = await create_contact(api, name="Walt Waiting")
        own = await create_assignment(api, mentor["mentor_id"], contact["contact_id"])
    own_id, other_id = own["assignment_id"], other["mentor_id"]
    posts = {
        "/mentors/new": {"name": "Nina New"},
        f"/mentors/{mentor['mentor_id']}/edit": {"name": "Renamed"},
        "/contacts/new": {"name": "Carl New"},
        f"/contacts/{contact['contact_id']}/edit": {"name": "Renamed"},
        f"/contacts/{waiting['contact_id']}/assign": {"mentor_id": mentor["mentor_id"]},
        f"/assignments/{own_id}/reassign": {"mentor_id": other_id, "reason": "moving"},
        f"/assignments/{own_id}/close": {"reason": "done"},
        "/assignments/bulk-reassign": {
            "assignment_id": own_id,
            "mentor_id": other_id,
            "reason": "moving",
        },
        "/import": {"kind": "mentors", "dry_run": "false"},
    }
    before = await programme_state(tenant)
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor["mentor_id"]) as client:
        home = await client.get("/")
        for path, fields in posts.items():
            shown = await client.get(path)
            assert shown.status_code in (403, 404, 405), (path, shown.status_code)
            sent = await client.post(path, data=fields)  # with the session's CSRF token
            assert sent.status_code in (403, 404), (path, sent.status_code)
    assert await programme_state(tenant) == before
    for action in ("Reassign", "Close", "Assign mentor", "Import", 'name="assignment_id"'):
        assert action not in home.text
