"""What the mentor and contact pages share: reading a list's query by the API list's own model,
its CSV export through the API's export machinery, and the services' refusals as pages (404,
403) or as messages beside a form's fields (422, 409)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from caseworks.console.pages import PageRequest
from caseworks.console.rendering import error_page
from caseworks.console.translations import N_
from caseworks.core.errors import Conflict, Invalid, ServiceError
from caseworks.core.validation import message
from caseworks.web.csv_export import PAGING, Export, RowBatches, csv_response
from caseworks.web.endpoints import Call

FORMAT = "format"


class QueryRefused(Exception):
    """A list's query the list does not take (400 page with this text)."""


# What a record page's address may carry: the confirmation after a save (`?saved=created`).
SAVED = frozenset({"created", "updated"})


def read_saved(page: PageRequest) -> str | None:
    """The confirmation a record page shows after a save; any other parameter is refused."""
    given = dict(page.request.query_params)
    saved = given.pop("saved", None)
    if given:
        raise QueryRefused(f"{next(iter(given))}: {message({'type': 'extra_forbidden'})}")
    if saved is not None and saved not in SAVED:
        raise QueryRefused("saved: must be created or updated")
    return saved


def refuse_any_query(page: PageRequest) -> None:
    """A form page takes no parameters: any is refused, never ignored."""
    for name in page.request.query_params:
        raise QueryRefused(f"{name}: {message({'type': 'extra_forbidden'})}")


def read_list_query(page: PageRequest, model: type[BaseModel]) -> tuple[Any, bool]:
    """The list's query as the API reads it (unknown names refused, values by its model), and
    whether CSV was asked for (``format=csv``, the export link)."""
    # A filter left at its blank choice ("Every mentor") is not chosen, as a blank form field.
    given = {name: value for name, value in page.request.query_params.items() if value.strip()}
    asked = given.pop(FORMAT, "html")
    if asked not in ("html", "csv"):
        raise QueryRefused(f"{FORMAT}: must be csv, or left out")
    unknown = [name for name in given if name not in model.model_fields]
    if unknown:
        raise QueryRefused(f"{unknown[0]}: {message({'type': 'extra_forbidden'})}")
    if asked == "csv" and PAGING & set(given):
        name = sorted(PAGING & set(given))[0]
        raise QueryRefused(f"{name}: an export holds every row, not a page")
    try:
        return model.model_validate(given), asked == "csv"
    except ValidationError as failure:
        error = failure.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        raise QueryRefused(f"{name}: {message(error)}") from None


async def export(
    page: PageRequest, rows: Callable[[Call], RowBatches], kind: str, query: Any
) -> Response:
    """The list's rows as the API's export gives them: the same rows function, the session's
    Principal, the same query."""
    assert page.principal is not None
    request = page.request
    call = Call(page.state, page.principal, {}, query, None, request.scope, request.receive)
    return await csv_response(Export(kind, rows), call)


def list_url(path: str, query: BaseModel, **changes: Any) -> str:
    """``path`` with the query's explicitly chosen parameters, changed by ``changes`` (None
    removes one): the links of sortable headers, pagination and the export."""
    chosen = {name: getattr(query, name) for name in query.model_fields_set}
    chosen.update(changes)
    shown = {
        name: str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in chosen.items()
        if value is not None
    }
    return f"{path}?{urlencode(shown)}" if shown else path


def refusal_page(page: PageRequest, error: ServiceError) -> Response:
    """A refusal the page cannot show beside a field: its status and text in the layout."""
    if error.status == 404:
        return error_page(page, 404, N_("There is no such record."))
    return error_page(page, error.status, error.detail)


def field_messages(error: ServiceError, fields: Mapping[str, Any], id_field: str) -> dict[str, str]:
    """The service's problems by form field (the pointer ``/name`` is field ``name``); a
    conflict on the id is the id field's. Empty when it names no field of the form."""
    if isinstance(error, Conflict):
        return {id_field: "is taken already"} if id_field in fields else {}
    if not isinstance(error, Invalid):
        return {}
    named: dict[str, str] = {}
    for problem in error.problems:
        name = (problem.pointer or "").removeprefix("/").split("/")[0]
        if name in fields:
            named.setdefault(name, problem.detail)
    return named
