"""The overview's two charts as inline SVG drawn on the server, each with a table of the same
figures for screen readers.

Pure functions: plain values in, `Markup` out. Every word comes from the caller's `ChartLabels`
(so it can be translated) and every label is escaped (mentors' names come from users). The
colours meet WCAG AA against white: text ≥ 4.5:1, bars and marks ≥ 3:1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Contrast against white: #1f5f99 7.0:1, #a3261b 7.4:1, #1b6e3c 6.2:1, #222222 15.9:1.
OPEN_COLOUR = "#1f5f99"
OVER_COLOUR = "#a3261b"
CLOSED_COLOUR = "#1b6e3c"
INK = "#222222"

WIDTH = 640
NAME_COLUMN = 180  # room for a mentor's name left of the bars
VALUE_COLUMN = 150  # room right of the bars for "9/8 over capacity" and its translations
ROW_HEIGHT = 24
BAR_HEIGHT = 14
PLOT_HEIGHT = 200


@dataclass(frozen=True)
class MentorLoad:
    """One mentor's open assignments and case-carrying limit (None: no limit)."""

    name: str
    open: int
    limit: int | None


@dataclass(frozen=True)
class MonthFlow:
    """Assignments opened and closed in one month; ``label`` is already localised."""

    label: str
    opened: int
    closed: int


@dataclass(frozen=True)
class ChartLabels:
    """Every word a chart shows, in the reader's language."""

    title: str
    description: str
    empty: str  # shown instead of a chart when there is nothing to draw
    table_summary: str  # the <summary> of the details holding the table
    name_header: str  # first column: "Mentor" or "Month"
    first_series: str  # "Open" or "Opened"
    second_series: str  # "Limit" or "Closed"
    no_limit: str = ""  # capacity chart: a mentor without a limit
    over_limit: str = ""  # capacity chart: the mark beside an over-capacity bar


def capacity_chart(
    rows: Sequence[MentorLoad], labels: ChartLabels, chart_id: str = "capacity-chart"
) -> Markup:
    """Horizontal bars of open assignments per mentor, a tick at each mentor's limit; a bar over
    its limit is hatched, red and labelled, so it is told apart by more than colour."""
    if not rows:
        return _empty(labels, chart_id)
    scale_max = max(max(row.open, row.limit or 0) for row in rows) or 1
    plot_width = WIDTH - NAME_COLUMN - VALUE_COLUMN
    height = ROW_HEIGHT * len(rows) + 8
    parts = [
        _svg_open(chart_id, labels, height),
        _hatch(chart_id),
    ]
    for index, row in enumerate(rows):
        parts.append(_capacity_row(row, index, scale_max, plot_width, labels, chart_id))
    parts.append("</svg>")
    table_rows = [
        (row.name, str(row.open), labels.no_limit if row.limit is None else str(row.limit))
        for row in rows
    ]
    return _figure(chart_id, labels, "".join(parts), table_rows)


def _hatch(chart_id: str) -> str:
    """White stripes over the over-capacity colour: visible without seeing colour."""
    return (
        f'<defs><pattern id="{escape(chart_id)}-hatch" width="6" height="6"'
        ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{OVER_COLOUR}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>'
    )


def _capacity_row(
    row: MentorLoad,
    index: int,
    scale_max: int,
    plot_width: int,
    labels: ChartLabels,
    chart_id: str,
) -> str:
    top = 4 + index * ROW_HEIGHT
    bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) // 2
    text_y = top + ROW_HEIGHT // 2 + 4
    width = round(plot_width * row.open / scale_max)
    over = row.limit is not None and row.open > row.limit
    fill = f"url(#{escape(chart_id)}-hatch)" if over else OPEN_COLOUR
    bar_end = NAME_COLUMN + width
    parts = [
        f'<g class="mentor{" over" if over else ""}">',
        f'<text x="{NAME_COLUMN - 8}" y="{text_y}" text-anchor="end" fill="{INK}"'
        f' font-size="12">{escape(row.name)}</text>',
        f'<rect class="bar" x="{NAME_COLUMN}" y="{bar_top}" width="{width}"'
        f' height="{BAR_HEIGHT}" fill="{fill}" data-value="{row.open}"/>',
    ]
    if row.limit is None:
        note = f"{row.open} · {escape(labels.no_limit)}"
    else:
        limit_x = NAME_COLUMN + round(plot_width * row.limit / scale_max)
        parts.append(
            f'<line class="limit" x1="{limit_x}" y1="{top + 1}" x2="{limit_x}"'
            f' y2="{top + ROW_HEIGHT - 1}" stroke="{INK}" stroke-width="2"'
            f' data-value="{row.limit}"/>'
        )
        note = f"{row.open}/{row.limit}"
        if over:
            note += f" {escape(labels.over_limit)}"
        bar_end = max(bar_end, limit_x)
    parts.append(
        f'<text class="value" x="{bar_end + 6}" y="{text_y}" fill="{INK}"'
        f' font-size="12">{note}</text></g>'
    )
    return "".join(parts)


def flow_chart(
    months: Sequence[MonthFlow], labels: ChartLabels, chart_id: str = "flow-chart"
) -> Markup:
    """Grouped vertical bars: assignments opened and closed in each month given (the caller
    passes the last twelve, oldest first)."""
    if not months:
        return _empty(labels, chart_id)
    scale_max = max(max(month.opened, month.closed) for month in months) or 1
    left, bottom_room, legend_room = 40, 40, 24
    slot = (WIDTH - left) / len(months)
    bar_width = max(2.0, slot * 0.35)
    height = PLOT_HEIGHT + bottom_room + legend_room
    baseline = legend_room + PLOT_HEIGHT
    parts = [
        _svg_open(chart_id, labels, height),
        _legend(labels),
        f'<line x1="{left}" y1="{baseline}" x2="{WIDTH}" y2="{baseline}" stroke="{INK}"/>',
        f'<text x="{left - 6}" y="{legend_room + 10}" text-anchor="end" fill="{INK}"'
        f' font-size="11">{scale_max}</text>',
    ]
    for index, month in enumerate(months):
        x = left + index * slot + slot * 0.1
        for offset, value, colour, kind in (
            (0.0, month.opened, OPEN_COLOUR, "opened"),
            (bar_width, month.closed, CLOSED_COLOUR, "closed"),
        ):
            bar_height = round(PLOT_HEIGHT * value / scale_max, 1)
            parts.append(
                f'<rect class="bar {kind}" x="{x + offset:.1f}" y="{baseline - bar_height:.1f}"'
                f' width="{bar_width:.1f}" height="{bar_height:.1f}" fill="{colour}"'
                f' data-value="{value}"/>'
            )
        parts.append(
            f'<text x="{x + bar_width:.1f}" y="{baseline + 16}" text-anchor="middle"'
            f' fill="{INK}" font-size="11">{escape(month.label)}</text>'
        )
    parts.append("</svg>")
    table_rows = [(month.label, str(month.opened), str(month.closed)) for month in months]
    return _figure(chart_id, labels, "".join(parts), table_rows)


def _legend(labels: ChartLabels) -> str:
    return (
        f'<g class="legend"><rect x="40" y="4" width="12" height="12" fill="{OPEN_COLOUR}"/>'
        f'<text x="58" y="14" fill="{INK}" font-size="12">{escape(labels.first_series)}</text>'
        f'<rect x="200" y="4" width="12" height="12" fill="{CLOSED_COLOUR}"/>'
        f'<text x="218" y="14" fill="{INK}" font-size="12">{escape(labels.second_series)}'
        "</text></g>"
    )


def _svg_open(chart_id: str, labels: ChartLabels, height: int) -> str:
    cid = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" aria-labelledby="{cid}-title {cid}-desc">'
        f'<title id="{cid}-title">{escape(labels.title)}</title>'
        f'<desc id="{cid}-desc">{escape(labels.description)}</desc>'
    )


def _figure(
    chart_id: str, labels: ChartLabels, svg: str, rows: Sequence[tuple[str, str, str]]
) -> Markup:
    header = "".join(
        f'<th scope="col">{escape(text)}</th>'
        for text in (labels.name_header, labels.first_series, labels.second_series)
    )
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th><td>{escape(first)}</td>'
        f"<td>{escape(second)}</td></tr>"
        for name, first, second in rows
    )
    return Markup(  # noqa: S704 — every piece above is escaped or a fixed literal
        f'<figure class="chart" id="{escape(chart_id)}">{svg}'
        f"<figcaption>{escape(labels.title)}</figcaption>"
        f"<details><summary>{escape(labels.table_summary)}</summary>"
        f"<table><caption>{escape(labels.title)}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{body}</tbody></table></details></figure>"
    )


def _empty(labels: ChartLabels, chart_id: str) -> Markup:
    return Markup(  # noqa: S704 — escaped
        f'<figure class="chart empty" id="{escape(chart_id)}">'
        f"<figcaption>{escape(labels.title)}</figcaption>"
        f'<p class="empty">{escape(labels.empty)}</p></figure>'
    )
