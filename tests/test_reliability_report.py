"""The figures the tests record, and the report made of them (`make reliability-report`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.figures import FIGURES_ENV, Figures, figures_of
from tests.support.reliability_report import read, render

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_without_the_variable_recording_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FIGURES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    Figures("tests/x.py::test_y", "sqlite").record("requests", 5, "requests")
    assert list(tmp_path.iterdir()) == []


def test_a_figure_names_its_test_without_parameters_and_its_database() -> None:
    found = figures_of("tests/x.py::test_y[postgresql-body0]", {"database_url": "postgresql"}, [])
    assert found == Figures("tests/x.py::test_y", "postgresql")
    only_postgresql = figures_of("tests/x.py::test_z", {}, ["postgresql_url", "tmp_path"])
    assert only_postgresql == Figures("tests/x.py::test_z", "postgresql")
    assert figures_of("tests/x.py::test_w", {"size": 3}, ["tmp_path"]).database is None


def test_the_report_shows_ranges_totals_and_each_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = tmp_path / "figures.jsonl"
    monkeypatch.setenv(FIGURES_ENV, str(sink))
    for database, seconds in (("sqlite", 0.25), ("postgresql", 0.5)):
        sweep = Figures("tests/web/test_a.py::test_sweep", database)
        sweep.record("requests", 1484, "requests")
        sweep.record("slowest", seconds, "s")
        sweep.record("slowest", 2 * seconds, "s")
        for _ in range(3):
            sweep.add("cases", 1, "cases")
    Figures("tests/web/test_b.py::test_limits").record("idle connection closed after", 0.4, "s")
    Figures("tests/web/test_b.py::test_limits").record("rows", 1, "rows")

    report = render(read(sink.read_text().splitlines()), "-q tests", NOW)
    assert "2026-12-01 12:00 UTC" in report
    assert "commit `" in report
    assert "| `test_sweep` | requests | 1,484 requests | 1,484 requests |" in report
    assert "|  | slowest | 0.250–0.500 s (2 runs) | 0.500–1 s (2 runs) |" in report
    assert "|  | cases | 3 cases | 3 cases |" in report
    assert "| test | figure | no database |" in report
    assert "| `test_limits` | idle connection closed after | 0.400 s |" in report
    assert "|  | rows | 1 row |" in report


def test_reliability_md_names_only_tests_that_exist() -> None:
    """Each `path` and `path::test` it cites is there; `::test` is in the file last named."""
    tests = Path(__file__).parent
    text = (tests.parent / "RELIABILITY.md").read_text(encoding="utf-8")
    guarantees = text[text.index("\n## ") :]  # after the introduction, which shows the notation
    cited = re.findall(r"`((?:[\w/]+\.py)?)(?:::(\w+))?`", guarantees)
    current, checked = "", 0
    for path, test in cited:
        if not path and not test:
            continue
        current = path or current
        where = tests.parent if current.startswith("src/") else tests
        source = (where / current).read_text(encoding="utf-8")
        if test:
            assert re.search(rf"def {test}\(", source), f"{current}::{test} is not a test"
        checked += 1
    assert checked > 50
