"""The application as a whole: its OpenAPI document, and which code serves which path."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from caseworks.web.app import Caseworks
from caseworks.web.childwelfare_api import endpoints


async def test_the_openapi_document_requires_a_bearer_token_everywhere(
    api: httpx.AsyncClient,
) -> None:
    document = (await api.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]


async def test_every_operation_documents_its_problem_responses(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        if not path.startswith(("/api/v1/assignments", "/api/v1/mentors", "/api/v1/contacts")):
            continue
        for method, operation in operations.items():
            for status in ("401", "404", "422"):
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content, (method, path, status)


JSONAPI_PATHS = (
    "/api/v1/worker_assignments",
    "/api/v1/children",
    "/api/v1/applications",
    "/api/v1/agency_workers",
)


async def test_every_jsonapi_operation_documents_its_documents_and_errors(
    api: httpx.AsyncClient,
) -> None:
    document = (await api.get("/openapi.json")).json()
    seen = 0
    for path, operations in document["paths"].items():
        if not path.startswith(JSONAPI_PATHS):
            continue
        for method, operation in operations.items():
            seen += 1
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "409", "413", "415", "422", "429"):
                schema = responses[status]["content"]["application/vnd.api+json"]["schema"]
                assert schema["required"] == ["errors"], (method, path, status)
                assert schema["properties"]["errors"]["items"]["required"] == ["status", "title"]
            successes = [status for status in responses if status.startswith("2")]
            for status in successes:
                if status != "204":
                    content = responses[status]["content"]["application/vnd.api+json"]
                    assert content["schema"]["type"] == "object", (method, path, status)
            if method == "post" and path.endswith("worker_assignments"):
                assert successes == ["201", "200"], path  # 200 when nothing was new
    assert seen == 20


def test_the_jsonapi_surface_is_served_by_its_declared_endpoints_only(app: Starlette) -> None:
    """One path per operation: the route compiled from its declaration, no other route on the
    path, and nothing in the fast lane."""
    declared = {(endpoint.path, endpoint.method): endpoint.name for endpoint in endpoints()}
    served = [
        ((route.path, method), route)
        for route in app.routes
        if isinstance(route, Route) and route.path.startswith(JSONAPI_PATHS) and route.methods
        for method in route.methods - {"HEAD"}
    ]
    assert sorted(key for key, _ in served) == sorted(declared)  # each once
    for key, route in served:
        assert type(route) is Route, key  # not a framework route with a second path
        assert route.name == declared[key], key
    assert isinstance(app, Caseworks)
    assert app.request_context is not None
    lane = app.request_context.fast_lane
    assert lane is not None
    for path in (
        "/api/v1/worker_assignments",
        "/api/v1/worker_assignments/wa_1",
        "/api/v1/children/child_1/relationships/worker_assignments",
        "/api/v1/applications/application_1/relationships/worker_assignments",
    ):
        assert (
            lane.match({"method": "GET", "path": path, "headers": [], "query_string": b""}) is None
        )
