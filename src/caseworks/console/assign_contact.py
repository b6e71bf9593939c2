"""`/contacts/{id}/assign`: give a waiting contact a mentor. The select lists the lightest
mentors first with each one's open count against the limit; one at or over the limit needs an
explicit override with a reason. The assignment is made by the API's own service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.console.pages import PageRequest, see_other
from caseworks.console.rendering import render
from caseworks.console.translations import N_
from caseworks.core.errors import Invalid, NotFound
from caseworks.mentoring.capacity import OverCapacity
from caseworks.mentoring.caseloads import mentor_choices
from caseworks.mentoring.mentoring_models import AssignmentCreate
from caseworks.mentoring.people import CONTACTS, MENTORS, get_person
from caseworks.mentoring.waiting_assignment import NotWaiting, assign_waiting_contact, is_waiting


class AssignForm(BaseModel):
    mentor_id: str
    override_capacity: bool = False
    reason: str | None = None


REASON_NEEDED = N_("Give a reason for going over the mentor's capacity.")
UNKNOWN_MENTOR = N_("Choose one of the mentors listed.")
NO_CONTACT = N_("There is no such contact.")


async def _form(
    page: PageRequest,
    contact_id: str,
    errors: Mapping[str, str],
    status: int,
    over: dict[str, Any] | None = None,
) -> Response:
    assert page.principal is not None
    db, caller = page.state.db, page.principal
    try:
        contact = await get_person(db, caller, CONTACTS, contact_id)
    except NotFound:
        return _no_contact(page)
    waiting = await is_waiting(db, caller, contact_id)
    choices = await mentor_choices(db, caller, contact_id) if waiting else []
    context = {
        "contact": contact,
        "waiting": waiting,
        "choices": choices,
        "errors": errors,
        "values": page.form_values,
        "over": over,
    }
    return render(page, "assign_contact.html", context, status=status)


async def assign_form(page: PageRequest) -> Response:
    return await _form(page, page.request.path_params["contact_id"], {}, 200)


async def assign(page: PageRequest) -> Response:
    assert page.principal is not None
    contact_id = page.request.path_params["contact_id"]
    form: AssignForm | None = page.form
    if form is None:
        return await _form(page, contact_id, page.form_errors, 400)
    reason = (form.reason or "").strip() or None
    if form.override_capacity and reason is None:
        return await _form(page, contact_id, {"reason": REASON_NEEDED}, 400)
    try:
        data = AssignmentCreate(
            mentor_id=form.mentor_id,
            contact_id=contact_id,
            override_capacity=form.override_capacity,
            reason=reason,
        )
        made = await assign_waiting_contact(page.state.db, page.principal, data)
    except OverCapacity as refused:
        mentor = await get_person(page.state.db, page.principal, MENTORS, form.mentor_id)
        over = {"name": mentor["name"], "open": refused.open, "limit": refused.limit}
        return await _form(page, contact_id, {"mentor_id": ""}, 409, over)
    except NotWaiting:
        return await _form(page, contact_id, {}, 409)
    except (Invalid, ValueError):  # an unknown mentor or a malformed id
        return await _form(page, contact_id, {"mentor_id": UNKNOWN_MENTOR}, 400)
    except NotFound:
        return _no_contact(page)
    return see_other(f"/assignments/{made['assignment_id']}")


def _no_contact(page: PageRequest) -> Response:
    context = {"status": 404, "message": page.gettext(NO_CONTACT)}
    return render(page, "error.html", context, status=404)
