"""`caseworks export KIND`: the file `format=csv` gives, for every kind of record."""

from __future__ import annotations

import io
import subprocess

import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.cli import _EXPORT_KINDS
from caseworks.csvio.csv_import import KINDS as IMPORTED_KINDS
from caseworks.csvio.csv_import import import_csv
from caseworks.csvio.exports import KINDS, write_export
from caseworks.db import DatabaseURL
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
