"""The real ``caseworks import`` command: the report on stdout, exit 1 when refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from caseworks.cli import PROGRESS_FROM_ROWS, ProgressBar
from caseworks.db import DatabaseURL
from tests.support.processes import cli_env
from tests.support.servers import CASEWORKS

CONTACTS = "contact_id;name\ncontact_per1;Per Olsen\ncontact_liv2;Liv Svendsen\n"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEWORKS, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_import_prints_the_report_and_a_second_run_changes_nothing(
    database_url: DatabaseURL, tmp_path: Path
) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "Fjordby kommune").stdout.strip()
    file = tmp_path / "contacts.csv"
    file.write_text(CONTACTS)

    dry = run(env, "import", "contacts", str(file), "--agency", agency_id, "--dry-run")
    first = run(env, "import", "contacts", str(file), "--agency", agency_id)
    second = run(env, "import", "contacts", str(file), "--agency", agency_id)

    assert dry.returncode == first.returncode == second.returncode == 0, first.stderr
    assert json.loads(dry.stdout)["created"] == 2
    assert json.loads(first.stdout)["created"] == 2
    assert json.loads(second.stdout)["unchanged"] == 2


def test_a_refused_file_exits_1_with_the_report(database_url: DatabaseURL, tmp_path: Path) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "Fjordby kommune").stdout.strip()
    file = tmp_path / "contacts.csv"
    file.write_text("contact_id,name\ncontact_per1,\n")

    result = run(env, "import", "contacts", str(file), "--agency", agency_id)

    assert result.returncode == 1
    assert json.loads(result.stdout)["errors"] == [
        {"line": 2, "column": "name", "detail": "is required"}
    ]
    unknown = run(env, "import", "contacts", str(file), "--agency", "agency_nope")
    assert unknown.returncode == 2
    assert "agency_nope" in unknown.stderr


def test_the_agency_may_be_left_out_when_there_is_only_one(tmp_path: Path) -> None:
    env = cli_env(DatabaseURL.parse(f"sqlite:///{tmp_path / 'one.db'}"))
    assert run(env, "migrate").returncode == 0
    file = tmp_path / "contacts.csv"
    file.write_text(CONTACTS)
    assert "--agency" in run(env, "import", "contacts", str(file)).stderr  # none yet

    run(env, "agency", "create", "Fjordby kommune")
    only = run(env, "import", "contacts", str(file))
    assert only.returncode == 0, only.stderr
    assert json.loads(only.stdout)["created"] == 2

    run(env, "agency", "create", "Another")
    several = run(env, "import", "contacts", str(file))
    assert several.returncode == 2
    assert "--agency" in several.stderr


def test_the_progress_bar_appears_only_for_a_long_file(capsys: pytest.CaptureFixture[str]) -> None:
    short = ProgressBar()
    short(10, 20)
    short.close()
    assert capsys.readouterr().err == ""

    long = ProgressBar()
    for done in range(0, 2 * PROGRESS_FROM_ROWS + 1, PROGRESS_FROM_ROWS):
        long(done, 2 * PROGRESS_FROM_ROWS)
    long.close()
    assert "importing" in capsys.readouterr().err
