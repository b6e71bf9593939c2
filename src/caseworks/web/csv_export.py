"""A list as one CSV file: every row that matches its filters, streamed, not one page.

An endpoint opts in with ``export=Export(kind, rows)`` on its declaration (`web/endpoints.py`);
``rows`` asks the service for the list's rows in batches, with the same scope, filters and order
as the list. The request asks for CSV by ``format=csv`` or by an ``Accept`` header naming
``text/csv`` and no JSON type (``format=json``, the default, wins over the header). Every
declared parameter of the list means what it means for the list, except the page's: an export
holds every row, so ``page``/``limit`` (``page[number]``/``page[size]``) with CSV are refused,
400 naming each, rather than ignored; so is ``include`` (a file has no related records).

The first batch is read before the answer starts, so what goes wrong before it (404, 403, a
database outage) is answered in the surface's own error format. Once the first bytes are sent
the status cannot change: an error after that aborts the connection, so the client sees a
truncated transfer (no final chunk) instead of a file that looks whole.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from starlette.responses import Response, StreamingResponse
from starlette.types import Scope

from caseworks.core.errors import BadRequest, FieldProblem, Invalid, ProblemList
from caseworks.csvio import csv_writing
from caseworks.db.base import StreamedRows

if TYPE_CHECKING:
    from caseworks.web.endpoints import Call

FORMAT = "format"
FORMATS = ("json", "csv")
CSV_MEDIA_TYPE = "text/csv"
# The page's parameters on either surface, and the related records a compound document
# includes: with CSV they would mean nothing, so they are refused rather than ignored.
PAGING = frozenset({"page", "limit", "page[number]", "page[size]"})
INCLUDING = frozenset({"include", "included"})
_CSV = CSV_MEDIA_TYPE.encode()
_JSON_TYPES = (b"application/json", b"application/vnd.api+json", b"+json")

# A stream's batches, or (a short list such as an assignment's events) rows read by name.
RowBatches = AsyncIterator[StreamedRows | Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class Export:
    """How a list answers as CSV: ``kind`` names its columns (`csvio.csv_columns`), ``rows``
    gives its rows in batches for a call whose query was read by the list's own model."""

    kind: str
    rows: Callable[[Call], RowBatches]

    @property
    def filename(self) -> str:
        return f"{self.kind}.csv"


def _accepts_csv(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept":
            lowered = value.lower()
            return _CSV in lowered and not any(kind in lowered for kind in _JSON_TYPES)
    return False


@dataclass(frozen=True)
class FormatAsked:
    """The ``format`` a query string gives, and the names of its other parameters."""

    value: str
    others: tuple[str, ...]


def take_format(query_string: bytes) -> tuple[FormatAsked | None, bytes]:
    """The ``format`` of a query string (None without one), and the query string without it,
    for the list's own model (which does not know it). The other parameters are kept byte for
    byte, as sent: nothing is decoded and encoded again."""
    if FORMAT.encode() not in query_string and b"%" not in query_string:
        return None, query_string  # the common case: no parsing at all
    value: str | None = None
    kept: list[bytes] = []
    others: list[str] = []
    for segment in query_string.split(b"&"):
        raw_name, _, raw_value = segment.partition(b"=")
        name = unquote_plus(raw_name.decode("latin-1"))
        if name == FORMAT:
            value = unquote_plus(raw_value.decode("latin-1"))  # the last one, as elsewhere
            continue
        kept.append(segment)
        if segment:
            others.append(name)
    if value is None:
        return None, query_string
    return FormatAsked(value, tuple(others)), b"&".join(kept)


def wants_csv(scope: Scope, asked: FormatAsked | None, jsonapi: bool) -> bool:
    """Whether the request asks for CSV: by ``format``, else by its ``Accept`` header. Checked
    once the list's own model has read the rest (so an unknown name is 400 first): a wrong
    ``format`` is 422 (the mentoring API) or 400 (JSON:API) naming it; the page's parameters
    with CSV are 400 naming each."""
    if asked is None:
        return _accepts_csv(scope)
    if asked.value not in FORMATS:
        detail = f"must be one of {', '.join(FORMATS)}"
        problem = [FieldProblem(detail, parameter=FORMAT)]
        message = f"{FORMAT} {detail}"
        raise BadRequest(message, problem) if jsonapi else Invalid(message, problem)
    if asked.value == "csv":
        _refuse_unused(asked.others)
        return True
    return False


def _refuse_unused(names: tuple[str, ...]) -> None:
    problems = ProblemList()
    for name in names:
        if name in PAGING or name.startswith("page["):
            detail = "is not taken with format=csv: an export holds every row, not a page"
            problems.append(FieldProblem(detail, parameter=name))
        elif name in INCLUDING:
            detail = "is not taken with format=csv: related records are exported from their lists"
            problems.append(FieldProblem(detail, parameter=name))
    if problems:
        shown = ", ".join(str(problem.parameter) for problem in problems.items)
        raise BadRequest(f"not taken with format=csv: {shown}", problems)


async def csv_response(export: Export, call: Call) -> Response:
    """The list's rows as a streamed CSV attachment, once its first batch is read."""
    batches = export.rows(call)
    layout = csv_writing.layout(export.kind)
    try:
        first = await anext(batches, None)
    except BaseException:
        await _close(batches)
        raise

    if call.scope.get("state", {}).get("head"):  # the GET's status and headers, no rows read
        await _close(batches)
        return _attachment(_nothing(), export)

    async def body() -> AsyncIterator[bytes]:
        try:
            head = layout.header()
            yield (head + layout.rows(first)).encode() if first is not None else head.encode()
            async for batch in batches:
                yield layout.rows(batch).encode()
        finally:  # a client gone, or an error: the cursor and its connection go back now
            await _close(batches)

    return _attachment(body(), export)


def _attachment(body: AsyncIterator[bytes], export: Export) -> Response:
    return StreamingResponse(
        body,
        media_type=csv_writing.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # an async generator that yields nothing


async def _close(batches: RowBatches) -> None:
    if isinstance(batches, AsyncGenerator):
        await batches.aclose()


def openapi_parameter() -> dict[str, Any]:
    return {
        "name": FORMAT,
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
        "description": (
            "`csv`: every row that matches the filters as one CSV file (header row first),"
            " streamed; the page's parameters are then refused. `Accept: text/csv` asks the"
            " same."
        ),
    }


def openapi_content(kind: str) -> dict[str, Any]:
    columns = ", ".join(csv_writing.layout(kind).columns)
    return {
        CSV_MEDIA_TYPE: {
            "schema": {"type": "string", "description": f"CSV with the columns {columns}."}
        }
    }
