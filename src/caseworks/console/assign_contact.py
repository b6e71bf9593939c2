"""`/contacts/{id}/assign`: give a waiting contact a mentor. The select lists the lightest
mentors first with each one's open count against the limit; one at or over the limit needs an
explicit override with a reason. The assignment is made by the API's own service."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError
from starlette.responses import Response

from caseworks.console.pages import PageRequest, see_other
from caseworks.console.rendering import render
from caseworks.core.errors import Invalid, NotFound
from caseworks.mentoring.capacity import OverCapacity
from caseworks.mentoring.caseload_overview import (
    NotWaiting,
    assign_waiting_contact,
    is_waiting,
    mentor_choices,
)
from caseworks.mentoring.mentoring_models import AssignmentCreate
from caseworks.mentoring.people import CONTACTS, MENTORS, get_person

# The form's fields; the framework's own CSRF field rides along.
FIELDS = frozenset({"mentor_id", "override_capacity", "reason", "csrf_token"})


def _(text: str) -> str:
    """Marks a string for the catalog; the template translates it."""
    return text


NOT_WAITING = _("This contact already has a mentor: nothing was changed.")
CHOOSE_MENTOR = _("Choose a mentor.")
REASON_NEEDED = _("Give a reason for going over the mentor's capacity.")


async def _form(
    page: PageRequest, contact_id: str, values: dict[str, str], errors: dict[str, Any], status: int
) -> Response:
    assert page.principal is not None
    db, caller = page.state.db, page.principal
    try:
        contact = await get_person(db, caller, CONTACTS, contact_id)
    except NotFound:
        return Response(status_code=404)
    waiting = await is_waiting(db, caller, contact_id)
    choices = await mentor_choices(db, caller, contact_id) if waiting else []
    return render(
        page,
        "assign_contact.html",
        {
            "contact": contact,
            "waiting": waiting,
            "choices": choices,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


async def assign_form(page: PageRequest) -> Response:
    return await _form(page, page.request.path_params["contact_id"], {}, {}, 200)


async def assign(page: PageRequest) -> Response:
    assert page.principal is not None
    contact_id = page.request.path_params["contact_id"]
    form = dict(parse_qsl((await page.request.body()).decode(), keep_blank_values=True))
    unknown = sorted(set(form) - FIELDS)
    if unknown:
        return render(page, "query_refused.html", {"refused": _Unknown(unknown[0])}, status=400)
    errors: dict[str, Any] = {}
    override = form.get("override_capacity") == "on"
    reason = form.get("reason", "").strip() or None
    if not form.get("mentor_id"):
        errors["mentor_id"] = {"message": CHOOSE_MENTOR}
    if override and reason is None:
        errors["reason"] = {"message": REASON_NEEDED}
    if errors:
        return await _form(page, contact_id, form, errors, 400)
    try:
        data = AssignmentCreate(
            mentor_id=form["mentor_id"],
            contact_id=contact_id,
            override_capacity=override,
            reason=reason,
        )
        made = await assign_waiting_contact(page.state.db, page.principal, data)
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0])
        errors[field if field in FIELDS else "mentor_id"] = {"message": error.errors()[0]["msg"]}
        return await _form(page, contact_id, form, errors, 400)
    except OverCapacity as over:
        mentor = await get_person(page.state.db, page.principal, MENTORS, form["mentor_id"])
        errors["mentor_id"] = {
            "over": {"name": mentor["name"], "open": over.open, "limit": over.limit}
        }
        return await _form(page, contact_id, form, errors, 409)
    except NotWaiting:
        return await _form(page, contact_id, form, {"form": {"message": NOT_WAITING}}, 409)
    except Invalid as invalid:  # an unknown mentor, or an override the caller may not make
        errors["mentor_id"] = {"message": str(invalid)}
        return await _form(page, contact_id, form, errors, 400)
    except NotFound:
        return Response(status_code=404)
    return see_other(f"/assignments/{made['assignment_id']}?assigned=1")


class _Unknown:
    def __init__(self, name: str) -> None:
        self.name = name
        self.detail = "is not a field of this form"
