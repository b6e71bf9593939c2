"""Reading a console page's HTML in tests with the standard library's parser: the cells of its
tables, its links and its headings, as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Link:
    href: str
    text: str
    attributes: dict[str, str]


@dataclass
class _Read:
    rows: list[list[str]] = field(default_factory=list)  # of every table's tbody, in order
    links: list[Link] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # h1


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.read = _Read()
        self._in_body = False
        self._cell: list[str] | None = None
        self._link: Link | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.read.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "a":
            self._link = Link(attributes.get("href", ""), "", attributes)
        elif tag == "h1":
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.read.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._link is not None:
            self._link.text = " ".join(self._link.text.split())
            self.read.links.append(self._link)
            self._link = None
        elif tag == "h1" and self._heading is not None:
            self.read.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._link is not None:
            self._link.text += data
        if self._heading is not None:
            self._heading.append(data)


def _read(html: str) -> _Read:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.read


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of each body row of the page's tables."""
    return _read(html).rows


def links(html: str, text: str | None = None) -> list[Link]:
    """The page's links, or those whose text is ``text``."""
    found = _read(html).links
    return found if text is None else [link for link in found if link.text == text]


def headings(html: str) -> list[str]:
    """The text of the page's top-level headings."""
    return _read(html).headings
