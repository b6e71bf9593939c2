"""JSON:API documents: resource objects, collections with links and meta, compound documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode

from starlette.datastructures import URL

from caseworks.core.jsonio import dumps
from caseworks.core.pagination import Page
from caseworks.web.jsonapi.negotiation import JSONAPIResponse

Resource = dict[str, Any]
_PAGE = ("page[number]", "page[size]")
_PAGE_NUMBER, _PAGE_SIZE = (quote_plus(name) for name in _PAGE)  # page%5Bnumber%5D, page%5Bsize%5D
# A sort as asked for: (field, "asc" or "desc") pairs in order; None when no sort was asked for.
SortKeys = Sequence[tuple[str, str]] | None


def linkage(kind: str, record_id: str | None) -> dict[str, Any]:
    return {"data": None if record_id is None else {"type": kind, "id": record_id}}


def collection(page: Page, url: URL, sort: SortKeys, resources: list[Resource]) -> dict[str, Any]:
    """A page of resources with ``links`` (absolute, keeping other parameters) and ``meta``.

    ``meta.sort`` is the sort asked for as Binti shows it, field → ``asc``/``desc`` in order
    (``{}`` when none was asked for, whatever order the page then has by default)."""
    last = max(page.total_pages, 1)
    number = page.request.number
    size = page.request.size
    whole = str(url)
    base, _, query = whole.partition("?")
    # The other parameters encoded once (most requests have none); each link then only adds its
    # page, already encoded: the links cost a format each, not an encoding of every parameter.
    kept = [pair for pair in parse_qsl(query, keep_blank_values=True) if pair[0] not in _PAGE]
    prefix = f"{base}?{urlencode(kept)}&" if kept else f"{base}?"
    suffix = f"&{_PAGE_SIZE}={size}"

    def link(to: int) -> str:
        return f"{prefix}{_PAGE_NUMBER}={to}{suffix}"

    return {
        "data": resources,
        "links": {
            "self": whole,
            "first": link(1),
            "prev": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < last else None,
            "last": link(last),
        },
        "meta": {
            "total-records": page.total,
            "page-size": page.request.size,
            "page-number": number,
            "total-pages": page.total_pages,
            "sort": dict(sort) if sort else {},
        },
    }


def response(document: dict[str, Any], status: int = 200) -> JSONAPIResponse:
    return JSONAPIResponse(dumps(document), status_code=status)
