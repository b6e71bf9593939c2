"""The fast lane answers the mentoring reads exactly as the framework's routes do.

A request with an Origin header always takes the framework's path (its CORS handling applies), so
each request is sent twice, once each way, and the answers compared.
"""

from __future__ import annotations

import httpx
import pytest

from caseworks.auth.principal import Role
from tests.support.mentoring import Programme
from tests.support.tenants import Tenant

FRAMEWORK = {"Origin": "http://testserver"}


def comparable(response: httpx.Response) -> tuple[int, str, object]:
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, response.headers["content-type"], body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assignments",
        "/api/v1/assignments?mentor_id={mentor}&limit=1&page=1",
        "/api/v1/assignments?status=open&sort=-assigned_date",
        "/api/v1/assignments?page=0&limit=500&status=x",
        "/api/v1/assignments?assigned_from=yesterday",
        "/api/v1/assignments?page=2&page=1",
        "/api/v1/assignments?unknown=ignored",
        "/api/v1/assignments?page=%EF%BC%91%EF%BC%90&limit=%2B5",
        "/api/v1/assignments?assigned_to=2999-12-31T23:59:59-14:00",
        "/api/v1/assignments/{assignment}",
        "/api/v1/assignments/assign_nothere",
        "/api/v1/assignments/mentor/{mentor}/active",
        "/api/v1/assignments/mentor/{mentor}/history?limit=1",
        "/api/v1/assignments/mentor/{mentor}/history?limit=0",
        "/api/v1/assignments/mentor/{mentor}/open-count",
        "/api/v1/assignments/mentor/mentor_nothere/open-count",
    ],
)
async def test_same_answer_either_way(
    api: httpx.AsyncClient, programme: Programme, path: str
) -> None:
    url = path.format(mentor=programme.mentor_id, assignment=programme.assignment_id)
    fast = await api.get(url)
    framework = await api.get(url, headers=FRAMEWORK)
    assert "access-control-allow-origin" not in fast.headers
    assert comparable(fast) == comparable(framework)


async def test_same_refusals_either_way(tenant: Tenant, programme: Programme) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}"
    caseworker = await tenant.token(Role.CASEWORKER)
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": f"Bearer {caseworker}"},
    ):
        async with tenant.client() as client:
            fast = await client.get(url, headers=headers)
            framework = await client.get(url, headers={**headers, **FRAMEWORK})
        assert fast.status_code in (401, 403)
        assert comparable(fast) == comparable(framework)
        assert fast.headers.get("www-authenticate") == framework.headers.get("www-authenticate")
