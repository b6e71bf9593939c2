"""The query string the role start pages take: a page number, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from caseworks.console.pages import PageRequest as ConsolePage
from caseworks.console.rendering import render
from caseworks.core.pagination import PageRequest

# A start page shows this many rows at a time (the API lists' default page size).
START_PAGE_SIZE = 20
_MAX_PAGE = 10_000_000


@dataclass(frozen=True, slots=True)
class BadStartPageQuery(Exception):
    """A query parameter the start page does not take, or a page number out of range."""

    parameter: str


def start_page_request(request: Request) -> PageRequest:
    """The page asked for by ``?page=N``; any other parameter, or a page that is not a whole
    number from 1, is refused naming the parameter."""
    for name in request.query_params:
        if name != "page":
            raise BadStartPageQuery(name)
    text = request.query_params.get("page", "1")
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= _MAX_PAGE:
        raise BadStartPageQuery("page")
    return PageRequest(int(text), START_PAGE_SIZE)


def refused_query_page(page: ConsolePage, refused: BadStartPageQuery) -> Response:
    """The 400 page naming the parameter refused."""
    return render(page, "own_views_bad_query.html", {"parameter": refused.parameter}, status=400)
