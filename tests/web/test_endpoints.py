"""The declaration layer: what a compiled endpoint hands its handler, and when it reads the
query."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response
from starlette.types import ASGIApp

from caseworks.core.errors import SimultaneousChange
from caseworks.core.query_parameters import NoQuery, PageQuery
from caseworks.web.app import exception_response, render_error
from caseworks.web.childwelfare_api import JSONAPI_QUERY
from caseworks.web.endpoints import JSONAPI, Call, Endpoint, compile_routes
from caseworks.web.router import Router, RouteTable
from tests.support.tenants import Tenant


class Mutable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int = 20


def recording(
    tenant: Tenant, declared: list[tuple[str, type[BaseModel], Any]]
) -> tuple[ASGIApp, list[Any]]:
    """An app of endpoints that answer 204 and keep each query their handler was given."""
    seen: list[Any] = []

    async def keep(call: Call) -> Response:
        seen.append(call.query)
        return Response(status_code=204)

    endpoints = [
        Endpoint("GET", path, keep, "Keep", path.strip("/"), query=model, **more)
        for path, model, more in declared
    ]
    state = tenant.app.state
    routes = compile_routes(endpoints, state, exception_response)
    return Router(RouteTable(routes), render_error), seen


async def get(app: ASGIApp, token: str, url: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get(url, headers={"Authorization": f"Bearer {token}"})


async def test_a_request_without_a_query_string_gets_the_default_read_once(
    tenant: Tenant,
) -> None:
    jsonapi = {"query_reading": JSONAPI_QUERY, "media_type": JSONAPI}
    app, seen = recording(tenant, [("/frozen", PageQuery, jsonapi), ("/mutable", Mutable, {})])
    for url in ("/frozen", "/frozen", "/frozen?page[size]=5", "/mutable", "/mutable"):
        assert (await get(app, tenant.admin_token, url)).status_code == 204
    first, again, sized, mutable, mutable_again = seen
    assert first is again  # frozen: one instance serves every request without a query
    assert (first.page_size, sized.page_size) == (20, 5)
    assert mutable == mutable_again
    assert mutable is not mutable_again  # a handler may change it: each request its own


async def test_the_query_is_read_after_authentication_by_the_surface_reading(
    tenant: Tenant,
) -> None:
    jsonapi = {"query_reading": JSONAPI_QUERY, "media_type": JSONAPI}
    app, seen = recording(tenant, [("/none", NoQuery, jsonapi), ("/rest", Mutable, {})])
    assert (await get(app, "not-a-token", "/none?x=1")).status_code == 401
    refused = await get(app, tenant.admin_token, "/none?x=1")
    assert refused.status_code == 400
    # Rendered by path: these test paths are outside the JSON:API prefixes, so RFC 9457.
    (problem,) = refused.json()["errors"]
    assert problem["parameter"] == "x"
    assert problem["detail"].endswith("(it takes tz)")  # Binti's tz, taken by every operation
    # The default reading: the model's own errors, 422 on the REST surface.
    assert (await get(app, tenant.admin_token, "/rest?size=big")).status_code == 422
    assert seen == []


def test_a_simultaneous_change_is_503_with_retry_after_on_both_surfaces() -> None:
    for path, media_type in (
        ("/api/v1/assignments/assign_001aa/reassign", "application/problem+json"),
        ("/api/v1/worker_assignments", "application/vnd.api+json"),
    ):
        response = exception_response(path, SimultaneousChange(), "req_1")
        assert response is not None
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.headers["content-type"].startswith(media_type)
        assert b"may be retried" in bytes(response.body)
