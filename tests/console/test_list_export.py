"""A list page's Export CSV: the API list's own export, for the session's Principal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.requests import Request

from caseworks.auth.principal import Principal, Role
from caseworks.console.list_export import csv_link, export_csv, read_list_query
from caseworks.console.pages import PageRequest
from caseworks.core.errors import ServiceError
from caseworks.mentoring.mentoring_models import AssignmentQuery
from caseworks.web.csv_export import Export
from caseworks.web.mentoring_api import export_assignments
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant

ASSIGNMENTS = Export("assignments", export_assignments)


def page_at(tenant: Tenant, path: str, query: str, role: Role = Role.ADMIN) -> PageRequest:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [],
        "server": ("testserver", 80),
        "scheme": "http",
        "state": {},
    }
    principal = Principal(tenant.agency_id, role, "tok_console")
    return PageRequest(Request(scope), principal, tenant.app.state)


async def body_of(response: Any) -> bytes:
    chunks = [chunk async for chunk in response.body_iterator]
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in chunks)


async def test_the_export_holds_the_api_exports_rows_for_the_same_filters(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    mentor = await create_mentor(api)
    for _ in range(2):
        contact = await create_contact(api)
        await create_assignment(
            api, mentor_id=mentor["mentor_id"], contact_id=contact["contact_id"]
        )
    other = await create_mentor(api)
    contact = await create_contact(api)
    await create_assignment(api, mentor_id=other["mentor_id"], contact_id=contact["contact_id"])

    query = f"mentor_id={mentor['mentor_id']}&format=csv"
    page = page_at(tenant, "/assignments", query)
    asked = read_list_query(page, AssignmentQuery)
    assert asked.csv
    response = await export_csv(page, ASSIGNMENTS, asked.query)

    from_api = await api.get(f"/api/v1/assignments?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"] == from_api.headers["content-type"]
    assert "attachment" in response.headers["content-disposition"]
    exported = await body_of(response)
    assert exported == from_api.content
    assert len(exported.decode().strip().splitlines()) == 3  # the header and the mentor's two


def test_without_format_the_list_is_asked_for_not_a_file(tenant: Tenant) -> None:
    asked = read_list_query(page_at(tenant, "/assignments", "status=open"), AssignmentQuery)
    assert not asked.csv


@pytest.mark.parametrize(
    ("query", "named"),
    [("colour=red", "colour"), ("format=csv&page=2", "page"), ("format=xml", "format")],
)
def test_a_parameter_the_list_does_not_take_is_refused_by_name(
    tenant: Tenant, query: str, named: str
) -> None:
    with pytest.raises(ServiceError, match=named) as refused:
        read_list_query(page_at(tenant, "/assignments", query), AssignmentQuery)
    assert refused.value.status in (400, 422)


def test_the_link_is_the_same_list_as_csv_without_its_page(tenant: Tenant) -> None:
    page = page_at(tenant, "/assignments", "status=open&page=3&limit=20")
    assert csv_link(page) == "/assignments?status=open&format=csv"
