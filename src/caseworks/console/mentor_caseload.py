"""`/` for a mentor: its open assignments, each with a way to log a contact."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from caseworks.auth import policy
from caseworks.console.own_views_query import (
    BadStartPageQuery,
    refused_query_page,
    start_page_request,
)
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render
from caseworks.mentoring import mentor_assignments
from caseworks.mentoring.mentoring_queries import AssignmentFilters

# Oldest contact first (the never-contacted where the database puts NULLs, as the API's list).
CASELOAD_SORT = "last_contact_date"


def log_contact_url(assignment_id: str) -> str:
    """The form to log a contact, coming back to the caseload after saving."""
    return f"/assignments/{quote(assignment_id)}/log-contact?next=/"


async def mentor_caseload(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    if not policy.reads_mentoring(page.principal):
        return render(page, "home_mentor.html", {"caseload": None})
    try:
        wanted = start_page_request(page.request)
    except BadStartPageQuery as refused:
        return refused_query_page(page, refused)
    caseload = await mentor_assignments.list_assignments(
        page.state.db,
        page.principal,
        AssignmentFilters(status="open"),
        CASELOAD_SORT,
        wanted,
    )
    return render(
        page,
        "home_mentor.html",
        {"caseload": caseload, "log_contact_url": log_contact_url},
    )
