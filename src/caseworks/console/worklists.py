"""The coordinator's worklists: `/stale` (stale assignments, oldest contact first) and
`/waiting` (contacts with no mentor, longest waiting first). Each reads its query with the API
list's own model, refuses names it does not take, and exports the same rows as CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from starlette.responses import Response, StreamingResponse

from caseworks.auth.policy import is_manager
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render
from caseworks.console.sessions import now_of
from caseworks.csvio import csv_writing
from caseworks.csvio.csv_columns import export_columns
from caseworks.mentoring import mentor_assignments, people
from caseworks.mentoring.mentoring_models import AssignmentQuery, ContactQuery

ASSIGNMENT_COLUMNS = export_columns("assignments")
Query = TypeVar("Query", bound=BaseModel)
FORMAT = "format"
# Names a page's query may hold besides its model's: the export switch.
_PAGE_ONLY = frozenset({FORMAT})


class QueryRefused(Exception):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.name = name
        self.detail = detail


def read_query(model: type[Query], page: PageRequest, refused: frozenset[str]) -> Query:
    """The page's query as the list's model reads it; a name it does not take (or one the page
    fixes itself, ``refused``) or a wrong value is `QueryRefused` naming it."""
    params = dict(page.request.query_params)
    for name in params:
        if name in refused or (name not in model.model_fields and name not in _PAGE_ONLY):
            raise QueryRefused(name, "is not taken here")
    try:
        return model.model_validate({k: v for k, v in params.items() if k not in _PAGE_ONLY})
    except ValidationError as error:
        first = error.errors()[0]
        raise QueryRefused(".".join(str(part) for part in first["loc"]), first["msg"]) from None


def _refused(page: PageRequest, refused: QueryRefused) -> Response:
    return render(page, "query_refused.html", {"refused": refused}, status=400)


def wants_csv(page: PageRequest) -> bool:
    asked = page.request.query_params.get(FORMAT)
    if asked not in (None, "csv", "html"):
        raise QueryRefused(FORMAT, "must be csv or html")
    return asked == "csv"


def csv_download(kind: str, batches: AsyncIterator[Sequence[Mapping[str, Any]]]) -> Response:
    """The list's rows as the API's export writes them (same columns, same writer)."""
    layout = csv_writing.layout(kind)

    async def body() -> AsyncIterator[bytes]:
        yield layout.header().encode()
        async for batch in batches:
            yield layout.rows(batch).encode()

    return StreamingResponse(
        body(),
        media_type=csv_writing.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
    )


def page_links(page: PageRequest, number: int, pages: int) -> dict[str, str | None]:
    """The Previous and Next links: the same query, another page."""
    params = dict(page.request.query_params)

    def link(to: int) -> str:
        return page.request.url.path + "?" + urlencode({**params, "page": str(to)})

    return {
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < pages else None,
    }


def export_link(page: PageRequest) -> str:
    params = {k: v for k, v in page.request.query_params.items() if k not in ("page", "limit")}
    return page.request.url.path + "?" + urlencode({**params, FORMAT: "csv"})


STALE_SORT = "last_contact_date"  # oldest contact first


async def stale_worklist(page: PageRequest) -> Response:
    assert page.principal is not None
    try:
        query = read_query(AssignmentQuery, page, frozenset({"stale"}))
        csv = wants_csv(page)
        if csv and ({"page", "limit"} & set(page.request.query_params)):
            raise QueryRefused("page", "is not taken with format=csv: an export holds every row")
    except QueryRefused as refused:
        return _refused(page, refused)
    sort = query.sort if "sort" in query.model_fields_set else STALE_SORT
    filters = mentor_assignments.chosen_filters(query)
    db, caller, now = page.state.db, page.principal, now_of(page.request)
    if csv:
        rows = mentor_assignments.export_assignments(
            db, caller, filters, sort, ASSIGNMENT_COLUMNS, True, now
        )
        return csv_download("assignments", rows)
    found = await mentor_assignments.list_assignments(
        db, caller, filters, sort, query.request, True, now
    )
    return render(
        page,
        "stale.html",
        {
            "rows": found.items,
            "total": found.total,
            "sort": sort,
            "links": page_links(page, query.page, _pages(found.total, query.limit)),
            "export": export_link(page),
            "may_bulk_reassign": is_manager(caller),
            "sort_link": lambda key: _sort_link(page, key, sort),
        },
    )


def _sort_link(page: PageRequest, key: str, current: str) -> str:
    params = {k: v for k, v in page.request.query_params.items() if k != "page"}
    params["sort"] = f"-{key}" if current == key else key
    return page.request.url.path + "?" + urlencode(params)


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


async def waiting_worklist(page: PageRequest) -> Response:
    assert page.principal is not None
    try:
        query = read_query(ContactQuery, page, frozenset({"waiting", "sort"}))
        csv = wants_csv(page)
        if csv and ({"page", "limit"} & set(page.request.query_params)):
            raise QueryRefused("page", "is not taken with format=csv: an export holds every row")
    except QueryRefused as refused:
        return _refused(page, refused)
    db, caller = page.state.db, page.principal
    if csv:
        return csv_download("contacts", people.export_waiting_contacts(db, caller))
    found = await people.list_waiting_contacts(db, caller, query.request)
    return render(
        page,
        "waiting.html",
        {
            "rows": found.items,
            "total": found.total,
            "links": page_links(page, query.page, _pages(found.total, query.limit)),
            "export": export_link(page),
        },
    )
