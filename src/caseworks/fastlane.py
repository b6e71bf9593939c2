"""The fast lane: the hottest read endpoints, answered without the framework's machinery.

A GET with no query string to one of these paths is answered here, by the same service function
with the same JSON and the same errors as its FastAPI route. The route stays the documented
definition (OpenAPI) and serves every other request to the path: with a query string, another
method. On these paths FastAPI's routing, dependency solving and middleware stack cost more CPU
than the database query itself (see the README's Performance section).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.datastructures import State
from starlette.responses import Response
from starlette.types import Scope

from caseworks.auth.http import authenticate_header
from caseworks.auth.principal import Principal
from caseworks.db import Database

FastHandler = Callable[[Database, Principal, dict[str, str]], Awaitable[Response]]


@dataclass(frozen=True)
class FastRoute:
    pattern: re.Pattern[str]
    handler: FastHandler

    @classmethod
    def of(cls, pattern: str, handler: FastHandler) -> FastRoute:
        return cls(re.compile(pattern), handler)


@dataclass(frozen=True)
class Match:
    route: FastRoute
    params: dict[str, str]


class FastLane:
    def __init__(self, state: State, routes: Sequence[FastRoute]) -> None:
        self._state = state
        self._routes = tuple(routes)

    def match(self, scope: Scope) -> Match | None:
        if scope["method"] != "GET" or scope["query_string"]:
            return None
        if any(name == b"origin" for name, _ in scope["headers"]):
            return None  # cross-origin: the framework's CORS handling answers
        path: str = scope["path"]
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found is not None:
                return Match(route, found.groupdict())
        return None

    async def respond(self, match: Match, scope: Scope) -> Response:
        authorization = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        principal = await authenticate_header(self._state, authorization)
        return await match.route.handler(self._state.db, principal, match.params)
