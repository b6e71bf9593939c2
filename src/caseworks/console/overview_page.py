"""`/` for admins and supervisors: the caseload overview. Four tiles, each a figure of the
caseload summary that drills through to its list, and two charts with their tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from starlette.responses import Response

from caseworks.console import charts
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render
from caseworks.console.sessions import now_of
from caseworks.console.translations import N_, local_number
from caseworks.mentoring.caseloads import (
    CaseloadCounts,
    capacity_chart_rows,
    caseload_counts,
    monthly_flow,
)

# Each tile: its label (an msgid), the figure it shows, where it drills through to.
TILES = (
    (N_("Open assignments"), "open_assignments", "/assignments?status=open"),
    (N_("Waiting contacts"), "waiting_contacts", "/waiting"),
    (N_("Stale assignments"), "stale_assignments", "/stale"),
    (N_("Mentors over capacity"), "mentors_over_capacity", "/mentors?over_capacity=true"),
)


def tiles(counts: CaseloadCounts, locale: str) -> list[dict[str, Any]]:
    return [
        {"label": label, "count": local_number(getattr(counts, name), locale), "href": href}
        for label, name, href in TILES
    ]


def month_label(month: date, locale: str) -> str:
    """A month and its year as the locale writes them short: "Jun 2026", "juni 2026"."""
    return str(format_date(month, "LLL y", locale=locale))


async def overview(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    db, caller, now = page.state.db, page.principal, now_of(page.request)
    counts = await caseload_counts(db, caller, now)
    loads = await capacity_chart_rows(db, caller)
    months = await monthly_flow(db, caller, now)
    return render(
        page,
        "overview.html",
        {
            "tiles": tiles(counts, page.locale),
            "capacity_rows": [charts.MentorLoad(row.name, row.open, row.limit) for row in loads],
            "flow_rows": [
                charts.MonthFlow(month_label(row.month, page.locale), row.opened, row.closed)
                for row in months
            ],
            "capacity_chart": charts.capacity_chart,
            "flow_chart": charts.flow_chart,
            "ChartLabels": charts.ChartLabels,
        },
    )
