"""The charts as a browser and axe-core see them: no serious or critical violation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import Page

from caseworks.console.charts import MentorLoad, MonthFlow, capacity_chart, flow_chart
from tests.console.test_charts import CAPACITY, FLOW
from tests.support.browser import assert_accessible

Screenshot = Callable[[Page, str], Awaitable[Path]]


async def test_both_charts_pass_axe_and_their_tables_are_readable(
    page: Page, screenshot: Screenshot
) -> None:
    mentors = [MentorLoad("Ada Lovelace", 9, 8), MentorLoad("Bo", 3, 6), MentorLoad("Cy", 2, None)]
    months = [
        MonthFlow(label, opened, closed)
        for label, opened, closed in [("Jan", 4, 2), ("Feb", 6, 3), ("Mar", 1, 5)]
    ]
    await page.set_content(
        '<!doctype html><html lang="en"><head><title>Charts</title></head><body><main>'
        f"<h1>Charts</h1>{capacity_chart(mentors, CAPACITY)}{flow_chart(months, FLOW)}"
        "</main></body></html>"
    )
    await assert_accessible(page)
    image = page.get_by_role("img", name=CAPACITY.title)
    assert await image.count() == 1
    await page.get_by_text(CAPACITY.table_summary).first.click()
    assert await page.get_by_role("cell", name="no limit").is_visible()
    await screenshot(page, "charts")
