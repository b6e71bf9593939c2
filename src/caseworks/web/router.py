"""Finding the endpoint of a request: one table of paths, each with its methods.

Every route of the application (the declared endpoints, `/health`, the documentation pages) is
in one table, built at start-up. A request's path is looked up once: first in a dict of the paths
without parameters, then among the templated paths that share its first two segments, so the
work does not grow with the number of routes. The same table answers what the router alone
would answer badly: 404 (or a 307 to the path with or without its trailing slash, when that one
exists), 405 with every method of the path in `Allow`, OPTIONS (204 with `Allow`), and whether a
HEAD may be served as the path's GET.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from starlette.responses import RedirectResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from caseworks.core.errors import NotFound, ServiceError
from caseworks.web.origin import origins_of

# The order `Allow` lists methods in: reads first, then writes, then OPTIONS.
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class MethodNotAllowed(ServiceError):
    status = 405
    title = "Method Not Allowed"


def ordered(methods: Iterable[str]) -> tuple[str, ...]:
    """The methods a path answers, as `Allow` lists them: HEAD with GET, OPTIONS always."""
    found = set(methods)
    if "GET" in found:
        found.add("HEAD")  # answered as the GET, without its body
    found.add("OPTIONS")  # answered with Allow on every declared path
    rank = {method: index for index, method in enumerate(_ORDER)}
    return tuple(sorted(found, key=lambda method: (rank.get(method, len(_ORDER)), method)))


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One path template with the ASGI callable of each of its methods."""

    template: str
    regex: re.Pattern[str]
    methods: dict[str, ASGIApp]
    allow: str  # the `Allow` header of the path

    @classmethod
    def of(cls, template: str, methods: dict[str, ASGIApp]) -> RouteEntry:
        regex, _, _ = compile_path(template)
        return cls(template, regex, methods, ", ".join(ordered(methods)))


Found = tuple[RouteEntry, dict[str, str]]
ErrorRenderer = Callable[[str, ServiceError, str | None, dict[str, str] | None], Response]


def _prefix(path: str) -> str:
    """The first two segments: `/api/v1` for every API path, `/docs` for the pages."""
    return "/".join(path.split("/", 3)[:3])


class RouteTable:
    def __init__(self, routes: Sequence[tuple[str, str, ASGIApp]]) -> None:
        """``routes``: (method, path template, ASGI callable), in any order."""
        by_template: dict[str, dict[str, ASGIApp]] = {}
        for method, template, app in routes:
            methods = by_template.setdefault(template, {})
            if method in methods:
                raise ValueError(f"{method} {template} is declared twice")
            methods[method] = app
        entries = [RouteEntry.of(template, methods) for template, methods in by_template.items()]
        self.entries = tuple(entries)
        self._exact = {entry.template: entry for entry in entries if "{" not in entry.template}
        templated: dict[str, list[RouteEntry]] = {}
        for entry in entries:
            if "{" in entry.template:
                templated.setdefault(_prefix(entry.template), []).append(entry)
        self._templated = {prefix: tuple(found) for prefix, found in templated.items()}
        self.every_method = ordered(m for entry in entries for m in entry.methods)

    def find(self, path: str) -> Found | None:
        exact = self._exact.get(path)
        if exact is not None:
            return exact, {}
        for entry in self._templated.get(_prefix(path), ()):
            match = entry.regex.match(path)
            if match is not None:
                return entry, match.groupdict()
        return None

    def allowed(self, path: str) -> tuple[str, ...]:
        """The methods of a path, empty for a path no route declares."""
        found = self.find(path)
        return ordered(found[0].methods) if found is not None else ()


class Router:
    """The innermost ASGI app: the route table's callable for the request, or its error."""

    def __init__(self, table: RouteTable, render_error: ErrorRenderer) -> None:
        self.table = table
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        found = self.table.find(path)
        if found is None:
            response = self._slash_redirect(scope) or self._error(
                scope, NotFound("no such resource")
            )
            await response(scope, receive, send)
            return
        entry, params = found
        method: str = scope["method"]
        app = entry.methods.get(method)
        if app is not None:
            scope["path_params"] = params
            await app(scope, receive, send)
        elif method == "OPTIONS":
            # No token needed: a browser's preflight never carries one, and the answer names
            # only the methods of a path's shape, never a record.
            await Response(status_code=204, headers={"Allow": entry.allow})(scope, receive, send)
        else:
            error = MethodNotAllowed(f"{method} is not allowed on {path}")
            await self._error(scope, error, {"Allow": entry.allow})(scope, receive, send)

    def _error(
        self, scope: Scope, error: ServiceError, headers: dict[str, str] | None = None
    ) -> Response:
        request_id: str | None = scope.get("state", {}).get("request_id")
        return self.render_error(scope["path"], error, request_id, headers)

    def _slash_redirect(self, scope: Scope) -> Response | None:
        """307 to the path with (or without) its trailing slash, if that one has a route.

        The URL is built from the allowed host or the public URL, never from a Host header
        alone."""
        path: str = scope["path"]
        if path == "/":
            return None
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        if self.table.find(other) is None:
            return None
        return RedirectResponse(str(origins_of(scope).url(scope, other)), status_code=307)
