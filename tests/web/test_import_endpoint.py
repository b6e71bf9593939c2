"""POST /api/v1/imports/{kind}: a CSV body in, the report out (or a 422 problem holding it)."""

from __future__ import annotations

import httpx

from caseworks.auth.principal import Role
from caseworks.web.app import declared_endpoints
from caseworks.web.openapi_document import openapi_document
from tests.support.tenants import Tenant

CSV = {"Content-Type": "text/csv"}
CONTACTS = b"contact_id,name,email\ncontact_per1,Per Olsen,per@example.org\n"


async def test_an_import_answers_its_report(api: httpx.AsyncClient) -> None:
    answer = await api.post("/api/v1/imports/contacts", content=CONTACTS, headers=CSV)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "more_errors": 0,
    }
    contact = await api.get("/api/v1/contacts/contact_per1")
    assert contact.json()["email"] == "per@example.org"
    again = await api.post(
        "/api/v1/imports/contacts",
        content=CONTACTS,
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
    assert again.json()["unchanged"] == 1


async def test_a_refused_file_is_a_problem_holding_the_report(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/imports/contacts", content=b"contact_id,name\ncontact_per1,\n", headers=CSV
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["title"] == "Unprocessable Content"
    assert body["detail"] == "the file was not imported: 1 problem; nothing was written"
    assert body["errors"] == [{"line": 2, "column": "name", "detail": "is required"}]
    assert (body["rows"], body["created"], body["more_errors"]) == (1, 0, 0)
    assert "request_id" in body


async def test_a_dry_run_writes_nothing(api: httpx.AsyncClient) -> None:
    answer = await api.post("/api/v1/imports/contacts?dry_run=true", content=CONTACTS, headers=CSV)

    assert answer.json()["created"] == 1
    assert (await api.get("/api/v1/contacts/contact_per1")).status_code == 404


async def test_the_body_must_be_csv(api: httpx.AsyncClient) -> None:
    answer = await api.post("/api/v1/imports/contacts", json={"name": "Per"})

    assert answer.status_code == 415
    assert answer.json()["errors"] == [{"header": "Content-Type", "detail": "must be text/csv"}]


async def test_an_unknown_kind_is_404_and_an_unknown_parameter_400(api: httpx.AsyncClient) -> None:
    unknown = await api.post("/api/v1/imports/applications", content=CONTACTS, headers=CSV)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    extra = await api.post("/api/v1/imports/contacts?force=1", content=CONTACTS, headers=CSV)
    assert extra.status_code == 400


async def test_only_admins_import(tenant: Tenant) -> None:
    for role in (Role.SUPERVISOR, Role.CASEWORKER):
        async with tenant.client(await tenant.token(role)) as client:
            answer = await client.post("/api/v1/imports/contacts", content=CONTACTS, headers=CSV)
        assert answer.status_code == 403, role


def test_the_document_shows_the_csv_body_and_the_report() -> None:
    operation = openapi_document(declared_endpoints())["paths"]["/api/v1/imports/{kind}"]["post"]

    assert operation["requestBody"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportReport"
    }
    problem = operation["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {
        "anyOf": [
            {"$ref": "#/components/schemas/Problem"},
            {"$ref": "#/components/schemas/ImportProblem"},
        ]
    }
    assert [parameter["name"] for parameter in operation["parameters"]] == ["kind", "dry_run"]


async def test_a_file_over_the_body_limit_is_413_before_it_is_read(api: httpx.AsyncClient) -> None:
    rows = b"".join(b"contact_c%07d,Contact\n" % n for n in range(80_000))  # about 1.8 MB

    answer = await api.post(
        "/api/v1/imports/contacts", content=b"contact_id,name\n" + rows, headers=CSV
    )

    assert answer.status_code == 413
    assert (await api.get("/api/v1/contacts")).json()["pagination"]["total"] == 0
