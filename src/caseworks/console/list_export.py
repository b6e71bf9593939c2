"""A list page's **Export CSV** link: the same URL with ``format=csv``, answered by the list's
API ``Export`` (`web/csv_export.py`) for the session's Principal, so the file holds the same rows,
filters and order as the API's export of that list, streamed.

A list page reads its query with `read_list_query` and, when CSV was asked, hands over in one
line::

    asked = read_list_query(page, AssignmentQuery)
    if asked.csv:
        return await export_csv(page, ASSIGNMENT_EXPORT, asked.query)

`csv_link(page)` is the link's URL. An unknown parameter, a wrong ``format``, or the page's
parameters with CSV raise the API's `ServiceError` (400/422 naming the parameter); the page
answers it with its error page (`refused_query`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from caseworks.console.pages import PageRequest
from caseworks.console.rendering import error_page
from caseworks.core.errors import BadRequest, FieldProblem, ProblemList, ServiceError
from caseworks.core.validation import message
from caseworks.web import csv_export
from caseworks.web.csv_export import Export
from caseworks.web.endpoints import Call

UNKNOWN_PARAMETER = "is not a parameter of this list"


@dataclass(frozen=True, slots=True)
class ListAsked:
    """A list page's query, read by the list's own model, and whether it asked for CSV."""

    query: Any
    csv: bool


def read_list_query(page: PageRequest, model: type[BaseModel]) -> ListAsked:
    """The page's query string read by ``model`` (the API list's), unknown names refused."""
    asked, query_string = csv_export.take_format(page.request.scope["query_string"])
    parameters = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    names = {info.alias or name for name, info in model.model_fields.items()}
    unknown = [name for name in parameters if name not in names]
    if unknown:
        problems = ProblemList()
        for name in unknown:
            problems.append(FieldProblem(UNKNOWN_PARAMETER, parameter=name))
        raise BadRequest(f"{', '.join(unknown)}: {UNKNOWN_PARAMETER}", problems)
    try:
        query = model.model_validate(parameters)
    except ValidationError as failure:
        first = failure.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "query"
        detail = message(first)
        raise BadRequest(f"{name}: {detail}", [FieldProblem(detail, parameter=name)]) from None
    return ListAsked(query, csv_export.wants_csv(page.request.scope, asked, jsonapi=False))


async def export_csv(
    page: PageRequest, export: Export, query: Any, path: Mapping[str, str] | None = None
) -> Response:
    """The list's rows as the API's export of it streams them, for the signed-in caller.
    ``path`` holds the list's path parameters (a mentor's assignments: ``mentor_id``)."""
    principal = page.principal
    assert principal is not None, "an export needs a session"
    request = page.request
    call = Call(
        page.state, principal, dict(path or {}), query, None, request.scope, request.receive
    )
    return await csv_export.csv_response(export, call)


def csv_link(page: PageRequest) -> str:
    """The page's own URL with ``format=csv`` (and without its paging, which CSV refuses)."""
    kept = [
        (name, value)
        for name, value in parse_qsl(page.request.url.query, keep_blank_values=True)
        if name != csv_export.FORMAT and name not in csv_export.PAGING
    ]
    return f"{page.request.url.path}?{urlencode([*kept, (csv_export.FORMAT, 'csv')])}"


def refused_query(page: PageRequest, error: ServiceError) -> Response:
    """The error page (400 or 422, as the API answers) for a list query the list's model
    refused, naming the parameter."""
    return error_page(page, error.status, str(error))
