"""`/` for admins and supervisors: the caseload overview. Four tiles, each a figure of the
caseload summary that drills through to its list, and two charts with their tables."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from caseworks.console.charts import ChartLabels, MentorLoad, MonthFlow, capacity_chart, flow_chart
from caseworks.console.locale_formats import count_text, month_label, page_locale
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render
from caseworks.core.timestamps import utc_now
from caseworks.mentoring.caseload_overview import (
    CaseloadCounts,
    capacity_chart_rows,
    caseload_counts,
    monthly_flow,
)


def _(text: str) -> str:
    """Marks a string for the catalog; the template translates it when it renders."""
    return text


# Each tile: its label, the figure it shows, where it drills through to.
TILES = (
    (_("Open assignments"), "open_assignments", "/assignments?status=open"),
    (_("Waiting contacts"), "waiting_contacts", "/waiting"),
    (_("Stale assignments"), "stale_assignments", "/stale"),
    (_("Mentors over capacity"), "mentors_over_capacity", "/mentors?over_capacity=true"),
)


def tiles(counts: CaseloadCounts, locale: str) -> list[dict[str, Any]]:
    return [
        {"label": label, "count": count_text(getattr(counts, name), locale), "href": href}
        for label, name, href in TILES
    ]


async def overview(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    db, caller, now = page.state.db, page.principal, utc_now()
    locale = page_locale(page)
    counts = await caseload_counts(db, caller, now)
    loads = await capacity_chart_rows(db, caller)
    months = await monthly_flow(db, caller, now)
    return render(
        page,
        "overview.html",
        {
            "tiles": tiles(counts, locale),
            "capacity_rows": [MentorLoad(row.name, row.open, row.limit) for row in loads],
            "flow_rows": [
                MonthFlow(month_label(row.month, locale), row.opened, row.closed) for row in months
            ],
            "capacity_chart": capacity_chart,
            "flow_chart": flow_chart,
            "ChartLabels": ChartLabels,
        },
    )
