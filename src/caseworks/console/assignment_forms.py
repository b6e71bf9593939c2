"""The forms on an assignment: log a contact, reassign, close (and reopen). Each is a GET that
shows the form and a POST that goes through the mentoring API's own service for the change, then
303 to the record with a confirmation; or the form again with each error beside its field.

Every refusal is the service's: a mentor posting a reassignment gets the 403 page and nothing
changes, whatever the form says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.responses import Response

from caseworks.auth import Principal, policy
from caseworks.console.assignment_pages import (
    agency_zone,
    caller_of,
    problem_page,
    refusal,
    today_in,
    unknown_parameters,
)
from caseworks.console.forms import FormRefused as BodyRefused
from caseworks.console.forms import read_form_body
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import render
from caseworks.console.sessions import now_of
from caseworks.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from caseworks.core.text import FREE_TEXT_LIMIT
from caseworks.db import Row
from caseworks.mentoring import mentor_assignments as service
from caseworks.mentoring.capacity import OverCapacity
from caseworks.mentoring.caseloads import MentorLoad, mentor_choices
from caseworks.mentoring.mentor_assignments import SameMentor
from caseworks.mentoring.mentoring_models import Reassignment, StatusChange

# Form fields every form may carry beside its own: the session's CSRF token.
COMMON_FIELDS = frozenset({"csrf_token"})

Errors = dict[str, str]  # field name (or "form") -> the key of its message in the template


class FormRefused(Exception):
    """A form with a field the page does not take: the 400 page naming it."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


async def read_form(page: PageRequest, fields: frozenset[str]) -> dict[str, str]:
    """The form's text fields (urlencoded or multipart; the framework has checked its CSRF
    token); FormRefused naming any field the form does not take, or one given twice."""
    try:
        body = await read_form_body(page.request)
    except BodyRefused:
        raise FormRefused(["(body)"]) from None
    unknown = sorted(set(body.fields) - fields - COMMON_FIELDS)
    repeated = sorted(name for name, values in body.fields.items() if len(values) > 1)
    if unknown or repeated:
        raise FormRefused(unknown or repeated)
    return {
        name: values[0]
        for name, values in body.fields.items()
        if name not in COMMON_FIELDS and isinstance(values[0], str)
    }


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def start_of(day: date, zone: ZoneInfo) -> datetime:
    """A day the form names, as the moment it begins in the agency's time zone."""
    return datetime.combine(day, time(0), zone)


async def _assignment(page: PageRequest, caller: Principal) -> Row | Response:
    try:
        return await service.get_assignment(
            page.state.db, caller, page.request.path_params["assignment_id"]
        )
    except ServiceError as error:
        return refusal(page, error)


def _done(assignment_id: str, what: str) -> Response:
    return see_other(f"/assignments/{quote(assignment_id)}?done={what}")


FormHandler = Callable[[PageRequest, Principal, Row], Awaitable[Response]]


def assignment_form(
    handler: FormHandler, parameters: frozenset[str] = frozenset()
) -> Callable[[PageRequest], Awaitable[Response]]:
    """The handler with the assignment the path names (the 404 page if the caller may not see
    it); a query parameter other than ``parameters``, or a form field the form does not take,
    answered 400."""

    async def serve(page: PageRequest) -> Response:
        unknown = unknown_parameters(page, parameters)
        if unknown:
            return problem_page(page, 400, "unknown_parameter", unknown)
        caller = caller_of(page)
        found = await _assignment(page, caller)
        if isinstance(found, Response):
            return found
        try:
            return await handler(page, caller, found)
        except FormRefused as refused:
            return problem_page(page, 400, "unknown_field", refused.names)
        except (NotFound, Forbidden) as error:
            return refusal(page, error)

    return serve


# --- log a contact -------------------------------------------------------------------------------

LOG_CONTACT_FIELDS = frozenset({"contact_date", "note", "next"})


async def _log_contact_form(
    page: PageRequest,
    assignment: Row,
    values: dict[str, str],
    errors: Errors,
    status: int = 200,
) -> Response:
    return render(
        page,
        "assignment_log_contact.html",
        {"assignment": assignment, "values": values, "errors": errors},
        status=status,
    )


async def _log_contact_show(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    if not policy.may_log_contact(caller, assignment["status"]):
        return problem_page(page, 403)
    zone = agency_zone(page)
    target = page.request.query_params.get("next")
    values = {
        "contact_date": today_in(zone, now_of(page.request)).isoformat(),
        "note": "",
        "next": safe_next(target) if target else "",
    }
    return await _log_contact_form(page, assignment, values, {})


async def _log_contact_save(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    form = await read_form(page, LOG_CONTACT_FIELDS)
    values = {name: form.get(name, "") for name in LOG_CONTACT_FIELDS}
    errors: Errors = {}
    day = parse_day(values["contact_date"])
    if day is None:
        errors["contact_date"] = "date_required"
    if len(values["note"]) > FREE_TEXT_LIMIT:
        errors["note"] = "note_too_long"
    if "\x00" in values["note"]:
        errors["note"] = "note_invalid"
    if errors or day is None:
        return await _log_contact_form(page, assignment, values, errors, 400)
    zone = agency_zone(page)
    try:
        await service.log_contact(
            page.state.db, caller, assignment["assignment_id"], start_of(day, zone), values["note"]
        )
    except Invalid as invalid:
        pointers = {problem.pointer for problem in invalid.problems}
        if pointers & {"/note", "/notes"}:
            errors["note"] = "notes_full"
        else:
            errors["contact_date"] = "date_invalid"
        return await _log_contact_form(page, assignment, values, errors, 400)
    if values["next"]:
        return see_other(safe_next(values["next"]))
    return _done(assignment["assignment_id"], "logged")


log_contact_form = assignment_form(_log_contact_show, frozenset({"next"}))
log_contact_save = assignment_form(_log_contact_save)


# --- reassign ------------------------------------------------------------------------------------

REASSIGN_FIELDS = frozenset({"mentor_id", "reason", "override_capacity", "send_notification"})


async def choices_for(page: PageRequest, caller: Principal, assignment: Row) -> list[MentorLoad]:
    """The mentors the assignment's contact may move to, lightest first (`mentor_choices`), its
    current mentor left out."""
    loads = await mentor_choices(page.state.db, caller, assignment["contact_id"])
    return [load for load in loads if load.mentor_id != assignment["mentor_id"]]


async def _reassign_form(
    page: PageRequest,
    caller: Principal,
    assignment: Row,
    values: dict[str, str],
    errors: Errors,
    status: int = 200,
) -> Response:
    choices = await choices_for(page, caller, assignment)
    return render(
        page,
        "assignment_reassign.html",
        {"assignment": assignment, "choices": choices, "values": values, "errors": errors},
        status=status,
    )


async def _reassign_show(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    if not policy.may_manage_assignments(caller):
        return problem_page(page, 403)
    values = {"mentor_id": "", "reason": "", "override_capacity": "", "send_notification": "on"}
    return await _reassign_form(page, caller, assignment, values, {})


async def _reassign_save(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    form = await read_form(page, REASSIGN_FIELDS)
    if not policy.may_manage_assignments(caller):
        return problem_page(page, 403)
    values = {name: form.get(name, "") for name in REASSIGN_FIELDS}
    errors: Errors = {}
    if not values["mentor_id"]:
        errors["mentor_id"] = "mentor_required"
    if not values["reason"].strip():
        errors["reason"] = "reason_required"
    try:
        data = Reassignment(
            mentor_id=values["mentor_id"] or "unset",
            reason=values["reason"] or " ",
            override_capacity=values["override_capacity"] == "on",
            send_notification=values["send_notification"] == "on",
        )
    except ValidationError as invalid:
        for error in invalid.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, "reason_too_long" if field == "reason" else "mentor_unknown")
    if errors:
        return await _reassign_form(page, caller, assignment, values, errors, 400)
    try:
        made, _ = await service.reassign(page.state.db, caller, assignment["assignment_id"], data)
    except ServiceError as error:
        errors = _reassign_errors(error)
        if not errors:
            raise
        return await _reassign_form(page, caller, assignment, values, errors, 409)
    return _done(made.opened["assignment_id"], "reassigned")


def _reassign_errors(error: ServiceError) -> Errors:
    """Where a refused reassignment's reason belongs on the form."""
    if isinstance(error, OverCapacity):
        return {"override_capacity": "over_capacity"}
    if isinstance(error, SameMentor):
        return {"mentor_id": "same_mentor"}
    if isinstance(error, Invalid):
        pointers = {problem.pointer for problem in error.problems}
        if "/reason" in pointers:
            return {"reason": "override_reason"}
        return {"mentor_id": "mentor_unknown"}
    if isinstance(error, Conflict):
        closed = "closed" in error.detail
        return {"form": "assignment_closed"} if closed else {"mentor_id": "has_contact"}
    return {}


reassign_form = assignment_form(_reassign_show)
reassign_save = assignment_form(_reassign_save)


# --- close and reopen ----------------------------------------------------------------------------

CLOSE_FIELDS = frozenset({"reason", "closed_date"})


async def _close_form(
    page: PageRequest, assignment: Row, values: dict[str, str], errors: Errors, status: int = 200
) -> Response:
    return render(
        page,
        "assignment_close.html",
        {"assignment": assignment, "values": values, "errors": errors},
        status=status,
    )


async def _close_show(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    if not policy.may_manage_assignments(caller):
        return problem_page(page, 403)
    zone = agency_zone(page)
    today = today_in(zone, now_of(page.request)).isoformat()
    return await _close_form(page, assignment, {"reason": "", "closed_date": today}, {})


async def _close_save(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    form = await read_form(page, CLOSE_FIELDS)
    if not policy.may_manage_assignments(caller):
        return problem_page(page, 403)
    values = {name: form.get(name, "") for name in CLOSE_FIELDS}
    errors: Errors = {}
    if not values["reason"].strip():
        errors["reason"] = "reason_required"
    elif len(values["reason"]) > 2_000:
        errors["reason"] = "reason_too_long"
    day = parse_day(values["closed_date"])
    if day is None:
        errors["closed_date"] = "date_required"
    if assignment["status"] != "open":
        errors["form"] = "assignment_closed"
    if errors or day is None:
        return await _close_form(page, assignment, values, errors, 400)
    zone = agency_zone(page)
    change = StatusChange(status="closed", reason=values["reason"].strip())
    await service.change_status(
        page.state.db, caller, assignment["assignment_id"], change, start_of(day, zone)
    )
    return _done(assignment["assignment_id"], "closed")


async def _reopen_save(page: PageRequest, caller: Principal, assignment: Row) -> Response:
    await read_form(page, frozenset())
    if not policy.may_manage_assignments(caller):
        return problem_page(page, 403)
    try:
        await service.change_status(
            page.state.db, caller, assignment["assignment_id"], StatusChange(status="open")
        )
    except Conflict:
        return see_other(f"/assignments/{quote(assignment['assignment_id'])}?done=not_reopened")
    return _done(assignment["assignment_id"], "reopened")


close_form = assignment_form(_close_show)
close_save = assignment_form(_close_save)
reopen_save = assignment_form(_reopen_save)
