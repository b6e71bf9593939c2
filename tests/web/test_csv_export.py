"""Every list as one CSV file: all the rows its filters match, in its order, within the caller's
scope; on both surfaces, by ``format=csv`` or ``Accept: text/csv``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from caseworks.auth.principal import Role
from caseworks.csvio.csv_columns import export_columns
from caseworks.db import Database
from caseworks.mentoring import mentoring_queries as queries
from caseworks.web.app import declared_endpoints
from caseworks.web.csv_export import FormatAsked, take_format
from caseworks.web.endpoints import Endpoint
from tests.support.childwelfare import JSONAPI, jsonapi_client
from tests.support.tenants import Tenant
from tests.support.world import build_world

CSV = "text/csv; charset=utf-8"


def _answers_a_collection(endpoint: Endpoint) -> bool:
    """A GET whose answer documents ``data`` as an array: a list."""
    if endpoint.method != "GET" or endpoint.output is None:
        return False
    output = endpoint.output
    schema = output if isinstance(output, dict) else _schema(output)
    data = schema.get("properties", {}).get("data", {})
    return bool(data.get("type") == "array")


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


LISTS = [endpoint for endpoint in declared_endpoints() if _answers_a_collection(endpoint)]


def test_every_list_declares_its_export() -> None:
    assert len(LISTS) >= 12
    missing = [endpoint.name for endpoint in LISTS if endpoint.export is None]
    assert missing == []


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV
    return list(csv.DictReader(io.StringIO(response.text)))


def _path(endpoint: Endpoint, ids: dict[str, str]) -> str:
    values = {
        "mentor_id": ids["mentor"],
        "assignment_id": ids["assignment"],
        "record_id": ids["application"] if "applications" in endpoint.path else ids["child"],
    }
    return endpoint.path.format(**values)


@pytest.mark.parametrize("endpoint", LISTS, ids=[endpoint.name for endpoint in LISTS])
async def test_each_list_answers_csv(tenant: Tenant, endpoint: Endpoint) -> None:
    ids = await build_world(tenant)
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        response = await client.get(_path(endpoint, ids), params={"format": "csv"})
    assert endpoint.export is not None
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{endpoint.export.kind}.csv"'
    )
    assert response.text.endswith("\r\n")
    header = response.text.split("\r\n", 1)[0]
    assert tuple(header.split(",")) == export_columns(endpoint.export.kind)
    assert _rows(response), "the world holds at least one row of each list"


async def test_accept_text_csv_asks_the_same_and_format_json_wins(tenant: Tenant) -> None:
    ids = await build_world(tenant)
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        by_header = await client.get("/api/v1/children", headers={"Accept": "text/csv"})
        assert [row["id"] for row in _rows(by_header)] == [ids["child"]]
        both = await client.get(
            "/api/v1/children", params={"format": "json"}, headers={"Accept": "text/csv"}
        )
        assert both.headers["content-type"] == JSONAPI
        rest = await client.get("/api/v1/mentors", headers={"Accept": "text/csv"})
        assert len(_rows(rest)) == 3
        json_too = await client.get(
            "/api/v1/mentors", headers={"Accept": "text/csv, application/json"}
        )
        assert json_too.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("path", "parameter", "status"),
    [
        ("/api/v1/assignments", "page", 400),
        ("/api/v1/mentors", "limit", 400),
        ("/api/v1/children", "page[size]", 400),
        ("/api/v1/worker_assignments", "page[number]", 400),
        ("/api/v1/applications", "include", 400),
    ],
)
async def test_page_parameters_are_refused_with_csv(
    tenant: Tenant, path: str, parameter: str, status: int
) -> None:
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        value = "applicant-agency-profile" if parameter == "include" else "2"
        response = await client.get(path, params={"format": "csv", parameter: value})
    assert response.status_code == status, response.text
    assert parameter in response.text


async def test_a_wrong_format_is_refused_in_each_surfaces_way(tenant: Tenant) -> None:
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        rest = await client.get("/api/v1/assignments", params={"format": "xml"})
        jsonapi = await client.get("/api/v1/children", params={"format": "xml"})
        not_a_list = await client.get("/api/v1/agency_workers/x", params={"format": "csv"})
    assert rest.status_code == 422
    assert rest.json()["errors"][0]["parameter"] == "format"
    assert jsonapi.status_code == 400
    assert jsonapi.json()["errors"][0]["source"] == {"parameter": "format"}
    assert not_a_list.status_code == 400  # an operation without an export takes no format


async def test_errors_before_the_first_row_keep_their_format(tenant: Tenant) -> None:
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        missing = await client.get(
            "/api/v1/assignments/mentor/mentor_01AAAAAAAAAAAAAAAAAAAAAAAA/history",
            params={"format": "csv"},
        )
        caseworker = await tenant.token(Role.CASEWORKER)
        client.headers["Authorization"] = f"Bearer {caseworker}"
        forbidden = await client.get("/api/v1/mentors", params={"format": "csv"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert forbidden.status_code == 403


async def test_filters_and_scope_apply(tenant: Tenant) -> None:
    ids = await build_world(tenant)
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        closed = await client.get(
            "/api/v1/assignments", params={"format": "csv", "status": "closed"}
        )
        assert _rows(closed) == []
        named = await client.get(
            "/api/v1/children", params={"format": "csv", "filter[full_name_contains]": "zzz"}
        )
        assert _rows(named) == []
        gaps = await client.get(
            "/api/v1/children", params={"format": "csv", "has_case_carrying_worker": "false"}
        )
        assert _rows(gaps) == []  # the world's child has its case-carrying worker
        served = await client.get(
            "/api/v1/children", params={"format": "csv", "has_case_carrying_worker": "true"}
        )
        assert [row["id"] for row in _rows(served)] == [ids["child"]]
        mentor = await tenant.token(Role.MENTOR, mentor_id=ids["other_mentor"])
        client.headers["Authorization"] = f"Bearer {mentor}"
        own = await client.get("/api/v1/assignments", params={"format": "csv"})
        assert _rows(own) == []  # the other mentor holds none of the agency's assignments
        mentor = await tenant.token(Role.MENTOR, mentor_id=ids["mentor"])
        client.headers["Authorization"] = f"Bearer {mentor}"
        own = await client.get("/api/v1/assignments", params={"format": "csv"})
        assert [row["assignment_id"] for row in _rows(own)] == [ids["assignment"]]
        others = await client.get(
            f"/api/v1/assignments/mentor/{ids['other_mentor']}/history", params={"format": "csv"}
        )
        assert others.status_code == 404  # another mentor's history is out of its sight
        worker = await tenant.token(Role.CASEWORKER, worker_id=ids["unassigned_worker"])
        client.headers["Authorization"] = f"Bearer {worker}"
        children = await client.get("/api/v1/children", params={"format": "csv"})
        assert _rows(children) == []  # a caseworker exports only the children it may read
        worker = await tenant.token(Role.CASEWORKER, worker_id=ids["worker"])
        client.headers["Authorization"] = f"Bearer {worker}"
        children = await client.get("/api/v1/children", params={"format": "csv"})
        assert [row["id"] for row in _rows(children)] == [ids["child"]]


async def test_cells_are_written_as_the_json_shows_them(tenant: Tenant) -> None:
    ids = await build_world(tenant)
    async with jsonapi_client(tenant, tenant.admin_token) as client:
        exported = _rows(await client.get("/api/v1/agency_workers", params={"format": "csv"}))
        shown = (await client.get("/api/v1/agency_workers")).json()["data"]
        assignment = (await client.get(f"/api/v1/assignments/{ids['assignment']}")).json()
        rows = _rows(await client.get("/api/v1/assignments", params={"format": "csv"}))
    worker = next(row for row in exported if row["id"] == ids["worker"])
    resource = next(item for item in shown if item["id"] == ids["worker"])
    assert worker["active"] == "true"
    assert worker["assignable_roles"] == (
        "[" + ",".join(f'"{role}"' for role in resource["attributes"]["assignable-roles"]) + "]"
    )
    assert worker["supervisors"] == "[]"
    assert worker["external_identifier"] == ""  # null
    assert rows[0]["assigned_date"] == assignment["assigned_date"]  # 2026-…T…Z
    assert rows[0]["notes"] == assignment["notes"]


# --- an export of many rows matches the list, row for row ------------------------------------

MANY = 50_000


async def _many_assignments(db: Database, agency_id: str) -> None:
    """MANY assignments with times spread over days, written straight through the queries:
    250 mentors, each with 200 contacts."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.transaction() as tx:
        for index in range(250):
            await queries.insert_person(
                tx,
                "mentors",
                {"agency_id": agency_id, "id": f"mentor_m{index:05d}", "name": f"M {index}"}
                | {"now": start},
            )
        for index in range(200):
            await queries.insert_person(
                tx,
                "contacts",
                {"agency_id": agency_id, "id": f"contact_c{index:05d}", "name": f"C, {index}"}
                | {"now": start},
            )
        for number in range(MANY):
            mentor, contact = divmod(number, 200)
            # Many ties in created_at, broken by id; a spread of assigned dates.
            when = start + timedelta(minutes=(number * 7919) % 20_000)
            await queries.insert_assignment(
                tx,
                {
                    "agency_id": agency_id,
                    "id": f"assign_a{number:06d}",
                    "mentor_id": f"mentor_m{mentor:05d}",
                    "contact_id": f"contact_c{contact:05d}",
                    "notes": None if number % 3 else f'note "{number}",\nline two',
                    "assigned_date": when,
                    "created_at": start + timedelta(hours=number % 97),
                },
            )


def _cell(value: object) -> str:
    return "" if value is None else str(value)


async def test_an_export_of_many_rows_matches_the_list_row_for_row(
    db: Database, tenant: Tenant
) -> None:
    await _many_assignments(db, tenant.agency_id)
    async with tenant.client(tenant.admin_token) as client:
        response = await client.get(
            "/api/v1/assignments", params={"format": "csv", "sort": "-created_at"}
        )
        exported = _rows(response)
        listed: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = await client.get(
                "/api/v1/assignments", params={"sort": "-created_at", "page": page, "limit": 100}
            )
            data = answer.json()["data"]
            if not data:
                break
            listed.extend(data)
            page += 1
    assert len(exported) == len(listed) == MANY
    shared = [name for name in export_columns("assignments") if name != "notes"]
    for row, item in zip(exported, listed, strict=True):
        assert [row[name] for name in shared] == [_cell(item[name]) for name in shared]
    with_notes = [row for row in exported if row["notes"]]
    assert with_notes[0]["notes"].endswith('",\nline two')  # quoted, read back whole


async def test_the_document_shows_the_format_parameter_and_the_csv_answer(
    tenant: Tenant,
) -> None:
    async with tenant.client() as client:
        document = (await client.get("/openapi.json")).json()
    for endpoint in LISTS:
        operation = document["paths"][endpoint.path]["get"]
        names = [parameter["name"] for parameter in operation["parameters"]]
        assert "format" in names, endpoint.name
        assert "text/csv" in operation["responses"]["200"]["content"], endpoint.name


def test_format_is_taken_out_and_the_rest_kept_as_sent() -> None:
    asked, rest = take_format(b"name=%C3%B8&format=csv&filter%5Bx%5D=1&")
    assert asked == FormatAsked("csv", ("name", "filter[x]"))
    assert rest == b"name=%C3%B8&filter%5Bx%5D=1&"
    assert take_format(b"status=open") == (None, b"status=open")
    assert take_format(b"%66ormat=json") == (FormatAsked("json", ()), b"")


async def test_a_head_of_an_export_answers_its_headers_without_rows(tenant: Tenant) -> None:
    await build_world(tenant)
    async with tenant.client(tenant.admin_token) as client:
        head = await client.head("/api/v1/assignments", params={"format": "csv"})
        missing = await client.head(
            "/api/v1/assignments/mentor/mentor_01AAAAAAAAAAAAAAAAAAAAAAAA/active",
            params={"format": "csv"},
        )
    assert head.status_code == 200
    assert head.headers["content-type"] == CSV
    assert head.content == b""
    assert missing.status_code == 404
