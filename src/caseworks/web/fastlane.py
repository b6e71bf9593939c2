"""The fast lane: the hottest read endpoints, answered without the framework's machinery.

A GET to one of these paths is answered here, by the same service function with the same JSON
and the same errors as its FastAPI route, its query string validated by the same Pydantic model.
The route stays the documented definition (OpenAPI) and serves every other request to the path.
On these paths FastAPI's routing, dependency solving and middleware stack cost more CPU than the
database query itself (see docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import URL, QueryParams, State
from starlette.responses import Response
from starlette.types import Scope

from caseworks.auth.principal import Principal
from caseworks.db import Database
from caseworks.web.bearer import authenticate_header
from caseworks.web.origin import origins_of

Query = TypeVar("Query", bound=BaseModel)
# A route's query string: validated by the Pydantic model its FastAPI route declares, handed over
# as parsed parameters ("raw", for routes that read them themselves), or not taken at all (None).
QuerySpec = type[BaseModel] | Literal["raw"] | None


@dataclass(frozen=True)
class FastRequest:
    db: Database
    caller: Principal
    path: dict[str, str]
    query: Any  # the model instance, QueryParams ("raw"), or None
    scope: Scope

    @property
    def url(self) -> URL:
        return origins_of(self.scope).url(self.scope)


FastHandler = Callable[[FastRequest], Awaitable[Response]]


@dataclass(frozen=True)
class FastRoute:
    pattern: re.Pattern[str]
    handler: FastHandler
    query: QuerySpec = None

    @classmethod
    def of(cls, pattern: str, handler: FastHandler, query: QuerySpec = None) -> FastRoute:
        return cls(re.compile(pattern), handler, query)


@dataclass(frozen=True)
class Match:
    route: FastRoute
    params: dict[str, str]


class FastLane:
    def __init__(self, state: State, routes: Sequence[FastRoute]) -> None:
        self._state = state
        self._routes = tuple(routes)

    def match(self, scope: Scope) -> Match | None:
        if scope["method"] != "GET":
            return None
        if any(name == b"origin" for name, _ in scope["headers"]):
            return None  # cross-origin: the framework's CORS handling answers
        path: str = scope["path"]
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found is not None:
                if scope["query_string"] and route.query is None:
                    return None
                return Match(route, found.groupdict())
        return None

    async def respond(self, match: Match, scope: Scope) -> Response:
        authorization = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        client = scope.get("client")
        principal = await authenticate_header(
            self._state, authorization, client[0] if client else None
        )
        spec = match.route.query
        query: Any = None
        if spec == "raw":
            query_string = scope["query_string"]
            query = QueryParams(query_string) if query_string else _NO_QUERY
        elif spec is not None:
            query = _parse_query(spec, scope["query_string"])
        request = FastRequest(self._state.db, principal, match.params, query, scope)
        return await match.route.handler(request)


_NO_QUERY = QueryParams()  # immutable, so one instance serves every request without a query


def _parse_query(model: type[Query], query_string: bytes) -> Query:
    """Decode and validate as FastAPI does: Starlette's parsing, the last of repeated values."""
    try:
        return model.model_validate(dict(QueryParams(query_string)))
    except ValidationError as error:
        raise RequestValidationError(
            [{**problem, "loc": ("query", *problem["loc"])} for problem in error.errors()]
        ) from None
