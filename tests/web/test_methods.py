"""Methods as clients expect them, on every path the application declares.

The sweep walks the app's own routes, so a route added later is covered without touching this
file: OPTIONS is 204 with the path's exact `Allow`; every other method is 405 with the same
`Allow`; HEAD answers as GET does (status and headers), without a body.
"""

from __future__ import annotations

from collections import defaultdict

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from caseworks.web.app import Caseworks
from caseworks.web.router import RouteTable
from tests.support.figures import Figures
from tests.support.tenants import Tenant
from tests.support.world import build_world

# Which record of the world a path parameter names, by the path segment in front of it.
_SAMPLE_BY_SEGMENT = {
    "assignments": "assignment",
    "mentor": "mentor",
    "mentors": "mentor",
    "contacts": "contact",
    "worker_assignments": "worker_assignment",
    "agency_workers": "worker",
    "worker_caseloads": "worker",
    "children": "child",
    "applications": "application",
    "user_agency_profiles": "profile",
}
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_PROBES = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE")
DOUBLED = "/api/v1/assignments/api/v1/assignments"


def declared_methods(app: Caseworks) -> dict[str, set[str]]:
    """Each declared path template with the methods its routes declare."""
    methods: dict[str, set[str]] = defaultdict(set)
    for entry in app.route_table.entries:
        methods[entry.template].update(entry.methods)
    return methods


def methods_of_path(app: Caseworks, path: str) -> set[str]:
    """A path's methods: those of every template it matches (`/api/v1/assignments/bulk-reassign`
    is a path of its own and matches `/api/v1/assignments/{assignment_id}` too)."""
    entries = app.route_table.entries
    return {method for entry in entries if entry.regex.match(path) for method in entry.methods}


def expected_allow(methods: set[str]) -> str:
    every = {*methods, "OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    return ", ".join(method for method in _ORDER if method in every)


# Path parameters that name no record: a value each.
_FIXED_BY_SEGMENT = {"imports": "contacts", "static": "console.css", "set-password": "no-such-link"}


def sample_path(template: str, ids: dict[str, str]) -> str:
    segments = template.split("/")
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            before = segments[index - 1]
            fixed = _FIXED_BY_SEGMENT.get(before)
            segments[index] = fixed if fixed is not None else ids[_SAMPLE_BY_SEGMENT[before]]
    return "/".join(segments)


def sweep(app: Caseworks, ids: dict[str, str]) -> list[tuple[str, str]]:
    """(path with real ids, its expected Allow), doubled-prefix aliases included."""
    cases = []
    for template in declared_methods(app):
        path = sample_path(template, ids)
        allow = expected_allow(methods_of_path(app, path))
        cases.append((path, allow))
        if path.startswith("/api/v1/assignments"):
            cases.append((DOUBLED + path.removeprefix("/api/v1/assignments"), allow))
    return cases


@pytest.fixture
async def cases(tenant: Tenant) -> list[tuple[str, str]]:
    return sweep(tenant.app, await build_world(tenant))


def test_the_sweep_covers_the_paths_that_have_several_methods(app: Caseworks) -> None:
    allow = {path: expected_allow(m) for path, m in declared_methods(app).items()}
    assert allow["/api/v1/assignments/{assignment_id}"] == "GET, HEAD, PUT, DELETE, OPTIONS"
    assert allow["/api/v1/assignments"] == "GET, HEAD, POST, OPTIONS"
    assert allow["/api/v1/children/{record_id}"] == "GET, HEAD, PUT, PATCH, OPTIONS"
    assert allow["/api/v1/agency_workers/{record_id}"] == "GET, HEAD, PATCH, OPTIONS"
    assert allow["/api/v1/applications/{record_id}"] == "GET, HEAD, PUT, PATCH, OPTIONS"
    assert allow["/api/v1/user_agency_profiles/{record_id}"] == "GET, HEAD, PUT, OPTIONS"
    for path in ("/health", "/docs", "/redoc", "/openapi.json"):
        assert allow[path] == "GET, HEAD, OPTIONS"


async def test_options_is_204_with_every_method_of_the_path_and_needs_no_token(
    tenant: Tenant, cases: list[tuple[str, str]], figures: Figures
) -> None:
    async with tenant.client() as anonymous:
        for path, allow in cases:
            response = await anonymous.options(path)
            assert (response.status_code, response.headers.get("allow")) == (204, allow), path
            assert response.content == b""
    figures.record("paths, each asked OPTIONS", len(cases), "paths")


async def test_a_method_the_path_lacks_is_405_listing_every_method_it_has(
    tenant: Tenant, cases: list[tuple[str, str]], figures: Figures
) -> None:
    async with tenant.client(tenant.admin_token) as api:
        for path, allow in cases:
            for method in _PROBES:
                if method in allow.split(", "):
                    continue
                response = await api.request(method, path)
                figures.add("methods refused with 405", 1, "requests")
                assert response.status_code == 405, (method, path, response.text)
                assert response.headers["allow"] == allow, (method, path)
                media_type = response.headers["content-type"]
                assert media_type in ("application/problem+json", "application/vnd.api+json")


@pytest.mark.parametrize("caller", ["admin", "anonymous"])
async def test_head_answers_as_get_without_the_body(
    tenant: Tenant, cases: list[tuple[str, str]], caller: str, figures: Figures
) -> None:
    token = tenant.admin_token if caller == "admin" else None
    same_id = {"X-Request-ID": "head-and-get"}  # so the bodies (and their lengths) agree
    async with tenant.client(token) as client:
        for path, allow in cases:
            if "GET" not in allow.split(", "):
                continue
            got = await client.get(path, headers=same_id)
            head = await client.head(path, headers=same_id)
            figures.add("HEAD and GET pairs, with and without a token", 1, "pairs")
            assert head.status_code == got.status_code, path
            # A page's pre-sign-in cookie is set once per client, by whichever request comes
            # first; every other header is the same.
            assert _without_cookie(head.headers) == _without_cookie(got.headers), path
            assert head.content == b"", path
            assert got.content != b"", path


def _without_cookie(headers: httpx.Headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "set-cookie"}


async def test_options_on_an_unknown_path_is_404(api: httpx.AsyncClient) -> None:
    response = await api.options("/api/v2/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_allow_lists_the_methods_of_every_template_a_path_matches() -> None:
    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    table = RouteTable(
        [("GET", "/things/{thing_id}", endpoint), ("DELETE", "/things/special", endpoint)]
    )
    assert table.allow_header("/things/special") == "GET, HEAD, DELETE, OPTIONS"
    assert table.allow_header("/things/other") == "GET, HEAD, OPTIONS"
    assert table.allow_header("/elsewhere") is None
    assert table.every_method == ("GET", "HEAD", "DELETE", "OPTIONS")
