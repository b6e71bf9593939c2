"""Reading JSON:API requests: content negotiation, the body, and the query parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request

from caseworks.errors import BadRequest, FieldProblem, UnsupportedMediaType
from caseworks.ids import is_valid_id
from caseworks.jsonapi import MEDIA_TYPE
from caseworks.pagination import PageRequest
from caseworks.rest import check_unique_keys

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 20
_ALLOWED_MEDIA_PARAMETERS = {"ext", "profile"}


def check_content_type(content_type: str) -> None:
    """``application/vnd.api+json`` (at most ext/profile parameters) or ``application/json``."""
    media_type, *parameters = [part.strip() for part in content_type.split(";")]
    media_type = media_type.lower()
    if media_type == MEDIA_TYPE:
        names = {
            parameter.split("=", 1)[0].strip().lower() for parameter in parameters if parameter
        }
        if names <= _ALLOWED_MEDIA_PARAMETERS:
            return
    elif media_type == "application/json":
        return
    raise UnsupportedMediaType(
        f"send the body as {MEDIA_TYPE} (parameters other than ext and profile are not supported)",
        [FieldProblem(f"must be {MEDIA_TYPE} or application/json", header="Content-Type")],
    )


async def read_document(request: Request) -> Any:
    """The request body as JSON: 415 for another media type, 400 when it is not JSON."""
    check_content_type(request.headers.get("content-type", ""))
    body = await request.body()
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    check_unique_keys(body)
    return document


def _bad_parameter(name: str, detail: str) -> BadRequest:
    return BadRequest(detail, [FieldProblem(detail, parameter=name)])


def page_request(query: QueryParams) -> PageRequest:
    """``page[number]`` from 1 and ``page[size]`` up to 200; anything else is 400."""
    number = _positive(query, "page[number]", 1, maximum=10_000_000)
    size = _positive(query, "page[size]", DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    return PageRequest(number, size)


def _positive(query: QueryParams, name: str, default: int, maximum: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise _bad_parameter(name, f"{name} must be a whole number from 1 to {maximum}")
    return int(raw)


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.field


def sort_of(query: QueryParams, allowed: Sequence[str]) -> Sort:
    raw = query.get("sort", "created_at")
    field = raw.removeprefix("-")
    if field not in allowed or raw.count("-") > 1 or raw.startswith("--"):
        raise _bad_parameter(
            "sort", f"sort must be one of {', '.join(allowed)}, with - for descending"
        )
    return Sort(field, raw.startswith("-"))


def filter_value(query: QueryParams, name: str) -> str | None:
    """A filter by its bare name (as the seed writes it) or as ``filter[name]``; both at once is
    400, as a parameter given twice is (which of the two was meant?)."""
    value = query.get(name)
    spelled = f"filter[{name}]"
    if spelled not in query:
        return value
    if value is not None:
        raise _bad_parameter(spelled, f"{name} and {spelled} are one filter given twice")
    return query.get(spelled)


def id_filter_value(query: QueryParams, name: str) -> str | None:
    """A filter naming a record: a value no record can have is a mistake, not an empty result."""
    value = filter_value(query, name)
    if value is not None and not is_valid_id(value):
        raise _bad_parameter(name, f"{name} must be a record id")
    return value


def includes(query: QueryParams, allowed: Sequence[str]) -> set[str]:
    raw = query.get("include")
    if not raw:
        return set()
    wanted = {item.strip() for item in raw.split(",") if item.strip()}
    unknown = wanted - set(allowed)
    if unknown:
        raise _bad_parameter(
            "include", f"include supports {', '.join(allowed)}; not {', '.join(sorted(unknown))}"
        )
    return wanted
