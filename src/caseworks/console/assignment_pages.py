"""`/assignments` and `/assignments/{id}`: the assignment list, and one assignment's record with
its notes and its history as a timeline.

The list reads the mentoring API's own list query (`AssignmentQuery`): the same filters, sorts
and pages, and its Export CSV link is the API export's rows (the same function). The record shows
the actions the policy lets the caller take; the services refuse the rest whatever is sent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.responses import Response, StreamingResponse

from caseworks.auth import Principal, policy
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render
from caseworks.console.sessions import now_of
from caseworks.core.errors import Forbidden, NotFound, ServiceError
from caseworks.csvio import csv_writing
from caseworks.csvio.csv_columns import export_columns
from caseworks.db import Row
from caseworks.mentoring import mentor_assignments as service
from caseworks.mentoring.mentoring_models import AssignmentQuery

LIST_PARAMETERS = frozenset(AssignmentQuery.model_fields)
# The list's sortable columns, by the sort names the list takes (`AssignmentSort`).
SORTABLE = ("assigned_date", "last_contact_date", "created_at")
# An export of assignments: the columns the API's export writes (and an import reads).
ASSIGNMENT_COLUMNS = export_columns("assignments")


def problem_page(
    page: PageRequest, status: int, why: str | None = None, names: Sequence[str] = ()
) -> Response:
    """The console's answer to a refusal: 403, 404, or 400 saying ``why`` (a message the
    template words) and naming the parameters or fields ``names``."""
    context = {"status": status, "why": why, "names": ", ".join(names)}
    return render(page, "assignment_problem.html", context, status=status)


def refusal(page: PageRequest, error: ServiceError) -> Response:
    """A service's refusal as a page: 404 says nothing of the record, 403 that it is not theirs
    to do."""
    if isinstance(error, NotFound):
        return problem_page(page, 404)
    if isinstance(error, Forbidden):
        return problem_page(page, 403)
    return problem_page(page, error.status, "refused")


def agency_zone(page: PageRequest) -> ZoneInfo:
    """The agency's time zone, which the session carries (days on forms are its days)."""
    return ZoneInfo(page.time_zone)


def today_in(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()


def unknown_parameters(page: PageRequest, taken: frozenset[str]) -> list[str]:
    """The query's parameters a page does not take (it refuses them, 400, never ignores)."""
    return sorted(set(page.request.query_params) - taken)


def caller_of(page: PageRequest) -> Principal:
    assert page.principal is not None  # the pages all declare roles: never reached signed out
    return page.principal


# --- the list ------------------------------------------------------------------------------------


class ListQuery:
    """The list's query as sent (blank filters mean no filter), read by `AssignmentQuery`."""

    def __init__(self, query_string: str) -> None:
        pairs = parse_qsl(query_string, keep_blank_values=True)
        self.format = next((value for name, value in reversed(pairs) if name == "format"), None)
        self.unknown = sorted({name for name, _ in pairs} - LIST_PARAMETERS - {"format"})
        self.sent = {name: value for name, value in pairs if value != "" and name != "format"}

    def link(self, **changes: Any) -> str:
        values = {**self.sent, **{name: str(value) for name, value in changes.items()}}
        values = {name: value for name, value in values.items() if value not in ("", "None")}
        return "/assignments" + (f"?{urlencode(values)}" if values else "")


async def assignments_list(page: PageRequest) -> Response:
    caller = caller_of(page)
    if not policy.may_read_mentoring(caller):
        return problem_page(page, 403)
    asked = ListQuery(page.request.url.query)
    if asked.unknown:
        return problem_page(page, 400, "unknown_parameter", asked.unknown)
    try:
        query = AssignmentQuery.model_validate(asked.sent)
    except ValidationError as invalid:
        names = sorted({str(error["loc"][0]) for error in invalid.errors() if error["loc"]})
        return problem_page(page, 400, "invalid_value", names)
    if asked.format not in (None, "html", "csv"):
        return problem_page(page, 400, "invalid_value", ["format"])
    now = now_of(page.request)
    try:
        if asked.format == "csv":
            paged = sorted({"page", "limit"} & set(asked.sent))
            if paged:
                return problem_page(page, 400, "not_with_csv", paged)
            return await exported(page, caller, query, now)
        listed = await service.list_assignments(
            page.state.db,
            caller,
            service.chosen_filters(query),
            query.sort,
            query.request,
            query.stale,
            now,
        )
    except ServiceError as error:
        return refusal(page, error)
    number = query.page
    return render(
        page,
        "assignments_list.html",
        {
            "rows": listed.items,
            "query": query,
            "sent": asked.sent,
            "total": listed.total,
            "sorts": _sort_links(asked, query.sort),
            "previous": asked.link(page=number - 1) if number > 1 else None,
            "next": asked.link(page=number + 1) if number < listed.total_pages else None,
            "export": asked.link(page="", limit="", format="csv"),
            "may_bulk_reassign": policy.may_manage_assignments(caller),
        },
    )


async def exported(
    page: PageRequest, caller: Principal, query: AssignmentQuery, now: datetime
) -> Response:
    """Every assignment the list's filters choose, as the API's export writes them (its
    service, columns and layout), streamed; the first batch read before the answer starts, so
    a refusal is still a page."""
    batches = service.export_assignments(
        page.state.db,
        caller,
        service.chosen_filters(query),
        query.sort,
        ASSIGNMENT_COLUMNS,
        query.stale,
        now,
    )
    first = await anext(batches, None)
    layout = csv_writing.layout("assignments")

    async def body() -> AsyncIterator[str]:
        try:
            yield layout.header() + (layout.rows(first) if first is not None else "")
            async for batch in batches:
                yield layout.rows(batch)
        finally:  # a client gone, or an error: the cursor and its connection go back now
            if isinstance(batches, AsyncGenerator):
                await batches.aclose()

    return StreamingResponse(
        body(),
        media_type=csv_writing.MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="assignments.csv"'},
    )


def _sort_links(asked: ListQuery, sort: str) -> dict[str, dict[str, str | None]]:
    """Per sortable column: the link that sorts by it (the other way round when it is the
    sort already) and its `aria-sort`."""
    links: dict[str, dict[str, str | None]] = {}
    for column in SORTABLE:
        current = "ascending" if sort == column else "descending" if sort == f"-{column}" else None
        flipped = f"-{column}" if current == "ascending" else column
        links[column] = {"href": asked.link(sort=flipped, page=""), "aria_sort": current}
    return links


# --- the record ----------------------------------------------------------------------------------

# The confirmation shown after a change (`?done=`), the record's one parameter.
RECORD_PARAMETERS = frozenset({"done"})


async def assignment_record(page: PageRequest) -> Response:
    caller = caller_of(page)
    assignment_id = page.request.path_params["assignment_id"]
    unknown = unknown_parameters(page, RECORD_PARAMETERS)
    if unknown:
        return problem_page(page, 400, "unknown_parameter", unknown)
    try:
        row = await service.get_assignment(page.state.db, caller, assignment_id)
    except ServiceError as error:
        return refusal(page, error)
    timeline = None
    if policy.may_manage_assignments(caller):
        events = await service.assignment_timeline(page.state.db, caller, assignment_id)
        timeline = [timeline_entry(event) for event in events]
    return render(
        page,
        "assignment_record.html",
        {
            "assignment": row,
            "timeline": timeline,
            "may_log_contact": policy.may_log_contact(caller, row["status"]),
            "may_manage": policy.may_manage_assignments(caller),
            "notice": page.request.query_params.get("done"),
        },
    )


def timeline_entry(event: Row) -> dict[str, Any]:
    """One event as the timeline shows it: who (name, else role), when (in the agency's time
    zone), what (the action, named in the template) and why (its reason)."""
    details = event["details"] or {}
    return {
        "who": event["actor_name"],
        "role": event["actor_role"],
        "when": event["occurred_at"],
        "action": event["action"],
        "from_status": event["from_status"],
        "to_status": event["to_status"],
        "reason": event["reason"],
        "override": bool(details.get("capacity_override")),
        "fields": details.get("fields", []),
        "mentor_id": details.get("mentor_id"),
        "next_assignment_id": details.get("next_assignment_id"),
        "previous_assignment_id": details.get("previous_assignment_id"),
    }
