"""Figures the reliability tests measure (requests sent, cases swept, seconds waited), written for
the reliability report and for nothing else.

With ``CASEWORKS_FIGURES=<path>`` set, each figure is appended to that file as one JSON line;
without it, recording does nothing, so no test depends on the report. ``python -m
tests.support.reliability_report`` renders the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

FIGURES_ENV = "CASEWORKS_FIGURES"
DATABASES = ("sqlite", "postgresql")
# "each": one measurement per run, shown as a range when runs differ (seconds, bytes).
# "total": a count that the runs of one test add up to (cases of a parametrized test).
Aggregate = Literal["each", "total"]


@dataclass(frozen=True)
class Figures:
    """Where one test's figures go: its id (``path::name``, without parameters) and the database
    it ran against, if any."""

    test: str
    database: str | None = None

    def record(self, name: str, value: float, unit: str = "") -> None:
        """A measurement of this run: runs of the test that differ are shown as a range."""
        self._write(name, value, unit, "each")

    def add(self, name: str, value: float, unit: str = "") -> None:
        """A count that adds up over the runs of this test, e.g. one case of a parametrized test."""
        self._write(name, value, unit, "total")

    def _write(self, name: str, value: float, unit: str, aggregate: Aggregate) -> None:
        target = os.environ.get(FIGURES_ENV)
        if not target:
            return
        line = {
            "test": self.test,
            "database": self.database,
            "name": name,
            "value": value,
            "unit": unit,
            "aggregate": aggregate,
        }
        # One short write in append mode per line: lines from one process never interleave.
        with Path(target).open("a", encoding="utf-8") as sink:
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")


def figures_of(nodeid: str, parameters: dict[str, object], fixtures: list[str]) -> Figures:
    """The figures of the test ``nodeid``, against the database one of its parameters names (or
    the one its fixtures fix, for tests that run on PostgreSQL only)."""
    test = nodeid.split("[", 1)[0]
    named = [value for value in parameters.values() if value in DATABASES]
    if named:
        return Figures(test, str(named[0]))
    fixed = [name.removesuffix("_url") for name in fixtures if name in ("postgresql_url",)]
    return Figures(test, fixed[0] if fixed else None)
