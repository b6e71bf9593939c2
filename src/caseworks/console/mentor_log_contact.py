"""`/assignments/{id}/log-contact`: the form to log a contact (date and note), saved through the
same service as the mentoring API's update, then back to the page it came from."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from caseworks.console.pages import PageRequest, see_other
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import error_page, render
from caseworks.console.translations import N_
from caseworks.core.errors import Forbidden, Invalid, NotFound
from caseworks.mentoring import mentor_assignments

NOT_FOUND = N_("There is no such assignment, or it is not yours to see.")
FORBIDDEN = N_("You may not log a contact on this assignment.")


class LogContactForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_date: date
    note: str = ""
    next: str | None = None


def _assignment_id(page: PageRequest) -> str:
    return str(page.request.path_params["assignment_id"])


async def log_contact_form(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    try:
        assignment = await mentor_assignments.get_assignment(
            page.state.db, page.principal, _assignment_id(page)
        )
    except NotFound:
        return error_page(page, 404, NOT_FOUND)
    values = {"next": page.request.query_params.get("next", "")}
    return render(page, "mentor_log_contact.html", {"assignment": assignment, "values": values})


async def log_contact_save(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    db, assignment_id = page.state.db, _assignment_id(page)
    try:
        assignment = await mentor_assignments.get_assignment(db, page.principal, assignment_id)
    except NotFound:
        return error_page(page, 404, NOT_FOUND)
    form: LogContactForm | None = page.form
    if form is None:
        return render(page, "mentor_log_contact.html", {"assignment": assignment}, status=400)
    # The day's start in the agency's time zone: the moment the date names there.
    moment = datetime.combine(form.contact_date, time(), ZoneInfo(page.time_zone))
    try:
        await mentor_assignments.log_contact(db, page.principal, assignment_id, moment, form.note)
    except Forbidden:
        return error_page(page, 403, FORBIDDEN)
    except Invalid as refused:
        errors = {"note": refused.problems[0].detail if refused.problems else refused.detail}
        context = {"assignment": assignment, "errors": errors}
        return render(page, "mentor_log_contact.html", context, status=400)
    return see_other(safe_next(form.next or f"/assignments/{assignment_id}"))
