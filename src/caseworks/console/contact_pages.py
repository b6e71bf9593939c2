"""`/contacts`: the contacts list, a contact's record with its assignments, and the forms that
create and edit one, through the same services as the mentoring API."""

from __future__ import annotations

from typing import Any

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
from caseworks.core.errors import Forbidden, NotFound, ServiceError
from caseworks.core.pagination import PageRequest as RowsWanted
from caseworks.mentoring import mentor_assignments as assignments
from caseworks.mentoring import people
from caseworks.mentoring.mentoring_models import (
    ContactCreate,
    ContactQuery,
    PersonCreate,
    PersonUpdate,
)
from caseworks.mentoring.mentoring_queries import AssignmentFilters
from caseworks.mentoring.people import CONTACTS, MENTORS
from caseworks.web.mentoring_api import export_contacts

# A contact's record shows its newest assignments, open and closed, up to this many.
RECORD_ROWS = 20


def _caller(page: PageRequest) -> Principal:
    assert page.principal is not None  # every page here needs a session
    return page.principal


async def contacts_list(page: PageRequest) -> Response:
    try:
        query, csv = read_list_query(page, ContactQuery)
        if query.waiting and "sort" in query.model_fields_set:
            raise QueryRefused("sort: the waiting list is ordered longest waiting first")
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    try:
        if csv:
            return await export(page, export_contacts, "contacts", query)
        if query.waiting:  # the waiting contacts have a worklist of their own
            return see_other(list_url("/waiting", query, waiting=None))
        listed = await people.list_people(
            page.state.db, _caller(page), CONTACTS, query.sort, query.request
        )
    except ServiceError as error:
        return refusal_page(page, error)
    context = {
        "listed": listed,
        "query": query,
        "url": lambda **changes: list_url("/contacts", query, **changes),
        "may_manage": policy.is_manager(_caller(page)),
    }
    return render(page, "contacts_list.html", context)


async def contact_record(page: PageRequest) -> Response:
    caller, db = _caller(page), page.state.db
    contact_id = page.request.path_params["contact_id"]
    try:
        saved = read_saved(page)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    try:
        contact = await people.get_person(db, caller, CONTACTS, contact_id)
        listed = await assignments.list_assignments(
            db,
            caller,
            AssignmentFilters(contact_id=contact_id),
            "-assigned_date",
            RowsWanted(1, RECORD_ROWS),
        )
        # The closed reason is the assignment's own field, not the list's.
        rows = [
            await assignments.get_assignment(db, caller, row["assignment_id"])
            for row in listed.items
        ]
    except ServiceError as error:
        return refusal_page(page, error)
    current = [row for row in rows if row["status"] == "open"]
    # The current mentor by name (a contact has one open assignment, or two at most in a race).
    mentor_names = {}
    for row in current:
        try:
            mentor = await people.get_person(db, caller, MENTORS, row["mentor_id"])
        except NotFound:  # out of the caller's sight: shown by its id
            continue
        mentor_names[row["mentor_id"]] = mentor["name"]
    context = {
        "contact": contact,
        "current": current,
        "mentor_names": mentor_names,
        "history": [row for row in rows if row["status"] != "open"],
        "total": listed.total,
        "waiting": not current,
        "may_manage": policy.is_manager(caller),
        "message": saved,
    }
    return render(page, "contact_record.html", context)


def _form_values(row: Any) -> dict[str, str]:
    return {name: "" if row[name] is None else str(row[name]) for name in PersonCreate.model_fields}


async def contact_new_form(page: PageRequest) -> Response:
    try:
        refuse_any_query(page)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    if not policy.is_manager(_caller(page)):
        return error_page(page, 403, N_("Only admins and supervisors may create contacts."))
    return render(page, "contact_form.html", {"creating": True})


async def contact_create(page: PageRequest) -> Response:
    caller = _caller(page)
    if not policy.is_manager(caller):
        return error_page(page, 403, N_("Only admins and supervisors may create contacts."))
    if page.form is None:
        return render(page, "contact_form.html", {"creating": True}, status=422)
    data: ContactCreate = page.form
    try:
        row, _ = await people.create_person(
            page.state.db, caller, CONTACTS, data, data.contact_id, None
        )
    except ServiceError as error:
        errors = field_messages(error, ContactCreate.model_fields, "contact_id")
        if not errors:
            return refusal_page(page, error)
        context = {"creating": True, "errors": errors}
        return render(page, "contact_form.html", context, status=error.status)
    return see_other(f"/contacts/{row['contact_id']}?saved=created")


async def contact_edit_form(page: PageRequest) -> Response:
    caller = _caller(page)
    contact_id = page.request.path_params["contact_id"]
    try:
        refuse_any_query(page)
    except QueryRefused as refused:
        return error_page(page, 400, str(refused))
    try:
        row = await people.get_person(page.state.db, caller, CONTACTS, contact_id)
        if not policy.is_manager(caller):
            raise Forbidden(N_("Only admins and supervisors may edit contacts."))
    except ServiceError as error:
        return refusal_page(page, error)
    context = {"creating": False, "contact": row, "values": _form_values(row)}
    return render(page, "contact_form.html", context)


async def contact_update(page: PageRequest) -> Response:
    caller = _caller(page)
    contact_id = page.request.path_params["contact_id"]
    try:
        row = await people.get_person(page.state.db, caller, CONTACTS, contact_id)
        if not policy.is_manager(caller):
            raise Forbidden(N_("Only admins and supervisors may edit contacts."))
        if page.form is None:
            context = {"creating": False, "contact": row}
            return render(page, "contact_form.html", context, status=422)
        # Every field of the form is sent: a field left blank clears it.
        update = PersonUpdate.model_validate(page.form.model_dump())
        await people.update_person(page.state.db, caller, CONTACTS, contact_id, update)
    except ServiceError as error:
        errors = field_messages(error, PersonCreate.model_fields, "contact_id")
        if not errors:
            return refusal_page(page, error)
        context = {"creating": False, "contact": row, "errors": errors}
        return render(page, "contact_form.html", context, status=error.status)
    return see_other(f"/contacts/{contact_id}?saved=updated")
