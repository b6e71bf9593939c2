"""Reading console pages in tests: elements that must be there, and a table's cells."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag


def tag(found: object) -> Tag:
    """``found`` as the element it must be (fails the test if the page has none)."""
    assert isinstance(found, Tag), f"expected an element, found {found!r}"
    return found


def element(html: str, element_id: str) -> Tag:
    """The page's element with this id."""
    return tag(BeautifulSoup(html, "html.parser").find(id=element_id))


def table_rows(html: str, table: int = 0) -> list[list[str]]:
    """The text of each cell of each body row of the page's ``table``-th table."""
    found = tag(BeautifulSoup(html, "html.parser").find_all("table")[table])
    body = tag(found.find("tbody"))
    return [
        [cell.get_text(" ", strip=True) for cell in tag(row).find_all("td")]
        for row in body.find_all("tr")
    ]
