"""CORS, when origins are configured: the headers a browser client of this API needs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from caseworks.db import Database, DatabaseURL
from caseworks.web.app import Caseworks, create_app
from tests.support.databases import make_settings
from tests.support.tenants import Tenant, new_tenant
from tests.support.world import build_world

ORIGIN = "https://app.example"
EXPOSED = {"idempotent-replayed", "location", "x-request-id"}


@pytest.fixture(scope="module")
async def cors_app(database_url: DatabaseURL, db: Database) -> AsyncIterator[Caseworks]:
    application = create_app(make_settings(database_url, cors_origins=(ORIGIN,)), database=db)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def cors_tenant(db: Database, cors_app: Caseworks) -> Tenant:
    return await new_tenant(db, cors_app)


def exposed(headers: dict[str, str]) -> set[str]:
    return {name.strip().lower() for name in headers["access-control-expose-headers"].split(",")}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD"])
async def test_a_preflight_asking_for_idempotency_key_is_allowed(
    cors_tenant: Tenant, method: str
) -> None:
    asked = "authorization, content-type, idempotency-key, x-request-id"
    async with cors_tenant.client() as browser:
        response = await browser.options(
            "/api/v1/mentors",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": asked,
            },
        )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert set(asked.split(", ")) <= allowed
    assert method in response.headers["access-control-allow-methods"].split(", ")


async def test_a_preflight_from_another_origin_is_refused(cors_tenant: Tenant) -> None:
    async with cors_tenant.client() as browser:
        response = await browser.options(
            "/api/v1/mentors",
            headers={
                "Origin": "https://elsewhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "idempotency-key",
            },
        )
    assert "access-control-allow-origin" not in response.headers


async def test_a_cross_origin_create_exposes_location_replay_and_request_id(
    cors_tenant: Tenant,
) -> None:
    headers = {"Origin": ORIGIN, "Idempotency-Key": "cors-create-1"}
    async with cors_tenant.client(cors_tenant.admin_token) as browser:
        first = await browser.post("/api/v1/mentors", json={"name": "Ada"}, headers=headers)
        again = await browser.post("/api/v1/mentors", json={"name": "Ada"}, headers=headers)
    for response in (first, again):
        assert response.status_code == 201, response.text
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert exposed(dict(response.headers)) == EXPOSED
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]


async def test_cross_origin_reads_of_fast_lane_paths_get_cors_headers(cors_tenant: Tenant) -> None:
    """The hottest reads get CORS headers on every path that serves them: the declared endpoints
    (CORS around their routes) and the fast lane (which leaves a cross-origin request to the
    framework)."""
    ids = await build_world(cors_tenant)
    paths = [
        "/api/v1/assignments",
        f"/api/v1/assignments/{ids['assignment']}",
        f"/api/v1/assignments/mentor/{ids['mentor']}/open-count",
        f"/api/v1/assignments/mentor/{ids['mentor']}/active",
        f"/api/v1/assignments/mentor/{ids['mentor']}/history",
        "/api/v1/worker_assignments",
        f"/api/v1/worker_assignments/{ids['worker_assignment']}",
        f"/api/v1/children/{ids['child']}/relationships/worker_assignments",
        f"/api/v1/applications/{ids['application']}/relationships/worker_assignments",
    ]
    async with cors_tenant.client(cors_tenant.admin_token) as browser:
        for path in paths:
            for method in ("GET", "HEAD"):
                response = await browser.request(method, path, headers={"Origin": ORIGIN})
                assert response.status_code == 200, (method, path)
                assert response.headers["access-control-allow-origin"] == ORIGIN, (method, path)
                assert exposed(dict(response.headers)) == EXPOSED


async def test_a_cross_origin_options_that_is_no_preflight_is_204_with_cors(
    cors_tenant: Tenant,
) -> None:
    async with cors_tenant.client() as browser:
        response = await browser.options("/api/v1/mentors", headers={"Origin": ORIGIN})
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.headers["access-control-allow-origin"] == ORIGIN
