"""The fast lane answers the worker-assignment reads exactly as the framework's routes do.

A request with an Origin header always takes the framework's path, so each request is sent both
ways and the answers compared.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.childwelfare import application, child, child_assignment, nested, worker

FRAMEWORK = {"Origin": "http://testserver"}


def comparable(response: httpx.Response) -> tuple[int, str, object]:
    body = response.json()
    if "errors" in body:
        body.pop("meta", None)  # it carries the request id
    return response.status_code, response.headers["content-type"], body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/worker_assignments",
        "/api/v1/worker_assignments?include=worker,child&sort=-created_at&page[size]=1",
        "/api/v1/worker_assignments?role=case-carrying&child_id={child}",
        "/api/v1/worker_assignments?page[size]=999",
        "/api/v1/worker_assignments/{assignment}",
        "/api/v1/worker_assignments/{assignment}?include=worker",
        "/api/v1/worker_assignments/{assignment}?include=nope",
        "/api/v1/worker_assignments/wa_nothere",
        "/api/v1/children/{child}/relationships/worker_assignments",
        "/api/v1/children/{child}/relationships/worker_assignments?created_end_date=2000-01-01",
        "/api/v1/children/{child}/relationships/worker_assignments?sort=name",
        # Digits outside ASCII, dates past the range, the last day, a filter's two spellings.
        "/api/v1/worker_assignments?page[number]=%C2%B2",
        "/api/v1/worker_assignments?page[size]=%EF%BC%91%EF%BC%90&sort=sideways",
        "/api/v1/worker_assignments?created_end_date=9999-12-31",
        "/api/v1/worker_assignments?created_end_date=2999-12-31&filter[role]=support",
        "/api/v1/worker_assignments/{assignment}?include=worker,%20child",
        "/api/v1/children/{child}/relationships/worker_assignments?created_start_date=1899-12-31",
        "/api/v1/children/{child}/relationships/worker_assignments?filter[role]=boss",
        "/api/v1/children/child_nothere/relationships/worker_assignments",
        "/api/v1/applications/{application}/relationships/worker_assignments",
    ],
)
async def test_same_answer_either_way(jsonapi: httpx.AsyncClient, path: str) -> None:
    child_id, application_id, worker_id = (
        await child(jsonapi),
        await application(jsonapi),
        await worker(jsonapi),
    )
    created = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    await jsonapi.post(
        f"/api/v1/applications/{application_id}/relationships/worker_assignments",
        json={"data": [nested(worker_id, "support")]},
    )
    url = path.format(
        child=child_id, application=application_id, assignment=created.json()["data"][0]["id"]
    )
    fast = await jsonapi.get(url)
    framework = await jsonapi.get(url, headers=FRAMEWORK)
    assert comparable(fast) == comparable(framework)
