"""The log-contact form: the date and an appended note, through the API's own update."""

from __future__ import annotations

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant


async def an_assignment(tenant: Tenant) -> tuple[str, str, str]:
    """(mentor id, its assignment's id with notes "First meeting.", another mentor's)."""
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api)
        other = await create_mentor(api, name="Otto Other")
        contact = await create_contact(api, name="Siri Seen")
        theirs = await create_contact(api, name="Tor Theirs")
        own = await create_assignment(
            api, mentor["mentor_id"], contact["contact_id"], notes="First meeting."
        )
        other_own = await create_assignment(api, other["mentor_id"], theirs["contact_id"])
    return mentor["mentor_id"], own["assignment_id"], other_own["assignment_id"]


async def test_saving_sets_the_date_appends_the_note_and_goes_back(tenant: Tenant) -> None:
    mentor_id, assignment_id, _ = await an_assignment(tenant)
    path = f"/assignments/{assignment_id}/log-contact"
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor_id) as client:
        form = await client.get(path, params={"next": "/"})
        saved = await client.post(
            path, data={"contact_date": "2026-11-30", "note": "Library.", "next": "/"}
        )
    assert form.status_code == 200
    assert '<label for="contact_date">Contact date</label>' in form.text
    assert saved.status_code == 303
    assert saved.headers["location"] == "/"
    async with tenant.client(tenant.admin_token) as api:
        stored = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
    assert stored["last_contact_date"].startswith("2026-11-30")
    assert stored["notes"] == "First meeting.\n\nLibrary."


async def test_another_mentor_s_assignment_is_not_found_and_unchanged(tenant: Tenant) -> None:
    mentor_id, _, theirs = await an_assignment(tenant)
    path = f"/assignments/{theirs}/log-contact"
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor_id) as client:
        shown = await client.get(path)
        sent = await client.post(path, data={"contact_date": "2026-11-30", "note": "x"})
    assert (shown.status_code, sent.status_code) == (404, 404)
    async with tenant.client(tenant.admin_token) as api:
        stored = (await api.get(f"/api/v1/assignments/{theirs}")).json()
    assert stored["last_contact_date"] is None


async def test_a_missing_date_shows_the_form_again_and_changes_nothing(tenant: Tenant) -> None:
    mentor_id, assignment_id, _ = await an_assignment(tenant)
    path = f"/assignments/{assignment_id}/log-contact"
    async with signed_in(tenant, Role.MENTOR, mentor_id=mentor_id) as client:
        refused = await client.post(path, data={"note": "Library."})
        client.headers.pop("X-CSRF-Token")
        forged = await client.post(path, data={"contact_date": "2026-11-30"})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert forged.status_code == 403
    async with tenant.client(tenant.admin_token) as api:
        stored = (await api.get(f"/api/v1/assignments/{assignment_id}")).json()
    assert stored["notes"] == "First meeting."
    assert stored["last_contact_date"] is None
