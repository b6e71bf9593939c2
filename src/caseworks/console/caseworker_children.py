"""`/` for a caseworker: the children its agency worker is assigned to, read-only."""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from caseworks.auth import policy
from caseworks.childwelfare import records, worker_assignments
from caseworks.childwelfare.childwelfare_models import DEFAULT_ORDER
from caseworks.childwelfare.terms import WorkerRole
from caseworks.console.own_views_query import (
    BadStartPageQuery,
    refused_query_page,
    start_page_request,
)
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render
from caseworks.console.translations import N_

# How each role reads on the page (translated in the template).
ROLE_NAMES = {
    WorkerRole.CASE_CARRYING: N_("Case-carrying"),
    WorkerRole.APPROVALS: N_("Approvals"),
    WorkerRole.SUPPORT: N_("Support"),
    WorkerRole.CBO: N_("Community organisation"),
}


def age_on(born: date | None, day: date) -> int | None:
    """Whole years from ``born`` to ``day`` (None when the date of birth is not known)."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


async def caseworker_children(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    if not policy.reads_child_welfare(page.principal):
        return render(page, "home_caseworker.html", {"children": None})
    try:
        wanted = start_page_request(page.request)
    except BadStartPageQuery as refused:
        return refused_query_page(page, refused)
    db = page.state.db
    children, _ = await records.records_with_included(
        db, page.principal, records.CHILDREN, DEFAULT_ORDER, wanted
    )
    roles = await worker_assignments.own_roles_on_children(
        db, page.principal, [child["id"] for child in children.items]
    )
    today = records.today()
    rows = [
        {
            "name": records.full_name(child) or child["last_name"],
            "date_of_birth": child["date_of_birth"],
            "age": age_on(child["date_of_birth"], today),
            "roles": [ROLE_NAMES[role] for role in roles.get(child["id"], [])],
        }
        for child in children.items
    ]
    return render(page, "home_caseworker.html", {"children": children, "rows": rows})
