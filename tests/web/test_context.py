"""Every request: a request id, no caching, body limit, and failures that reveal nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.responses import Response

from caseworks.db import Database, DatabaseURL
from caseworks.web import app as app_module
from caseworks.web.app import Caseworks, create_app
from caseworks.web.endpoints import Call, Endpoint
from tests.support.databases import make_settings
from tests.support.tenants import Tenant, new_tenant


async def test_security_headers_and_generated_request_id(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/assignments")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.headers["x-request-id"]) == 32


async def test_a_given_request_id_is_echoed_and_a_bad_one_replaced(api: httpx.AsyncClient) -> None:
    echoed = await api.get("/api/v1/assignments", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    replaced = await api.get("/api/v1/assignments", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


async def test_error_bodies_carry_the_request_id(api: httpx.AsyncClient) -> None:
    response = await api.get(
        "/api/v1/assignments/assign_nothere", headers={"X-Request-ID": "req-7"}
    )
    assert response.json()["request_id"] == "req-7"


async def test_body_over_the_limit_is_413_before_it_is_read(api: httpx.AsyncClient) -> None:
    big = b'{"notes": "' + b"x" * (1024 * 1024) + b'"}'
    response = await api.post(
        "/api/v1/assignments", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_streamed_body_over_the_limit_is_413(api: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"notes": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = await api.post(
        "/api/v1/assignments", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_streamed_document_over_the_limit_is_413_in_jsonapi_form(
    api: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"data": {"type": "children", "attributes": {"last-name": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}}}'

    response = await api.post(
        "/api/v1/children", content=chunks(), headers={"Content-Type": "application/vnd.api+json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/vnd.api+json"
    assert (await api.get("/api/v1/children")).json()["data"] == []


@pytest.mark.parametrize("body", [b"{", b'{"mentor_id": }', b"\xff\xfe\x00", b'{"a": "\xc3\x28"}'])
async def test_malformed_json_is_400(api: httpx.AsyncClient, body: bytes) -> None:
    response = await api.post(
        "/api/v1/assignments", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_deeply_nested_json_is_400(api: httpx.AsyncClient) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = await api.post(
        "/api/v1/assignments", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_non_json_bodies_are_415(api: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = await api.post("/api/v1/assignments", content=b"mentor_id=x", headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


async def test_wrong_method_is_405_with_allow(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v1/assignments/mentor/mentor_x/open-count", json={})
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.json()["status"] == 405


async def test_unknown_path_is_404_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v2/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.fixture
async def failing_app(
    database_url: DatabaseURL, db: Database, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Caseworks]:
    async def boom(call: Call) -> Response:
        raise RuntimeError("secret internals: password=hunter2")

    failing = Endpoint("GET", "/boom", boom, "Fail", "boom")
    monkeypatch.setattr(app_module, "declared_endpoints", lambda: [failing])
    application = create_app(make_settings(database_url), database=db)
    async with application.router.lifespan_context(application):
        yield application


async def test_an_unexpected_error_is_500_without_internals(
    failing_app: Caseworks, caplog: pytest.LogCaptureFixture
) -> None:
    caller = await new_tenant(failing_app.state.db, failing_app)
    transport = httpx.ASGITransport(app=failing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        headers = {"X-Request-ID": "req-500", "Authorization": f"Bearer {caller.admin_token}"}
        response = await client.get("/boom", headers=headers)
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert response.json()["request_id"] == "req-500"
    assert response.headers["cache-control"] == "no-store"
    assert any("req-500" in record.getMessage() for record in caplog.records)


async def test_cors_is_closed_unless_configured(
    tenant: Tenant, database_url: DatabaseURL, db: Database
) -> None:
    preflight = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "GET",
    }
    async with tenant.client() as client:
        closed = await client.options("/api/v1/assignments", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers

    opened = create_app(
        make_settings(database_url, cors_origins=("https://app.example",)), database=db
    )
    transport = httpx.ASGITransport(app=opened)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        allowed = await client.options(
            "/api/v1/assignments", headers={**preflight, "Origin": "https://app.example"}
        )
        refused = await client.options("/api/v1/assignments", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in refused.headers
