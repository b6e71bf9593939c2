"""Hostile input on every path parameter, query parameter and body field: a clear 4xx naming
what was wrong, never a 5xx, and nothing written.

The corpus is swept over the operations of the OpenAPI document itself, so a new endpoint is
covered the day it is added.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson
import pytest

from caseworks.auth.principal import Role
from caseworks.db import Database
from tests.support.childwelfare import JSONAPI, intake_document
from tests.support.figures import Figures
from tests.support.tenants import Tenant
from tests.support.world import build_world

# Values that name no record: SQL and path metacharacters, NUL, invalid UTF-8, 10 kB.
HOSTILE_IDS = (
    "' OR '1'='1",
    "1; DROP TABLE assignments; --",
    "mentor_x' UNION SELECT token_hash FROM api_tokens --",
    "a\x00b",
    "%FF%FE",  # sent as is: invalid UTF-8 once decoded
    "../../etc/passwd",
    "${jndi:ldap://example.org/a}",
    "<script>alert(1)</script>",
    "x" * 10_240,
    "🙂" * 50,
)

# Digits outside ASCII, which int() and a lax parser read as numbers: full-width, superscript,
# Arabic-Indic, N'Ko, Devanagari, mathematical bold. A whole number is written 0-9 only.
UNICODE_DIGITS = ("１０", "１２", "²", "٣", "߁", "१२", "𝟏𝟐")
# Dates and times whose digits are not all ASCII.
UNICODE_DATES = ("２０２４-01-01", "٢٠٢٤-٠١-٠١", "2024-0١-01", "2024-01-01T１２:00:00Z")
# Days outside 1900–2999, on either side of the range and far from it.
OUT_OF_RANGE_DAYS = ("0000-01-01", "0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31")


def written_forms(day: str) -> tuple[str, ...]:
    """A day as a day, and as moments of it: without a zone, in UTC, at the farthest offsets."""
    return (
        day,
        f"{day}T00:00:00",
        f"{day} 12:00:00",
        f"{day}T12:00:00Z",
        f"{day}T23:59:59+14:00",
        f"{day}T00:00:00-14:00",
    )


# Outside the range as written, or only once the moment is taken to UTC.
OUT_OF_RANGE_DATES = (
    *(form for day in OUT_OF_RANGE_DAYS for form in written_forms(day)),
    "1900-01-01T00:00:00+00:01",
    "1900-01-01T00:00:00+14:00",
    "2999-12-31T23:59:59-00:01",
    "2999-12-31T23:59:59-14:00",
)
# The edges of the range, which every date and date-time parameter takes, with and without a
# time and a zone: an end-of-day filter on the last day or second reaches past it without
# overflowing.
IN_RANGE_EDGES = (
    "1900-01-01",
    "1900-01-01T00:00:00",
    "1900-01-01 00:00:00",
    "1900-01-01T00:00:00Z",
    "1900-01-01T00:00:00+00:00",
    "1900-01-01T00:00:00-14:00",
    "2999-12-31",
    "2999-12-31T23:59:59",
    "2999-12-31T23:59:59Z",
    "2999-12-31T23:59:59.999999Z",
    "2999-12-31T23:59:59+14:00",
)
# Values the bounded types refuse wherever a number or a date is read.
OUT_OF_BOUNDS = (*UNICODE_DIGITS, *UNICODE_DATES, *OUT_OF_RANGE_DATES)

# Values no query parameter of ours accepts, except an id filter for the few that look like ids.
HOSTILE_QUERY_VALUES = (
    "' OR '1'='1",
    "created_at; DROP TABLE assignments",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e3",
    "1.5",
    "",
    "\x00",
    "%FF",
    "x" * 10_240,
    "open,closed",
    # Signs and spaces around digits, and digits grouped as Python writes them.
    "+10",
    " 10",
    "10 ",
    "- 1",
    "1_0",
    "2024-02-30",
    *OUT_OF_BOUNDS,
)
DATE_PARAMETERS = {
    "assigned_from",
    "assigned_to",
    "last_contact_before",
    "created_start_date",
    "created_end_date",
    "updated_start_date",
    "updated_end_date",
}
# Text filters, by their longest value: a search.
FREE_TEXT = {"full_name_contains": 200}
# Identifiers other systems give records, matched exactly: any text up to their bound is one.
EXACT_TEXT = {
    "client_id",
    "external_identifier",
    "external_group_id",
    "license_external_identifier",
    "agency_placement_external_identifier",
}
# An empty include (or Binti's included) asks for nothing more.
QUERY_ALSO_VALID = {"include": ("",), "included": ("",)}
ID_SHAPED = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")
# A Binti-compatible record may carry its client's own id, "-1" as well.
CASEWORK_ID_SHAPED = re.compile(r"[A-Za-z0-9_\-]{1,64}")
CASEWORK_ID_FILTERS = ("child_id", "application_id")

# Values of the wrong type or out of every range, for any body field.
WRONG_VALUES: tuple[Any, ...] = (
    10**30,
    -1,
    1e308,
    True,
    [],
    {"nested": {"deeper": 1}},
    "x" * 20_000,
    "a\x00b",
    "nul\x00@example.org",
)

TABLES = (
    "mentors",
    "contacts",
    "assignments",
    "agency_workers",
    "children",
    "applications",
    "worker_assignments",
    "audit_events",
    "outbox",
)


async def row_counts(db: Database, agency_id: str) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        counts[table] = await db.fetch_value(
            f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id", {"agency_id": agency_id}
        )
    return counts


def is_jsonapi(path: str) -> bool:
    return not path.startswith(("/api/v1/assignments", "/api/v1/mentors", "/api/v1/contacts"))


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def assert_refused(response: httpx.Response, *, naming: str | None = None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    if naming is not None:
        assert naming in response.text, response.text[:500]


@pytest.fixture
async def world(tenant: Tenant) -> dict[str, str]:
    return await build_world(tenant)


@pytest.fixture
async def client(tenant: Tenant) -> Any:
    async with tenant.client(tenant.admin_token) as admin:
        yield admin


@pytest.fixture
async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    document: dict[str, Any] = (await client.get("/openapi.json")).json()
    return document


# Valid bodies, so that a refusal can only be about the hostile part of the request.
def valid_body(method: str, path: str, ids: dict[str, str]) -> Any:
    if method in ("GET", "DELETE"):
        return None
    if path.endswith("/status"):
        return {"status": "closed"}
    if path.startswith("/api/v1/assignments"):
        return {"notes": "fine"}
    if path.startswith(("/api/v1/mentors", "/api/v1/contacts")):
        return {"name": "Fine"}
    if path == "/api/v1/worker_assignments":
        return {
            "data": {
                "type": "worker-assignments",
                "attributes": {"role": "support"},
                "relationships": {
                    "worker": {"data": {"type": "agency-workers", "id": ids["unassigned_worker"]}},
                    "child": {"data": {"type": "children", "id": ids["child"]}},
                },
            }
        }
    if path.endswith("/relationships/worker_assignments"):
        worker = {"type": "agency-workers", "id": ids["unassigned_worker"]}
        return {
            "data": [
                {
                    "type": "worker-assignments",
                    "attributes": {"role": "support"},
                    "relationships": {"worker": {"data": worker}},
                }
            ]
        }
    if (method, path) == ("POST", "/api/v1/user_agency_profiles"):
        attributes = {"role": "other_adult_in_home", "first-name": "Val", "last-name": "Id"}
        application = {"data": {"type": "applications", "id": ids["application"]}}
        return {
            "data": {
                "type": "user-agency-profiles",
                "attributes": attributes,
                "relationships": {"application": application},
            }
        }
    if (method, path) == ("POST", "/api/v1/applications"):
        applicant = {"first_name": "Val", "last_name": "Id", "email": "valid@example.org"}
        document = intake_document(applicant=applicant)
        co_applicant = {"data": {**applicant, "first_name": "Co"}}
        document["data"]["relationships"]["co-applicant-agency-profile"] = co_applicant
        return document
    kind = {
        "agency_workers": "agency-workers",
        "children": "children",
        "user_agency_profiles": "user-agency-profiles",
    }.get(path.split("/")[3], "initial-applications")
    return {"data": {"type": kind, "attributes": {}}}


async def test_hostile_ids_in_every_path_parameter_name_nothing(
    tenant: Tenant,
    client: httpx.AsyncClient,
    world: dict[str, str],
    openapi: dict[str, Any],
    figures: Figures,
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    tried, swept = 0, 0
    for method, template, _ in operations(openapi):
        if "{" not in template:
            continue
        swept += 1
        for hostile in HOSTILE_IDS:
            encoded = hostile if hostile.startswith("%") else quote(hostile, safe="")
            path = re.sub(r"\{[^}]+\}", encoded, template)
            headers = {"Content-Type": JSONAPI if is_jsonapi(template) else "application/json"}
            body = valid_body(method, template, world)
            response = await client.request(
                method,
                path,
                content=None if body is None else orjson.dumps(body),
                headers=headers,
            )
            tried += 1
            assert_refused(response)
            if method == "GET":
                assert response.status_code == 404, (path[:200], response.text[:300])
    figures.record("requests", tried, "requests")
    figures.record("operations with a path parameter", swept, "operations")
    assert tried > 200
    assert await row_counts(tenant.db, tenant.agency_id) == before


@dataclass(frozen=True)
class QueryParameter:
    """A query parameter of one operation, by its name and by each spelling a client may use."""

    name: str
    spellings: tuple[str, ...]
    takes_dates: bool


def query_parameters(operation: dict[str, Any]) -> list[QueryParameter]:
    """The operation's documented query parameters; a filter is also swept as ``filter[…]``."""
    found = []
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        name = parameter["name"]
        spelled = f"filter[{name}]"
        also = (spelled,) if spelled in parameter.get("description", "") else ()
        found.append(QueryParameter(name, (name, *also), _takes_dates(parameter["schema"])))
    return found


def parameters_named(response: httpx.Response) -> list[str]:
    """The parameters an error answer names: ``source.parameter`` (JSON:API) or ``parameter``
    (RFC 9457)."""
    errors = response.json().get("errors", [])
    return [error.get("source", error).get("parameter") for error in errors]


def assert_refused_naming_parameter(response: httpx.Response, parameter: str) -> None:
    assert 400 <= response.status_code < 500, (parameter, response.status_code, response.text[:500])
    assert parameter in parameters_named(response), (parameter, response.text[:500])


def why_taken(parameter: str, value: str) -> str | None:
    """Why ``parameter`` takes the hostile ``value`` (a search for it, an id naming nothing), or
    None when it must refuse it."""
    if parameter in FREE_TEXT and "\x00" not in value and len(value) <= FREE_TEXT[parameter]:
        return "search"
    if parameter in EXACT_TEXT and "\x00" not in value and len(value) <= 255:  # its maximum
        return "names nothing"
    if value in QUERY_ALSO_VALID.get(parameter, ()):
        return "valid"
    shape = CASEWORK_ID_SHAPED if parameter in CASEWORK_ID_FILTERS else ID_SHAPED
    if _is_id_filter(parameter) and shape.fullmatch(value):
        return "names nothing"
    return None


async def test_hostile_query_values_are_refused_naming_the_parameter(
    tenant: Tenant,
    client: httpx.AsyncClient,
    world: dict[str, str],
    openapi: dict[str, Any],
    figures: Figures,
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    tried, swept, bounded = 0, set(), 0
    for method, template, operation in operations(openapi):
        path = _path(template, world)
        body = valid_body(method, template, world)
        content = None if body is None else orjson.dumps(body)
        headers = {"Content-Type": JSONAPI if is_jsonapi(template) else "application/json"}
        for parameter in query_parameters(operation):
            for spelled in parameter.spellings:
                swept.add((method, template, spelled))
                for hostile in HOSTILE_QUERY_VALUES:
                    taken = why_taken(parameter.name, hostile)
                    if taken and method != "GET":
                        continue  # a create it takes would be written: only refusals are sent
                    value = hostile if hostile.startswith("%") else quote(hostile, safe="")
                    query = f"{quote(spelled, safe='')}={value}"
                    response = await client.request(
                        method, f"{path}?{query}", content=content, headers=headers
                    )
                    tried += 1
                    bounded += hostile in OUT_OF_BOUNDS
                    if taken is None:
                        assert_refused_naming_parameter(response, spelled)
                        continue
                    assert response.status_code == 200, (spelled, hostile, response.text[:300])
                    if taken == "names nothing":
                        assert response.json()["data"] == []
    figures.record("requests", tried, "requests")
    figures.record("parameters swept, each spelling of each operation", len(swept), "parameters")
    figures.record("hostile values per parameter", len(HOSTILE_QUERY_VALUES), "values")
    figures.record("of them, Unicode digits and out-of-range dates", bounded, "requests")
    assert tried > 300
    # Every JSON:API operation takes Binti's tz; creates read a page's query too.
    assert {method for method, _, _ in swept} == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert await row_counts(tenant.db, tenant.agency_id) == before


def _is_id_filter(parameter: str) -> bool:
    return parameter.endswith("_id")


def _takes_dates(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", schema.get("oneOf", [schema]))
    return any(option.get("format") in ("date", "date-time") for option in options)


def _path(template: str, world: dict[str, str]) -> str:
    return template.format(
        mentor_id=world["mentor"],
        assignment_id=world[
            "worker_assignment" if "worker_assignments" in template else "assignment"
        ],
        person_id=world["mentor"],
        record_id=world[_record_of(template)],
    )


def _record_of(template: str) -> str:
    """Which record of the world a template's ``{record_id}`` names."""
    collection = template.split("/")[3]
    return {
        "applications": "application",
        "agency_workers": "worker",
        "worker_caseloads": "worker",
        "user_agency_profiles": "profile",
    }.get(collection, "child")


async def test_the_edges_of_the_date_range_are_taken_by_every_date_parameter(
    client: httpx.AsyncClient, world: dict[str, str], openapi: dict[str, Any], figures: Figures
) -> None:
    found, spelled_pairs, tried = set(), 0, 0
    for method, template, operation in operations(openapi):
        dates = [parameter for parameter in query_parameters(operation) if parameter.takes_dates]
        assert method == "GET" or not dates, (method, template)  # else the sweep would write
        if not dates:
            continue
        path = _path(template, world)
        for parameter in dates:
            found.add(parameter.name)
            for spelled in parameter.spellings:
                spelled_pairs += 1
                for edge in IN_RANGE_EDGES:
                    response = await client.get(path, params={spelled: edge})
                    tried += 1
                    assert response.status_code == 200, (path, spelled, edge, response.text[:300])
        # The whole range at once, as a report over every case would ask for it.
        if any(parameter.name == "created_start_date" for parameter in dates):
            everything = {"created_start_date": "1900-01-01", "created_end_date": "2999-12-31"}
            response = await client.get(path, params=everything)
            assert response.status_code == 200, response.text[:300]
            assert response.json()["data"] != []
    figures.record("requests", tried, "requests")
    figures.record("date parameters, each spelling of each operation", spelled_pairs, "parameters")
    figures.record("edges, with and without times and zones", len(IN_RANGE_EDGES), "values")
    assert found == DATE_PARAMETERS


def _create_bodies(ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    worker = {"type": "agency-workers", "id": ids["unassigned_worker"]}
    item = {
        "type": "worker-assignments",
        "attributes": {"role": "support"},
        "relationships": {"worker": {"data": worker}},
    }
    flat = {
        **item,
        "attributes": {"role": "case_carrying"},
        "relationships": {
            "worker": {"data": worker},
            "child": {"data": {"type": "children", "id": ids["child"]}},
        },
    }
    return [
        ("/api/v1/worker_assignments", {"data": flat}),
        (
            f"/api/v1/children/{ids['child']}/relationships/worker_assignments",
            {"data": {**item, "attributes": {"role": "case_carrying"}}},
        ),
        (
            f"/api/v1/applications/{ids['application']}/relationships/worker_assignments",
            {"data": [item]},
        ),
    ]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sort=name", "sort"),
        ("page%5Bnumber%5D=%C2%B2", "page[number]"),
        ("page%5Bsize%5D=%EF%BC%91%EF%BC%90", "page[size]"),
        ("page%5Bsize%5D=0", "page[size]"),
        ("include=nope", "include"),
    ],
)
async def test_a_create_with_a_bad_query_writes_nothing(
    tenant: Tenant,
    client: httpx.AsyncClient,
    world: dict[str, str],
    query: str,
    parameter: str,
    figures: Figures,
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    for path, body in _create_bodies(world):
        response = await client.post(
            f"{path}?{query}", content=orjson.dumps(body), headers={"Content-Type": JSONAPI}
        )
        figures.add("creates refused for their query", 1, "requests")
        assert response.status_code == 400, (path, response.text[:300])
        assert response.json()["errors"][0]["source"] == {"parameter": parameter}
        assert await row_counts(tenant.db, tenant.agency_id) == before, path
    # The same requests with a good query are written: the refusal was about the query alone.
    for path, body in _create_bodies(world):
        response = await client.post(
            f"{path}?sort=-created_at&include=worker",
            content=orjson.dumps(body),
            headers={"Content-Type": JSONAPI},
        )
        assert response.status_code in (200, 201), (path, response.text[:300])
    assert await row_counts(tenant.db, tenant.agency_id) != before


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/assignments?page=1&page=2", "page"),
        ("/api/v1/assignments?limit=5&limit=100", "limit"),
        ("/api/v1/assignments/mentor/mentor_abc/active?page=1&page=1", "page"),
        ("/api/v1/worker_assignments?page%5Bnumber%5D=1&page[number]=2", "page[number]"),
        # One filter under its two spellings, even with one value: which did the caller mean?
        ("/api/v1/worker_assignments?role=support&filter[role]=support", "filter[role]"),
        ("/api/v1/worker_assignments?child_id=child_a&filter%5Bchild_id%5D=child_b", "child_id"),
        ("/api/v1/children?full_name_contains=a&filter[full_name_contains]=b", "full_name"),
    ],
)
async def test_a_query_parameter_given_twice_is_400(
    client: httpx.AsyncClient, path: str, parameter: str, figures: Figures
) -> None:
    response = await client.get(path)
    figures.add("cases", 1, "requests")
    assert response.status_code == 400
    assert parameter in response.text


# Names no mentoring operation declares: a new name, another case, a bracketed form, no name.
UNKNOWN_MENTORING_PARAMETERS = ("colour", "Page", "limit[]", "")


async def test_an_unknown_query_parameter_is_400_naming_it_on_every_mentoring_operation(
    tenant: Tenant, client: httpx.AsyncClient, world: dict[str, str], openapi: dict[str, Any]
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    swept = 0
    for method, template, operation in operations(openapi):
        if is_jsonapi(template):
            continue
        swept += 1
        path = _path(template, world)
        body = valid_body(method, template, world)
        known = [parameter.name for parameter in query_parameters(operation)]
        for name in UNKNOWN_MENTORING_PARAMETERS:
            # Beside a valid known parameter where there is one: the unknown name alone is wrong.
            query = urlencode({**({known[0]: "1"} if known else {}), name: "x"})
            response = await client.request(
                method,
                f"{path}?{query}",
                content=None if body is None else orjson.dumps(body),
                headers={"Content-Type": "application/json"},
            )
            assert response.status_code == 400, (method, path, query, response.text[:300])
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"] == [
                {"parameter": name, "detail": "is not a parameter of this operation"}
            ]
    assert swept == 22  # every mentoring operation of the document
    assert await row_counts(tenant.db, tenant.agency_id) == before


async def test_unknown_query_parameters_are_all_named_before_any_value_is_checked(
    client: httpx.AsyncClient, world: dict[str, str]
) -> None:
    response = await client.get("/api/v1/assignments?page=0&b=1&status=x&a=2")
    assert response.status_code == 400  # not 422 for page and status: the names come first
    assert [error["parameter"] for error in response.json()["errors"]] == ["b", "a"]
    assert response.json()["detail"].endswith(": b, a")
    many = "&".join(f"p{number}=1" for number in range(60))
    response = await client.get(f"/api/v1/mentors?{many}")
    assert response.status_code == 400
    assert len(response.json()["errors"]) == 50
    assert response.json()["detail"].endswith("… and 10 more problems")
    # A query string with no parameter in it asks for nothing unknown.
    open_count = f"/api/v1/assignments/mentor/{world['mentor']}/open-count"
    for path in ("/api/v1/assignments?", "/api/v1/assignments?&", f"{open_count}?&"):
        assert (await client.get(path)).status_code == 200, path


# Names no operation of the Binti-compatible API takes: invented, a filter it lacks, a Python
# field name, JSON:API features it does not support, a known name in another case.
UNKNOWN_JSONAPI_PARAMETERS = (
    "unknown",
    "filter[unknown]",
    "page_number",
    "fields[children]",
    "page[offset]",
    "Sort",
)


async def test_an_unknown_query_parameter_is_400_naming_it_on_every_jsonapi_operation(
    tenant: Tenant,
    client: httpx.AsyncClient,
    world: dict[str, str],
    openapi: dict[str, Any],
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    tried = set()
    for method, template, _ in operations(openapi):
        if not is_jsonapi(template):
            continue
        path = _path(template, world)
        body = valid_body(method, template, world)
        for name in UNKNOWN_JSONAPI_PARAMETERS:
            response = await client.request(
                method,
                f"{path}?{quote(name, safe='')}=1",
                content=None if body is None else orjson.dumps(body),
                headers={"Content-Type": JSONAPI},
            )
            assert response.status_code == 400, (method, path, name, response.text[:300])
            sources = [error.get("source") for error in response.json()["errors"]]
            assert {"parameter": name} in sources, (method, path, name, sources)
        tried.add((method, template))
    assert len(tried) == 29  # every operation of the surface, those without parameters too
    assert await row_counts(tenant.db, tenant.agency_id) == before


# Every body field of every write, by JSON Pointer into a valid body.
def body_cases(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    child = {"type": "children", "id": ids["child"]}
    worker = {"type": "agency-workers", "id": ids["unassigned_worker"]}
    assignment = f"/api/v1/assignments/{ids['assignment']}"
    return [
        (
            "POST",
            "/api/v1/assignments",
            {"mentor_id": ids["mentor"], "contact_id": ids["free_contact"], "notes": "n"},
            ["/mentor_id", "/contact_id", "/notes", "/assigned_date", "/last_contact_date"],
        ),
        (
            "PUT",
            assignment,
            {"notes": "n"},
            ["/notes", "/assigned_date", "/last_contact_date"],
        ),
        ("PATCH", f"{assignment}/status", {"status": "closed"}, ["/status", "/reason"]),
        (
            "POST",
            "/api/v1/mentors",
            {"name": "N", "email": "n@example.org", "phone": "+4712345678"},
            ["/name", "/email", "/phone", "/mentor_id"],
        ),
        ("PUT", f"/api/v1/contacts/{ids['contact']}", {"name": "N"}, ["/name", "/email"]),
        (
            "POST",
            "/api/v1/worker_assignments",
            {
                "data": {
                    "type": "worker-assignments",
                    "attributes": {"role": "support"},
                    "relationships": {"child": {"data": child}, "worker": {"data": worker}},
                }
            },
            [
                "/data/type",
                "/data/attributes/role",
                "/data/relationships/child/data/id",
                "/data/relationships/child/data/type",
                "/data/relationships/worker/data/id",
                "/data/relationships/worker",
            ],
        ),
        (
            "POST",
            "/api/v1/children",
            {"data": {"type": "children", "attributes": {"last-name": "N"}}},
            [
                "/data/attributes/last-name",
                "/data/attributes/first-name",
                "/data/attributes/date-of-birth",
                "/data/attributes/external-identifier",
            ],
        ),
        (
            "PATCH",
            f"/api/v1/agency_workers/{ids['worker']}",
            {"data": {"type": "agency-workers", "id": ids["worker"], "attributes": {}}},
            [
                "/data/id",
                "/data/attributes/email",
                "/data/attributes/active",
                "/data/attributes/assignable-roles",
            ],
        ),
        (
            "POST",
            "/api/v1/applications",
            {"data": {"type": "initial-applications", "attributes": {}}},
            ["/data/attributes/status", "/data/attributes/applicant-name"],
        ),
    ]


def with_value(body: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    copy: dict[str, Any] = orjson.loads(orjson.dumps(body))
    *parents, last = pointer.strip("/").split("/")
    node = copy
    for part in parents:
        node = node[part]
    node[last] = value
    return copy


# A StrictBool field takes true and a list of roles may be empty; everything else in WRONG_VALUES
# is wrong for every field.
ALSO_VALID: dict[str, tuple[Any, ...]] = {
    "/data/attributes/active": (True,),
    "/data/attributes/assignable-roles": ([],),
}


async def test_wrong_values_in_every_body_field_are_refused_naming_the_field(
    tenant: Tenant, client: httpx.AsyncClient, world: dict[str, str], figures: Figures
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    tried = 0
    for method, path, body, pointers in body_cases(world):
        headers = {"Content-Type": JSONAPI if is_jsonapi(path) else "application/json"}
        for pointer in pointers:
            for value in WRONG_VALUES:
                if any(
                    value == ok and type(value) is type(ok) for ok in ALSO_VALID.get(pointer, ())
                ):
                    continue
                hostile = json.dumps(with_value(body, pointer, value)).encode()  # big ints too
                response = await client.request(method, path, content=hostile, headers=headers)
                tried += 1
                field = pointer.rsplit("/", 1)[-1]
                assert_refused(response, naming=field)
    figures.record("requests", tried, "requests")
    assert tried > 250
    assert await row_counts(tenant.db, tenant.agency_id) == before


def date_fields(schema: dict[str, Any], components: dict[str, Any], at: str = "") -> dict[str, str]:
    """JSON Pointers to every property documented as a date or a date-time, with its format."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    found: dict[str, str] = {}
    for option in (*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])):
        found |= date_fields(option, components, at)
    if schema.get("format") in ("date", "date-time"):
        found[at] = schema["format"]
    for name, value in schema.get("properties", {}).items():
        found |= date_fields(value, components, f"{at}/{name}")
    return found


async def body_around_a_date(
    client: httpx.AsyncClient,
    ids: dict[str, str],
    method: str,
    template: str,
    fresh: bool,
    pointer: str = "",
) -> dict[str, Any]:
    """A valid body for an operation that takes a date at ``pointer``; ``fresh`` when it is to be
    written, so a create names records no earlier create has used."""
    if (method, template) == ("POST", "/api/v1/assignments"):
        contact = ids["free_contact"]
        if fresh:
            made = await client.post("/api/v1/contacts", json={"name": "Edge Contact"})
            contact = made.json()["contact_id"]
        return {"mentor_id": ids["mentor"], "contact_id": contact}
    if (method, template) == ("PUT", "/api/v1/assignments/{assignment_id}"):
        return {}
    if (method, template) == ("POST", REASSIGN):
        return {"mentor_id": ids["free_mentor"], "reason": "edge of the range"}
    if (method, template) == ("POST", "/api/v1/assignments/bulk-reassign"):
        # A dry run: the dates are the filter's, and nothing is written.
        selection = {"filter": {}, "dry_run": True}
        return {"mentor_id": ids["free_mentor"], "reason": "edge of the range", **selection}
    if (method, template) == ("POST", "/api/v1/children"):
        if pointer.startswith("/child/"):  # the Binti-compatible body
            return {"child": {"last_name": "Edge"}}
        return {"data": {"type": "children", "attributes": {"last-name": "Edge"}}}
    if method in ("PATCH", "PUT") and template == "/api/v1/children/{record_id}":
        if pointer.startswith("/child/"):  # the Binti-compatible body
            return {"child": {}}
        return {"data": {"type": "children", "id": ids["child"], "attributes": {}}}
    if (method, template) == ("POST", "/api/v1/applications"):
        return {"data": {"type": "initial-applications", "attributes": {}}}
    if template == "/api/v1/applications/{record_id}":
        return {"data": {"type": "applications", "id": ids["application"], "attributes": {}}}
    if (method, template) == ("PUT", "/api/v1/user_agency_profiles/{record_id}"):
        return {"data": {"type": "user-agency-profiles", "id": ids["profile"], "attributes": {}}}
    if (method, template) == ("POST", "/api/v1/user_agency_profiles"):
        person: dict[str, Any] = valid_body(method, template, ids)
        return person
    raise AssertionError(f"{method} {template} takes a date: give it a valid body here")


REASSIGN = "/api/v1/assignments/{assignment_id}/reassign"


async def path_to_write(
    client: httpx.AsyncClient, world: dict[str, str], method: str, template: str
) -> str:
    """Where a write that takes a date goes: a reassignment moves a fresh open assignment each
    time (a moved one is closed)."""
    if (method, template) != ("POST", REASSIGN):
        return _path(template, world)
    contact = (await client.post("/api/v1/contacts", json={"name": "Edge Contact"})).json()
    made = await client.post(
        "/api/v1/assignments",
        json={"mentor_id": world["mentor"], "contact_id": contact["contact_id"]},
    )
    return REASSIGN.format(assignment_id=made.json()["assignment_id"])


def at_pointer(document: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        document = document[part]
    return document


def same_moment(stored: str, sent: str) -> bool:
    """Whether the stored time is the sent one, in UTC (a time without a zone is UTC), to the
    second."""
    moment = datetime.fromisoformat(sent)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return datetime.fromisoformat(stored) == moment.astimezone(UTC).replace(microsecond=0)


async def test_every_date_field_of_a_body_takes_the_edges_of_the_range_and_nothing_outside(
    tenant: Tenant,
    client: httpx.AsyncClient,
    world: dict[str, str],
    openapi: dict[str, Any],
    figures: Figures,
) -> None:
    components = openapi["components"]["schemas"]
    fields, refused, taken = set(), 0, 0
    for method, template, operation in operations(openapi):
        path = _path(template, world)
        headers = {"Content-Type": JSONAPI if is_jsonapi(template) else "application/json"}
        for content in operation.get("requestBody", {}).get("content", {}).values():
            for pointer, form in date_fields(content["schema"], components).items():
                fields.add((method, template, pointer))
                # A date field takes the day alone; a date-time field a day or a moment.
                edges = [e for e in IN_RANGE_EDGES if form == "date-time" or len(e) == 10]
                wrong = [*OUT_OF_BOUNDS, *(e for e in IN_RANGE_EDGES if e not in edges)]
                before = await row_counts(tenant.db, tenant.agency_id)
                body = await body_around_a_date(
                    client, world, method, template, fresh=False, pointer=pointer
                )
                for value in wrong:
                    response = await client.request(
                        method, path, json=with_value(body, pointer, value), headers=headers
                    )
                    refused += 1
                    assert_refused(response)
                    assert pointer in problem_pointers(response), (value, response.text[:300])
                assert await row_counts(tenant.db, tenant.agency_id) == before, (path, pointer)
                for edge in edges:
                    body = await body_around_a_date(
                        client, world, method, template, fresh=True, pointer=pointer
                    )
                    written = await path_to_write(client, world, method, template)
                    response = await client.request(
                        method, written, json=with_value(body, pointer, edge), headers=headers
                    )
                    taken += 1
                    assert response.status_code in (200, 201), (path, edge, response.text[:300])
                    answered = _answered_at(template, pointer)
                    if answered is None:  # a filter: the answer holds what it selected
                        continue
                    stored = at_pointer(response.json(), answered)
                    assert stored == edge if form == "date" else same_moment(stored, edge), stored
    figures.record("date fields, of every operation", len(fields), "fields")
    figures.record("out-of-range and non-ASCII values refused", refused, "requests")
    figures.record("edges taken and stored as sent", taken, "requests")
    # assignments (create: assigned_date; update: assigned_date, last_contact_date; reassign:
    # assigned_date; bulk reassign: the filter's assigned_from, assigned_to and
    # last_contact_before), children (create, and update by PATCH and by PUT, each in either
    # body: date-of-birth), applications (create, PATCH, PUT: status-date, date-of-inquiry,
    # date-application-signed), user agency profiles (create, PUT: date-of-birth)
    assert len(fields) == 24, fields


def _answered_at(template: str, pointer: str) -> str | None:
    """Where the answer holds what was sent at ``pointer`` (None: nowhere, for a filter): a
    Binti-compatible body's ``/child/date_of_birth`` is answered as
    ``/data/attributes/date-of-birth``, a reassignment's date as the new assignment's."""
    if pointer.startswith("/filter/"):
        return None
    if template == REASSIGN:
        return f"/opened{pointer}"
    if pointer.startswith("/child/"):
        return "/data/attributes/" + pointer.removeprefix("/child/").replace("_", "-")
    return pointer


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\xff\xfe"}',  # invalid UTF-8
        b'{"name": "\\ud800"}',  # a lone surrogate
        b'{"name": "N", "name": "M"}',  # which name?
        b'{"data": {"type": "children", "attributes": {"last-name": "A", "last-name": "B"}}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": 1e99999}',
        b"",
        b"null",
        b'"just a string"',
        b"[]",
    ],
    ids=lambda body: repr(body[:24]),
)
async def test_malformed_bodies_are_refused(
    tenant: Tenant, client: httpx.AsyncClient, body: bytes, figures: Figures
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    for path, content_type in (
        ("/api/v1/mentors", "application/json"),
        ("/api/v1/children", JSONAPI),
    ):
        response = await client.post(path, content=body, headers={"Content-Type": content_type})
        figures.add("requests", 1, "requests")
        assert_refused(response)
    assert await row_counts(tenant.db, tenant.agency_id) == before


@pytest.mark.parametrize(
    "text",
    [
        "Robert'); DROP TABLE mentors; --",
        "' OR '1'='1",
        "%s %d {0} $1 :name",
        "Ærlig Øystein Åsen 🙂",
        "<script>alert(1)</script>",
    ],
)
async def test_metacharacters_in_free_text_are_stored_verbatim(
    client: httpx.AsyncClient, text: str, figures: Figures
) -> None:
    figures.add("texts stored, on both surfaces", 2, "records")
    created = await client.post("/api/v1/mentors", json={"name": text})
    assert created.status_code == 201
    fetched = await client.get(f"/api/v1/mentors/{created.json()['mentor_id']}")
    assert fetched.json()["name"] == text

    child = await client.post(
        "/api/v1/children",
        json={"data": {"type": "children", "attributes": {"last-name": text}}},
        headers={"Content-Type": JSONAPI},
    )
    assert child.status_code == 201
    assert child.json()["data"]["attributes"]["last-name"] == text


@pytest.mark.parametrize("when", ["0393-03-23T08:23:49Z", "9999-12-31T23:00:00-05:00", "1e3"])
async def test_dates_far_outside_a_case_are_422(
    client: httpx.AsyncClient, world: dict[str, str], when: str
) -> None:
    response = await client.put(
        f"/api/v1/assignments/{world['assignment']}", json={"last_contact_date": when}
    )
    assert response.status_code == 422
    assert "last_contact_date" in response.text


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/api/v1/mentors", b'{"name": "N", "name": "M"}', "application/json"),
        (
            "/api/v1/children",
            b'{"data": {"type": "children", "attributes": {"last-name": "A", "last-name": "B"}}}',
            JSONAPI,
        ),
    ],
)
async def test_a_key_given_twice_in_one_object_is_400(
    tenant: Tenant, client: httpx.AsyncClient, path: str, body: bytes, content_type: str
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    response = await client.post(path, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert "appears twice" in response.text
    assert await row_counts(tenant.db, tenant.agency_id) == before


# Characters no name holds: C0 and C1 controls, DEL, line and paragraph separators, bidirectional
# overrides, isolates and marks, zero-width spaces and joiners, the BOM, a soft hyphen.
REFUSED_IN_NAMES = (
    "\n",
    "\r",
    "\t",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
)
# Names as people have them; stored and returned exactly (after trimming outer spaces).
LEGITIMATE_NAMES = (
    "Ærlig Øystein Åsen",
    "Zoë Ångström-Müller",
    "D'Arcy O’Neill",
    "山田 太郎",
    "Nguyễn Thị Minh Khai",
    "محمد الأمين",
    "Sára Kovács\u00a0Jr.",  # a no-break space is a space, not a control
)


def name_fields(ids: dict[str, str]) -> list[tuple[str, str, Callable[[str], Any], str]]:
    """Every name field on both surfaces: method, path, body with the name, pointer."""

    def rest(value: str) -> Any:
        return {"name": value}

    def jsonapi(kind: str, attribute: str, record_id: str | None = None, **more: Any) -> Any:
        def body(value: str) -> Any:
            data = {"type": kind, "attributes": {attribute: value, **more}}
            return {"data": data if record_id is None else {**data, "id": record_id}}

        return body

    return [
        ("POST", "/api/v1/mentors", rest, "/name"),
        ("PUT", f"/api/v1/mentors/{ids['mentor']}", rest, "/name"),
        ("POST", "/api/v1/contacts", rest, "/name"),
        ("PUT", f"/api/v1/contacts/{ids['contact']}", rest, "/name"),
        (
            "POST",
            "/api/v1/agency_workers",
            jsonapi("agency-workers", "name", email="new@example.org"),
            "/data/attributes/name",
        ),
        (
            "PATCH",
            f"/api/v1/agency_workers/{ids['worker']}",
            jsonapi("agency-workers", "name", ids["worker"]),
            "/data/attributes/name",
        ),
        *(
            (
                "POST",
                "/api/v1/children",
                jsonapi("children", attribute, **({} if attribute == "last-name" else extra)),
                f"/data/attributes/{attribute}",
            )
            for attribute, extra in (
                ("first-name", {"last-name": "L"}),
                ("middle-name", {"last-name": "L"}),
                ("last-name", {}),
            )
        ),
        *(
            (
                "PATCH",
                f"/api/v1/children/{ids['child']}",
                jsonapi("children", attribute, ids["child"]),
                f"/data/attributes/{attribute}",
            )
            for attribute in ("first-name", "middle-name", "last-name")
        ),
        (
            "POST",
            "/api/v1/applications",
            jsonapi("initial-applications", "applicant-name"),
            "/data/attributes/applicant-name",
        ),
        (
            "PATCH",
            f"/api/v1/applications/{ids['application']}",
            jsonapi("initial-applications", "applicant-name", ids["application"]),
            "/data/attributes/applicant-name",
        ),
    ]


def problem_pointers(response: httpx.Response) -> list[str]:
    body = response.json()
    if "errors" in body and body["errors"] and "source" in body["errors"][0]:
        return [error["source"].get("pointer") for error in body["errors"]]  # JSON:API
    return [error.get("pointer") for error in body["errors"]]  # RFC 9457


async def test_control_and_invisible_characters_in_names_are_422_naming_the_field(
    tenant: Tenant, client: httpx.AsyncClient, world: dict[str, str], figures: Figures
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    tried = 0
    for method, path, body, pointer in name_fields(world):
        headers = {"Content-Type": JSONAPI if is_jsonapi(path) else "application/json"}
        for character in REFUSED_IN_NAMES:
            # Inside, and at the end, where trimming would otherwise hide it.
            for name in (f"Emma{character}Bcc: x@example.org", f"Emma{character}"):
                response = await client.request(method, path, json=body(name), headers=headers)
                tried += 1
                assert response.status_code == 422, (method, path, repr(name), response.text)
                assert problem_pointers(response) == [pointer], response.text
                assert f"U+{ord(character):04X}" in response.text
    figures.record("requests", tried, "requests")
    figures.record("name fields", len(name_fields(world)), "fields")
    figures.record(
        "characters, each inside a name and at its end", len(REFUSED_IN_NAMES), "characters"
    )
    assert tried == 2 * len(REFUSED_IN_NAMES) * len(name_fields(world))
    assert await row_counts(tenant.db, tenant.agency_id) == before


@pytest.mark.parametrize("name", LEGITIMATE_NAMES)
async def test_names_in_any_script_are_stored_as_given(
    client: httpx.AsyncClient, world: dict[str, str], name: str
) -> None:
    for method, path, body, pointer in name_fields(world):
        headers = {"Content-Type": JSONAPI if is_jsonapi(path) else "application/json"}
        response = await client.request(method, path, json=body(f" {name} "), headers=headers)
        assert response.status_code in (200, 201), (method, path, response.text)
        document = response.json()
        stored = (
            document["data"]["attributes"][pointer.rsplit("/", 1)[-1]]
            if is_jsonapi(path)
            else document["name"]
        )
        assert stored == name


# --- error answers stay small, and roles are checked before bodies ------------------------------

MANY_KEYS = {f"k{number:05d}": 1 for number in range(90_000)}  # 990 kB of unknown keys


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/api/v1/mentors", MANY_KEYS, "application/json"),
        ("/api/v1/children", {"data": {"type": "children", "attributes": MANY_KEYS}}, JSONAPI),
    ],
    ids=["mentoring", "binti"],
)
async def test_an_error_answer_names_at_most_50_problems_and_counts_the_rest(
    tenant: Tenant,
    client: httpx.AsyncClient,
    path: str,
    body: dict[str, Any],
    content_type: str,
    figures: Figures,
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    content = orjson.dumps(body)
    assert len(content) < 1024 * 1024
    began = time.perf_counter()
    response = await client.post(path, content=content, headers={"Content-Type": content_type})
    elapsed = time.perf_counter() - began
    surface = "Binti-compatible API" if content_type == JSONAPI else "mentoring API"
    figures.record(f"body of unknown keys, {surface}", len(content) / 1024, "kB")
    figures.record(f"size of the 422, {surface}", len(response.content) / 1024, "kB")
    figures.record(f"time to the 422, in process, {surface}", elapsed * 1000, "ms")
    assert response.status_code == 422
    assert len(response.content) < 20_000  # not 6.6 or 12.9 MB
    answer = response.json()
    assert len(answer["errors"]) == 50
    # 90,000 unknown keys and the missing name: 90,001 problems, 50 of them shown.
    if content_type == JSONAPI:
        assert answer["meta"]["omitted-errors"] == 89_951
        assert answer["errors"][-1]["source"]["pointer"].startswith("/data/attributes/k")
    else:
        assert answer["detail"].endswith("… and 89,951 more problems")
        assert answer["errors"][0] == {"pointer": "/name", "detail": "is required"}
    assert await row_counts(tenant.db, tenant.agency_id) == before


async def test_a_few_problems_are_all_named_with_nothing_omitted(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/mentors", json={"name": "", "phone": "x", "extra": 1})
    assert response.status_code == 422
    assert [problem["pointer"] for problem in response.json()["errors"]] == [
        "/name",
        "/phone",
        "/extra",
    ]
    assert "more problem" not in response.json()["detail"]
    child = await client.post(
        "/api/v1/children",
        json={"data": {"type": "children", "attributes": {"extra": 1}}},
        headers={"Content-Type": JSONAPI},
    )
    assert child.status_code == 422
    assert "omitted-errors" not in child.json()["meta"]


def _writes(ids: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Writes by who may never make them: the role alone decides."""
    return {
        "mentor": [
            ("POST", "/api/v1/mentors"),
            ("POST", "/api/v1/contacts"),
            ("POST", "/api/v1/assignments"),
            ("POST", "/api/v1/children"),
            ("POST", "/api/v1/applications"),
            ("POST", "/api/v1/agency_workers"),
            ("POST", "/api/v1/worker_assignments"),
            ("POST", f"/api/v1/children/{ids['child']}/relationships/worker_assignments"),
            ("POST", f"/api/v1/applications/{ids['application']}/relationships/worker_assignments"),
            ("PATCH", f"/api/v1/children/{ids['child']}"),
            ("PATCH", f"/api/v1/agency_workers/{ids['worker']}"),
        ],
        "caseworker": [
            ("POST", "/api/v1/mentors"),
            ("PUT", f"/api/v1/mentors/{ids['mentor']}"),
            ("PUT", f"/api/v1/contacts/{ids['contact']}"),
            ("POST", "/api/v1/assignments"),
            ("PUT", f"/api/v1/assignments/{ids['assignment']}"),
            ("PATCH", f"/api/v1/assignments/{ids['assignment']}/status"),
            ("POST", "/api/v1/children"),
            ("POST", "/api/v1/applications"),
            ("POST", "/api/v1/agency_workers"),
            ("POST", "/api/v1/worker_assignments"),
            # It works this child and application: it may read them but change nothing.
            ("POST", f"/api/v1/children/{ids['child']}/relationships/worker_assignments"),
            ("POST", f"/api/v1/applications/{ids['application']}/relationships/worker_assignments"),
            ("PATCH", f"/api/v1/children/{ids['child']}"),
            ("PATCH", f"/api/v1/applications/{ids['application']}"),
        ],
    }


async def test_a_role_that_may_not_write_gets_403_without_its_body_being_validated(
    tenant: Tenant, world: dict[str, str], figures: Figures
) -> None:
    tokens = {
        "mentor": await tenant.token(Role.MENTOR, mentor_id=world["mentor"]),
        "caseworker": await tenant.token(Role.CASEWORKER, worker_id=world["worker"]),
    }
    before = await row_counts(tenant.db, tenant.agency_id)
    invalid = orjson.dumps(MANY_KEYS)  # any validation would answer 422 with 50 problems
    tried, slowest = 0, 0.0
    for role, writes in _writes(world).items():
        async with tenant.client(tokens[role]) as caller:
            for method, path in writes:
                content_type = JSONAPI if is_jsonapi(path) else "application/json"
                began = time.perf_counter()
                response = await caller.request(
                    method, path, content=invalid, headers={"Content-Type": content_type}
                )
                slowest = max(slowest, time.perf_counter() - began)
                tried += 1
                assert response.status_code == 403, (role, method, path, response.text[:300])
    figures.record("writes with a 1 MiB invalid body, each 403", tried, "requests")
    figures.record("slowest of those 403s, in process", slowest * 1000, "ms")
    assert tried == 25
    assert await row_counts(tenant.db, tenant.agency_id) == before


async def test_a_caseworker_changing_what_it_cannot_see_gets_404_before_its_body_is_read(
    tenant: Tenant, world: dict[str, str]
) -> None:
    token = await tenant.token(Role.CASEWORKER, worker_id=world["unassigned_worker"])
    invalid = orjson.dumps({"data": MANY_KEYS})
    async with tenant.client(token) as caller:
        for method, path in (
            ("POST", f"/api/v1/children/{world['child']}/relationships/worker_assignments"),
            ("PATCH", f"/api/v1/children/{world['child']}"),
            ("PATCH", f"/api/v1/applications/{world['application']}"),
        ):
            response = await caller.request(
                method, path, content=invalid, headers={"Content-Type": JSONAPI}
            )
            assert response.status_code == 404, (method, path, response.text[:300])


async def test_without_a_token_a_write_is_401_whatever_its_body(
    tenant: Tenant, world: dict[str, str]
) -> None:
    async with tenant.client() as anonymous:
        for method, path, content_type in (
            ("POST", "/api/v1/mentors", "application/json"),
            ("PUT", f"/api/v1/assignments/{world['assignment']}", "application/json"),
            ("POST", "/api/v1/mentors", "text/plain"),
            ("POST", "/api/v1/children", JSONAPI),
            ("PATCH", f"/api/v1/children/{world['child']}", JSONAPI),
            (
                "POST",
                f"/api/v1/children/{world['child']}/relationships/worker_assignments",
                JSONAPI,
            ),
        ):
            response = await anonymous.request(
                method,
                path,
                content=orjson.dumps(MANY_KEYS),
                headers={"Content-Type": content_type},
            )
            assert response.status_code == 401, (method, path, response.text[:300])
            assert response.headers["www-authenticate"] == "Bearer"


# --- input rules: one address per e-mail field, one spelling per key ---------------------------


def _email_pointers(schema: dict[str, Any], components: dict[str, Any], at: str) -> list[str]:
    """JSON Pointers to every property documented as an e-mail address."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    found = []
    for option in schema.get("anyOf", []):
        found += _email_pointers(option, components, at)
    if schema.get("format") == "email":
        found.append(at)
    for name, value in schema.get("properties", {}).items():
        found += _email_pointers(value, components, f"{at}/{name}")
    return sorted(set(found))


async def test_every_email_field_holds_exactly_one_address(
    tenant: Tenant,
    client: httpx.AsyncClient,
    world: dict[str, str],
    openapi: dict[str, Any],
    figures: Figures,
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    components = openapi["components"]["schemas"]
    tried = set()
    for method, template, operation in operations(openapi):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            for pointer in _email_pointers(content["schema"], components, ""):
                path = template.format(
                    person_id=world["mentor" if "mentors" in template else "contact"],
                    record_id=world["profile" if "profiles" in template else "worker"],
                )
                headers = {"Content-Type": JSONAPI if is_jsonapi(path) else "application/json"}
                for hostile in ("carl@example.org,root", "carl@example.org anna@example.org"):
                    body = with_value(valid_body(method, template, world), pointer, hostile)
                    response = await client.request(
                        method, path, content=orjson.dumps(body), headers=headers
                    )
                    assert response.status_code == 422, (method, path, response.text[:300])
                    assert pointer in response.text, (method, path, response.text[:300])
                tried.add((method, template))
                figures.add("requests", 2, "requests")
    figures.record("operations with an e-mail field", len(tried), "operations")
    # mentors and contacts (create, update), agency workers (create, update), an application's
    # applicant (intake), user agency profiles (create, update)
    assert len(tried) == 9, tried
    assert await row_counts(tenant.db, tenant.agency_id) == before


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        (
            "/api/v1/children",
            {"data": {"type": "children", "attributes": {"first-name": "A", "first_name": "B"}}},
            "/data/attributes/first_name",
        ),
        (
            "/api/v1/agency_workers",
            {
                "data": {
                    "type": "agency-workers",
                    "attributes": {
                        "name": "W",
                        "email": "w@example.org",
                        "assignable_roles": ["support"],
                        "assignable-roles": [],
                    },
                }
            },
            "/data/attributes/assignable-roles",
        ),
    ],
)
async def test_a_key_given_under_two_spellings_is_400(
    tenant: Tenant, client: httpx.AsyncClient, path: str, body: dict[str, Any], pointer: str
) -> None:
    before = await row_counts(tenant.db, tenant.agency_id)
    response = await client.post(path, json=body, headers={"Content-Type": JSONAPI})
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"pointer": pointer}
    assert await row_counts(tenant.db, tenant.agency_id) == before
