"""A small agency with one record of every kind, for tests that sweep the whole API."""

from __future__ import annotations

from tests.support.childwelfare import (
    JSONAPI,
    applicant_of,
    application_assignment,
    child,
    child_assignment,
    intake,
    worker,
)
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant

CANARY = "Canary"  # in the personal fields of the mentoring records, the child and the applicant


async def build_world(tenant: Tenant) -> dict[str, str]:
    """One of everything, made through the API as the tenant's admin; the ids by role."""
    ids: dict[str, str] = {}
    async with tenant.client(tenant.admin_token) as api:
        mentor = await create_mentor(api, name=f"{CANARY} Mentor", email="canary@example.org")
        other_mentor = await create_mentor(api, name="Other Mentor")
        free_mentor = await create_mentor(api, name="Free Mentor")
        contact = await create_contact(api, name=f"{CANARY} Contact", phone="+4799999999")
        free_contact = await create_contact(api, name="Free Contact")
        assignment = await create_assignment(
            api, mentor["mentor_id"], contact["contact_id"], notes=f"{CANARY} notes"
        )
        api.headers["Content-Type"] = JSONAPI
        assigned = await worker(api, name="Assigned Worker", email="assigned@example.org")
        unassigned = await worker(api, name="Other Worker", email="other@example.org")
        child_id = await child(api, **{"first-name": CANARY, "last-name": "Child"})
        made = await intake(
            api,
            {
                "first_name": CANARY,
                "last_name": "Applicant",
                "email": "canary.applicant@example.org",
            },
        )
        application_id = made["id"]
        created = await api.post(
            "/api/v1/worker_assignments", json=child_assignment(child_id, assigned)
        )
        await api.post(
            "/api/v1/worker_assignments", json=application_assignment(application_id, assigned)
        )
    ids.update(
        mentor=mentor["mentor_id"],
        other_mentor=other_mentor["mentor_id"],
        free_mentor=free_mentor["mentor_id"],
        contact=contact["contact_id"],
        free_contact=free_contact["contact_id"],
        assignment=assignment["assignment_id"],
        worker=assigned,
        unassigned_worker=unassigned,
        child=child_id,
        application=application_id,
        profile=applicant_of(made),
        worker_assignment=created.json()["data"][0]["id"],
    )
    return ids
