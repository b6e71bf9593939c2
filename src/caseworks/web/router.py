"""Finding the endpoint of a request: one table of paths, each with its methods.

Every route of the application (the declared endpoints, `/health`, the document and the
documentation pages) is in one table, built at start-up. A request's path is looked up once: in
a dict of the paths without parameters, and among the templated paths that share its first three
segments (`/api/v1/assignments`), so the work does not grow with the number of routes. The same
table answers 404 (or a 307 to the path with or without its trailing slash, when that one
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

from caseworks.core.errors import MethodNotAllowed, NotFound, ServiceError
from caseworks.web.origin import origins_of

# The order `Allow` lists methods in: reads first, then writes, then OPTIONS.
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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

    @classmethod
    def of(cls, template: str, methods: dict[str, ASGIApp]) -> RouteEntry:
        regex, _, _ = compile_path(template)
        return cls(template, regex, methods)


Found = tuple[RouteEntry, dict[str, str]]
ErrorRenderer = Callable[[str, ServiceError, str | None, dict[str, str] | None], Response]
_GROUPED_SEGMENTS = 3  # `/api/v1/assignments`: what tells the API's collections apart


def _group(path: str) -> str:
    return "/".join(path.split("/", _GROUPED_SEGMENTS + 1)[: _GROUPED_SEGMENTS + 1])


class RouteTable:
    def __init__(self, routes: Sequence[tuple[str, str, ASGIApp]]) -> None:
        """``routes``: (method, path template, ASGI callable); the first template that matches
        a path and has the method serves it, as a router that tries routes in order would."""
        by_template: dict[str, dict[str, ASGIApp]] = {}
        for method, template, app in routes:
            methods = by_template.setdefault(template, {})
            if method in methods:
                raise ValueError(f"{method} {template} is declared twice")
            methods[method] = app
        entries = [RouteEntry.of(template, methods) for template, methods in by_template.items()]
        self.entries = tuple(entries)
        self._exact = {entry.template: entry for entry in entries if "{" not in entry.template}
        grouped: dict[str, list[RouteEntry]] = {}
        anywhere: list[RouteEntry] = []  # a parameter within the grouped segments
        for entry in entries:
            if "{" not in entry.template:
                continue
            group = _group(entry.template)
            (anywhere if "{" in group else grouped.setdefault(group, [])).append(entry)
        self._grouped = {group: (*found, *anywhere) for group, found in grouped.items()}
        self._anywhere = tuple(anywhere)
        self.every_method = ordered(m for entry in entries for m in entry.methods)

    def matches(self, path: str) -> list[Found]:
        """Every template the path matches, the path's own (no parameters) first."""
        found: list[Found] = []
        exact = self._exact.get(path)
        if exact is not None:
            found.append((exact, {}))
        for entry in self._grouped.get(_group(path), self._anywhere):
            match = entry.regex.match(path)
            if match is not None:
                found.append((entry, match.groupdict()))
        return found

    def serving(self, path: str, method: str) -> tuple[ASGIApp, dict[str, str]] | None:
        """The callable that serves ``method`` on ``path``, with the path's parameters: the first
        template that matches and has the method. It stops at that one (the hot path)."""
        exact = self._exact.get(path)
        if exact is not None and method in exact.methods:
            return exact.methods[method], {}
        for entry in self._grouped.get(_group(path), self._anywhere):
            app = entry.methods.get(method)
            if app is not None:
                match = entry.regex.match(path)
                if match is not None:
                    return app, match.groupdict()
        return None

    def allowed(self, path: str) -> tuple[str, ...]:
        """The methods of a path (of every template it matches), empty for a path no route
        declares."""
        found = self.matches(path)
        return _methods(found) if found else ()

    def allow_header(self, path: str) -> str | None:
        found = self.matches(path)
        return _allow(found) if found else None


def _methods(found: list[Found]) -> tuple[str, ...]:
    """The methods of every template a path matched, as `Allow` lists them."""
    return ordered(m for entry, _ in found for m in entry.methods)


def _allow(found: list[Found]) -> str:
    return ", ".join(_methods(found))


class Router:
    """The innermost ASGI app: the route table's callable for the request, or its error."""

    def __init__(self, table: RouteTable, render_error: ErrorRenderer) -> None:
        self.table = table
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        serving = self.table.serving(path, method)
        if serving is not None:
            app, scope["path_params"] = serving
            await app(scope, receive, send)
            return
        found = self.table.matches(path)
        if not found:
            response = self._slash_redirect(scope) or self._error(
                scope, NotFound("no such resource")
            )
        elif method == "OPTIONS":
            # No token needed: a browser's preflight never carries one, and the answer names
            # only the methods of a path's shape, never a record.
            response = Response(status_code=204, headers={"Allow": _allow(found)})
        else:
            error = MethodNotAllowed(f"{method} is not allowed on {path}")
            response = self._error(scope, error, {"Allow": _allow(found)})
        await response(scope, receive, send)

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
        if not self.table.matches(other):
            return None
        return RedirectResponse(str(origins_of(scope).url(scope, other)), status_code=307)
