"""The overview's charts: bars in proportion, over-capacity told apart by more than colour, an
empty state instead of a broken SVG, every label escaped, and a table of the same figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from caseworks.console.charts import (
    ChartLabels,
    MentorLoad,
    MonthFlow,
    capacity_chart,
    flow_chart,
)

SVG = "{http://www.w3.org/2000/svg}"

CAPACITY = ChartLabels(
    title="Open assignments per mentor",
    description="Each bar is a mentor's open assignments; the tick is the limit.",
    empty="No mentors yet.",
    table_summary="The figures as a table",
    name_header="Mentor",
    first_series="Open",
    second_series="Limit",
    no_limit="no limit",
    over_limit="over capacity",
)
FLOW = ChartLabels(
    title="Opened and closed per month",
    description="Assignments opened and closed in each of the last twelve months.",
    empty="Nothing opened or closed yet.",
    table_summary="The figures as a table",
    name_header="Month",
    first_series="Opened",
    second_series="Closed",
)


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 — our own output, parsed to be checked


def bars(figure: ET.Element) -> list[ET.Element]:
    return [rect for rect in figure.iter(f"{SVG}rect") if "bar" in rect.get("class", "")]


def table_rows(figure: ET.Element) -> list[list[str]]:
    body = figure.find(".//tbody")
    assert body is not None
    return [[cell.text or "" for cell in row] for row in body]


def test_capacity_bars_are_in_proportion_to_the_open_counts() -> None:
    rows = [MentorLoad("Ada", 6, 8), MentorLoad("Bo", 3, 8), MentorLoad("Cy", 0, 8)]
    widths = [float(bar.get("width", "")) for bar in bars(parsed(capacity_chart(rows, CAPACITY)))]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0


def test_the_limit_is_a_tick_at_its_own_scale() -> None:
    figure = parsed(capacity_chart([MentorLoad("Ada", 4, 8)], CAPACITY))
    (bar,) = bars(figure)
    (tick,) = [line for line in figure.iter(f"{SVG}line") if line.get("class") == "limit"]
    start = float(bar.get("x", ""))
    assert float(tick.get("x1", "")) - start == 2 * float(bar.get("width", ""))


def test_an_over_capacity_bar_is_hatched_and_labelled_not_only_coloured() -> None:
    figure = parsed(capacity_chart([MentorLoad("Ada", 9, 8), MentorLoad("Bo", 2, 8)], CAPACITY))
    over, within = bars(figure)
    assert over.get("fill", "").startswith("url(#")
    assert not within.get("fill", "").startswith("url(")
    values = [text.text or "" for text in figure.iter(f"{SVG}text") if text.get("class")]
    assert values == ["9/8 over capacity", "2/8"]


def test_a_mentor_without_a_limit_is_shown_as_such() -> None:
    figure = parsed(capacity_chart([MentorLoad("Ada", 5, None)], CAPACITY))
    assert not [line for line in figure.iter(f"{SVG}line") if line.get("class") == "limit"]
    assert table_rows(figure) == [["Ada", "5", "no limit"]]
    assert "no limit" in ET.tostring(figure, encoding="unicode")


def test_the_svg_is_an_image_named_by_its_title_and_description() -> None:
    figure = parsed(capacity_chart([MentorLoad("Ada", 1, 2)], CAPACITY))
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == CAPACITY.title
    caption = figure.find("figcaption")
    assert caption is not None
    assert caption.text == CAPACITY.title


def test_the_table_holds_the_capacity_figures() -> None:
    rows = [MentorLoad("Ada", 9, 8), MentorLoad("Bo", 2, None)]
    figure = parsed(capacity_chart(rows, CAPACITY))
    assert table_rows(figure) == [["Ada", "9", "8"], ["Bo", "2", "no limit"]]
    assert [bar.get("data-value") for bar in bars(figure)] == ["9", "2"]


def test_no_mentors_give_an_empty_state_not_a_broken_svg() -> None:
    figure = parsed(capacity_chart([], CAPACITY))
    assert figure.find(f"{SVG}svg") is None
    message = figure.find("p")
    assert message is not None
    assert message.text == "No mentors yet."


def test_labels_and_names_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & Co'
    labels = ChartLabels(**{**CAPACITY.__dict__, "title": hostile})
    markup = str(capacity_chart([MentorLoad(hostile, 1, 2)], labels))
    assert "<script>" not in markup
    figure = parsed(markup)
    assert table_rows(figure)[0][0] == hostile
    caption = figure.find("figcaption")
    assert caption is not None
    assert caption.text == hostile


def test_the_output_is_deterministic() -> None:
    rows = [MentorLoad("Ada", 3, 4)]
    assert capacity_chart(rows, CAPACITY) == capacity_chart(rows, CAPACITY)
    months = [MonthFlow("jan.", 1, 2)]
    assert flow_chart(months, FLOW) == flow_chart(months, FLOW)


def test_flow_bars_are_in_proportion_and_in_month_order() -> None:
    months = [MonthFlow("Jan", 10, 5), MonthFlow("Feb", 0, 20), MonthFlow("Mar", 4, 4)]
    figure = parsed(flow_chart(months, FLOW))
    heights = {
        (bar.get("class"), bar.get("data-value")): float(bar.get("height", ""))
        for bar in bars(figure)
    }
    assert heights[("bar opened", "10")] == 2 * heights[("bar closed", "5")]
    assert heights[("bar closed", "20")] == 200  # the tallest fills the plot
    assert heights[("bar opened", "0")] == 0
    assert table_rows(figure) == [["Jan", "10", "5"], ["Feb", "0", "20"], ["Mar", "4", "4"]]


def test_flow_month_labels_come_from_the_caller_escaped() -> None:
    figure = parsed(flow_chart([MonthFlow("<mai>", 1, 1)], FLOW))
    labels = [text.text for text in figure.iter(f"{SVG}text")]
    assert "<mai>" in labels


def test_no_months_give_an_empty_state() -> None:
    figure = parsed(flow_chart([], FLOW))
    assert figure.find(f"{SVG}svg") is None
    assert "Nothing opened or closed yet." in ET.tostring(figure, encoding="unicode")


def test_a_flow_of_only_zeros_draws_flat_bars_not_a_division_by_zero() -> None:
    figure = parsed(flow_chart([MonthFlow("Jan", 0, 0)], FLOW))
    assert [float(bar.get("height", "")) for bar in bars(figure)] == [0, 0]


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


def test_every_colour_meets_wcag_aa_against_white() -> None:
    from caseworks.console import charts

    assert contrast_with_white(charts.INK) >= 4.5  # text
    for colour in (charts.OPEN_COLOUR, charts.OVER_COLOUR, charts.CLOSED_COLOUR):
        assert contrast_with_white(colour) >= 4.5  # bars, and their legend text beside them
