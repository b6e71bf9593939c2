"""Which methods each path has, from one source: the routes the application declares.

The table is built once, at start-up, and answers three questions the router alone answers
badly: the `Allow` of a 405 (Starlette names only the first route that matched the path, so a
GET on an assignment listed GET but not PUT and DELETE), OPTIONS (204 with `Allow`), and whether
a HEAD may be answered as the path's GET.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from fastapi.routing import iter_route_contexts
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

# The order `Allow` lists methods in: reads first, then writes, then OPTIONS.
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _ordered(methods: Iterable[str]) -> tuple[str, ...]:
    found = set(methods)
    if "GET" in found:
        found.add("HEAD")  # answered as the GET, without its body
    found.add("OPTIONS")  # answered by AnswerOptions on every declared path
    rank = {method: index for index, method in enumerate(_ORDER)}
    return tuple(sorted(found, key=lambda method: (rank.get(method, len(_ORDER)), method)))


class MethodTable:
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        declared: dict[str, tuple[re.Pattern[str], set[str]]] = {}
        for route in iter_route_contexts(routes):
            if route.path is None or not route.methods:
                continue  # not an HTTP route with a method list (a mount, a websocket)
            _, methods = declared.setdefault(route.path, (route.path_regex, set()))
            methods.update(route.methods)
        self._paths = tuple((regex, frozenset(methods)) for regex, methods in declared.values())
        self.every_method = _ordered(m for _, methods in self._paths for m in methods)

    def allowed(self, path: str) -> tuple[str, ...]:
        """The methods of a path, empty for a path no route declares.

        A path may match more than one declared template; the router serves the methods of all
        of them, so all of them are listed.
        """
        methods: set[str] = set()
        for regex, declared in self._paths:
            if regex.match(path) is not None:
                methods.update(declared)
        return _ordered(methods) if methods else ()

    def allow_header(self, path: str) -> str | None:
        allowed = self.allowed(path)
        return ", ".join(allowed) if allowed else None


class AnswerOptions:
    """OPTIONS on a declared path: 204 with its `Allow`, before any route runs.

    It sits inside the CORS middleware, which answers a preflight itself when origins are
    configured. No token is needed: a browser's preflight never carries one, and the answer names
    only the methods of a path's shape, never a record (an id that does not exist gets the same).
    """

    def __init__(self, app: ASGIApp, methods: MethodTable) -> None:
        self.app = app
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            allow = self.methods.allow_header(scope["path"])
            if allow is not None:
                await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
                return
        await self.app(scope, receive, send)
