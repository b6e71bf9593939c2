"""`/import` (admins): a CSV file previewed by the import's dry run, then imported."""

from __future__ import annotations

import httpx
import pytest
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.tenants import Tenant

GOOD = (
    b"contact_id,name,email,phone\n"
    b"contact_ola01,Ola Hansen,ola@example.org,\n"
    b"contact_liv02,Liv Berg,,\n"
)
ONE_BAD_ROW = (
    b"contact_id,name,email,phone\n"
    b"contact_ola01,Ola Hansen,ola@example.org,\n"
    b"contact_liv02,Liv Berg,not-an-email,\n"
)


def upload(kind: str, data: bytes) -> dict[str, object]:
    return {
        "data": {"kind": kind, "step": "preview"},
        "files": {"file": ("contacts.csv", data, "text/csv")},
    }


async def contact_count(api: httpx.AsyncClient) -> int:
    answer = await api.get("/api/v1/contacts?limit=100")
    assert answer.status_code == 200, answer.text
    return len(answer.json()["data"])


async def test_the_form_asks_for_the_kind_and_the_file(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/import")
    assert answer.status_code == 200
    page = BeautifulSoup(answer.text, "html.parser")
    form = page.select_one("form.import-upload")
    assert form is not None
    assert form["enctype"] == "multipart/form-data"
    assert page.select_one("label[for=file]").get_text() == "CSV file"  # type: ignore[union-attr]
    assert page.select_one("input#file")["type"] == "file"  # type: ignore[index]
    kinds = [option["value"] for option in page.select("select#kind option")]
    assert kinds == ["mentors", "contacts", "assignments", "agency-workers", "children"]
    assert page.find("button", string="Preview") is not None


async def test_the_preview_shows_each_bad_row_and_writes_nothing(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post("/import", **upload("contacts", ONE_BAD_ROW))  # type: ignore[arg-type]
    assert answer.status_code == 422
    page = BeautifulSoup(answer.text, "html.parser")
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")]
        for row in page.select("table.import-errors tbody tr")
    ]
    assert len(rows) == 1
    assert rows[0][:2] == ["3", "email"]
    from_api = await api.post(
        "/api/v1/imports/contacts?dry_run=true",
        content=ONE_BAD_ROW,
        headers={"content-type": "text/csv"},
    )
    assert rows[0][2] == from_api.json()["errors"][0]["detail"]
    assert page.find("button", string="Import") is None
    assert await contact_count(api) == 0


async def test_a_clean_preview_then_import_writes_the_file(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        preview = await client.post("/import", **upload("contacts", GOOD))  # type: ignore[arg-type]
        assert preview.status_code == 200, preview.text
        assert await contact_count(api) == 0
        page = BeautifulSoup(preview.text, "html.parser")
        counts = [item.get_text() for item in page.select(".counts dd")]
        assert counts == ["2", "2", "0", "0"]
        confirm = page.select_one("form.import-confirm")
        assert confirm is not None
        fields = {
            str(field["name"]): str(field["value"])
            for field in confirm.select("input[type=hidden]")
        }
        fields.pop("csrf_token")
        as_multipart = {name: (None, value) for name, value in {**fields, "step": "import"}.items()}
        done = await client.post("/import", files=as_multipart)
    assert done.status_code == 200, done.text
    assert "The file was imported" in done.text
    assert await contact_count(api) == 2


async def test_without_a_file_or_a_kind_the_form_says_what_is_missing(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        no_file = await client.post("/import", data={"kind": "contacts", "step": "preview"})
        no_kind = await client.post("/import", **upload("planets", GOOD))  # type: ignore[arg-type]
    assert no_file.status_code == 400
    assert "Choose the CSV file" in no_file.text
    assert no_kind.status_code == 400
    assert "Choose the kind" in no_kind.text


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MENTOR, Role.CASEWORKER])
async def test_only_admins_import(tenant: Tenant, api: httpx.AsyncClient, role: Role) -> None:
    async with signed_in(tenant, role) as client:
        shown = await client.get("/import")
        sent = await client.post("/import", **upload("contacts", GOOD))  # type: ignore[arg-type]
    assert shown.status_code == 404
    assert sent.status_code == 404
    assert await contact_count(api) == 0


async def test_without_the_csrf_token_nothing_is_imported(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        del client.headers["X-CSRF-Token"]
        answer = await client.post(
            "/import",
            data={"kind": "contacts", "step": "import", "held": "Y29udGFjdF9pZCxuYW1lCg=="},
        )
    assert answer.status_code == 403
    assert await contact_count(api) == 0


async def test_a_file_too_large_to_keep_between_the_steps_is_refused(tenant: Tenant) -> None:
    limit = tenant.app.state.settings.max_body_bytes
    big = b"contact_id,name,email,phone\n" + b"x" * (limit * 3 // 4)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post("/import", **upload("contacts", big))  # type: ignore[arg-type]
    assert answer.status_code == 400  # the upload itself is under the limit; its copy would not be
    assert "too large to import from this page" in answer.text


async def test_htmx_gets_the_sections_fragment_with_the_problems(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            "/import",
            headers={"HX-Request": "true"},
            **upload("contacts", ONE_BAD_ROW),  # type: ignore[arg-type]
        )
    assert answer.status_code == 422
    assert answer.text.lstrip().startswith('<section class="import" id="import"')
    assert "<html" not in answer.text
    assert "import-errors" in answer.text
