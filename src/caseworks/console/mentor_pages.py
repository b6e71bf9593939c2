"""`/mentors`: the caseload list, a mentor's record, and the forms that create and edit one,
through the same services as the mentoring API (its scope, its rules, its audit events)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field
from starlette.responses import Response

from caseworks.auth import policy
from caseworks.auth.principal import Principal
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.person_pages import (
    QueryRefused,
    export,
    field_messages,
    list_url,
    read_list_query,
    read_saved,
    refusal_page,
    refuse_any_query,
)
from caseworks.console.rendering import error_page, render
from caseworks.console.translations import N_
from caseworks.core.errors import Forbidden, ServiceError
from caseworks.core.pagination import PageRequest as RowsWanted
from caseworks.core.text import WholeNumber
from caseworks.mentoring import caseloads, people
from caseworks.mentoring import mentor_assignments as assignments
from caseworks.mentoring.mentoring_models import (
    CaseloadQuery,
    CaseloadSort,
    MentorCreate,
    MentorFields,
    MentorUpdate,
)
from caseworks.mentoring.mentoring_queries import AssignmentFilters
from caseworks.mentoring.people import MENTORS
from caseworks.web.mentoring_api import export_mentor_caseloads

# A record page shows this many active and this many closed assignments (the newest).
RECORD_ROWS = 100
HISTORY_ROWS = 20
# The list's columns, each sortable by the caseload list's own sort of the same name.
COLUMNS: tuple[CaseloadSort, ...] = (
    "name",
    "open",
    "capacity",
    "stale",
    "oldest_last_contact_date",
)


# A form sends text: the capacity is read as a whole number (the API's own bounds), then the
# API's model takes the form's values as they are.
_CAPACITY = Field(None, ge=0, le=10_000)


class MentorCreateForm(MentorCreate):
    max_open_assignments: WholeNumber | None = _CAPACITY


class MentorEditForm(MentorFields):
    max_open_assignments: WholeNumber | None = _CAPACITY


def _now(page: PageRequest) -> datetime:
    return datetime.fromtimestamp(int(page.state.clock()), UTC)


def _caller(page: PageRequest) -> Principal:
    assert page.principal is not None  # every page here needs a session
    return page.principal


async def mentors_list(page: PageRequest) -> Response:
    try:
        query, csv = read_list_query(page, CaseloadQuery)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    try:
        if csv:
            return await export(page, export_mentor_caseloads, "mentor-caseloads", query)
        listed = await caseloads.mentor_caseloads(
            page.state.db, _caller(page), query.sort, query.request, _now(page), query.over_capacity
        )
    except ServiceError as error:
        return refusal_page(page, error)
    context = {
        "listed": listed,
        "query": query,
        "columns": COLUMNS,
        "url": lambda **changes: list_url("/mentors", query, **changes),
        "may_manage": policy.is_manager(_caller(page)),
    }
    return render(page, "mentors_list.html", context)


async def mentor_record(page: PageRequest) -> Response:
    caller, db = _caller(page), page.state.db
    mentor_id = page.request.path_params["mentor_id"]
    try:
        saved = read_saved(page)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    try:
        mentor = await people.get_person(db, caller, MENTORS, mentor_id)
        load = await caseloads.mentor_load(db, caller, mentor_id)
        active = await assignments.list_assignments(
            db,
            caller,
            AssignmentFilters(mentor_id=mentor_id, status="open"),
            "assigned_date",
            RowsWanted(1, RECORD_ROWS),
        )
        closed = await assignments.list_assignments(
            db,
            caller,
            AssignmentFilters(mentor_id=mentor_id, status="closed"),
            "-assigned_date",
            RowsWanted(1, HISTORY_ROWS),
        )
        # The closed reason is the assignment's own field, not the list's: one read per row
        # of a page of at most HISTORY_ROWS.
        history = [
            await assignments.get_assignment(db, caller, row["assignment_id"])
            for row in closed.items
        ]
    except ServiceError as error:
        return refusal_page(page, error)
    context = {
        "mentor": mentor,
        "load": load,
        "active": active,
        "history": history,
        "history_total": closed.total,
        "may_manage": policy.is_manager(caller),
        "message": saved,
    }
    return render(page, "mentor_record.html", context)


def _form_values(row: Any) -> dict[str, str]:
    return {name: "" if row[name] is None else str(row[name]) for name in MentorFields.model_fields}


async def mentor_new_form(page: PageRequest) -> Response:
    try:
        refuse_any_query(page)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    if not policy.is_manager(_caller(page)):
        return error_page(page, 403, N_("Only admins and supervisors may create mentors."))
    return render(page, "mentor_form.html", {"creating": True})


async def mentor_create(page: PageRequest) -> Response:
    caller = _caller(page)
    if not policy.is_manager(caller):
        return error_page(page, 403, N_("Only admins and supervisors may create mentors."))
    if page.form is None:
        return render(page, "mentor_form.html", {"creating": True}, status=422)
    data = MentorCreate.model_validate(page.form.model_dump(exclude_unset=True))
    try:
        row, _ = await people.create_person(
            page.state.db, caller, MENTORS, data, data.mentor_id, None
        )
    except ServiceError as error:
        errors = field_messages(error, MentorCreate.model_fields, "mentor_id")
        if not errors:
            return refusal_page(page, error)
        context = {"creating": True, "errors": errors}
        return render(page, "mentor_form.html", context, status=error.status)
    return see_other(f"/mentors/{row['mentor_id']}?saved=created")


async def mentor_edit_form(page: PageRequest) -> Response:
    caller = _caller(page)
    mentor_id = page.request.path_params["mentor_id"]
    try:
        refuse_any_query(page)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    try:
        row = await people.get_person(page.state.db, caller, MENTORS, mentor_id)
        if not policy.is_manager(caller):
            raise Forbidden(N_("Only admins and supervisors may edit mentors."))
    except ServiceError as error:
        return refusal_page(page, error)
    context = {"creating": False, "mentor": row, "values": _form_values(row)}
    return render(page, "mentor_form.html", context)


async def mentor_update(page: PageRequest) -> Response:
    caller = _caller(page)
    mentor_id = page.request.path_params["mentor_id"]
    try:
        row = await people.get_person(page.state.db, caller, MENTORS, mentor_id)
        if not policy.is_manager(caller):
            raise Forbidden(N_("Only admins and supervisors may edit mentors."))
        if page.form is None:
            context = {"creating": False, "mentor": row}
            return render(page, "mentor_form.html", context, status=422)
        # Every field of the form is sent: a field left blank clears it.
        update = MentorUpdate.model_validate(page.form.model_dump())  # the API's model
        await people.update_person(page.state.db, caller, MENTORS, mentor_id, update)
    except ServiceError as error:
        errors = field_messages(error, MentorFields.model_fields, "mentor_id")
        if not errors:
            return refusal_page(page, error)
        context = {"creating": False, "mentor": row, "errors": errors}
        return render(page, "mentor_form.html", context, status=error.status)
    return see_other(f"/mentors/{mentor_id}?saved=updated")
