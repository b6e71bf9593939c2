"""`caseworks export KIND`: the file `format=csv` gives, for every kind of record."""

from __future__ import annotations

import io
import subprocess

import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.cli import _EXPORT_KINDS
from caseworks.csvio.csv_columns import export_columns
from caseworks.csvio.csv_import import KINDS as IMPORTED_KINDS
from caseworks.csvio.csv_import import import_csv
from caseworks.csvio.csv_writing import layout
from caseworks.csvio.exports import _SOURCES, KINDS, reader, write_export
from caseworks.db import DatabaseURL
from caseworks.db.base import StreamedRows
from tests.support.processes import cli_env
from tests.support.servers import CASEWORKS
from tests.support.tenants import Tenant
from tests.support.world import build_world

# Each kind's list on the API, as the command names the kind.
LISTS = {
    "mentors": "/api/v1/mentors",
    "contacts": "/api/v1/contacts",
    "assignments": "/api/v1/assignments",
    "agency-workers": "/api/v1/agency_workers",
    "children": "/api/v1/children",
    "applications": "/api/v1/applications",
    "user-agency-profiles": "/api/v1/user_agency_profiles",
    "worker-assignments": "/api/v1/worker_assignments",
    "worker-caseloads": "/api/v1/worker_caseloads",
}


def test_the_command_names_every_kind_it_exports() -> None:
    assert _EXPORT_KINDS == KINDS == tuple(LISTS)


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_is_the_file_of_its_list(tenant: Tenant, kind: str) -> None:
    await build_world(tenant)
    out = io.BytesIO()
    written = await write_export(tenant.db, tenant.agency_id, kind, out)
    async with tenant.client(tenant.admin_token) as client:
        answer = await client.get(LISTS[kind], params={"format": "csv"})
    assert written >= 1
    assert out.getvalue() == answer.content


@pytest.mark.parametrize("kind", KINDS)
async def test_a_streamed_batch_is_written_as_the_same_rows_read_by_name(
    tenant: Tenant, kind: str
) -> None:
    """A stream hands over plain records with the statement's column names; the text is what
    the same rows as mappings give, cell for cell and in the layout's column order."""
    await build_world(tenant)
    csv_layout = layout(kind)
    rows = 0
    async for batch in _SOURCES[kind](tenant.db, reader(tenant.agency_id)):
        if isinstance(batch, StreamedRows):
            assert set(csv_layout.columns) <= set(batch.columns)
            assert all(len(record) == len(batch.columns) for record in batch)
            assert csv_layout.rows(batch) == csv_layout.rows(batch.mappings())
            rows += len(batch)
        else:  # rows a service changed after reading them
            assert all(isinstance(row, dict) for row in batch)
    changed_after_reading = ("agency-workers", "children", "applications", "user-agency-profiles")
    assert rows >= 1 or kind in changed_after_reading


async def test_the_assignments_statement_selects_the_layouts_columns_in_order(
    tenant: Tenant,
) -> None:
    """Then the encoder takes each record as it comes, with no reordering."""
    await build_world(tenant)
    async for batch in _SOURCES["assignments"](tenant.db, reader(tenant.agency_id)):
        assert isinstance(batch, StreamedRows)
        assert batch.columns == export_columns("assignments") == layout("assignments").columns


def test_the_command_writes_the_file_to_stdout(database_url: DatabaseURL, tenant: Tenant) -> None:
    env = cli_env(database_url)
    done = subprocess.run(
        [CASEWORKS, "export", "contacts", "--agency", tenant.agency_id],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"contact_id,name,email,phone\r\n"
    assert b"exported 0 contacts" in done.stderr
    unknown = subprocess.run(
        [CASEWORKS, "export", "contacts", "--agency", "agency_nosuchagency"],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert unknown.returncode != 0
    assert b"no agency agency_nosuchagency" in unknown.stderr


@pytest.mark.parametrize("kind", tuple(IMPORTED_KINDS))
async def test_an_exported_file_imports_back_unchanged(tenant: Tenant, kind: str) -> None:
    """One vocabulary: what an export writes, an import of the same agency reads as the records
    it holds already, and writes nothing."""
    await build_world(tenant)
    out = io.BytesIO()
    assert await write_export(tenant.db, tenant.agency_id, kind, out) >= 1
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_round_trip")

    report = await import_csv(tenant.db, admin, kind, out.getvalue())

    assert report.as_dict()["errors"] == []
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == report.rows >= 1
