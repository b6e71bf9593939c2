"""Render the figures the reliability tests recorded (tests/support/figures.py) as markdown.

    python -m tests.support.reliability_report FIGURES OUTPUT [--ran "pytest arguments"]

``make reliability-report`` runs the tests with ``CASEWORKS_FIGURES`` set and then this; the
report says when and at which commit it was made, so a reader can tell how old its figures are.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

COLUMNS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", None: "no database"}


@dataclass
class Figure:
    """Every value one test recorded under one name against one database."""

    unit: str
    aggregate: str
    values: list[float] = field(default_factory=list)

    def shown(self) -> str:
        if self.aggregate == "total":
            return with_unit(sum(self.values), self.unit)
        low, high = min(self.values), max(self.values)
        if low == high:
            return with_unit(low, self.unit)
        return f"{number(low)}–{with_unit(high, self.unit)} ({len(self.values)} runs)"


def with_unit(value: float, unit: str) -> str:
    """``1 row``, ``2 rows``: units are given in the plural, as most figures are."""
    if value == 1 and len(unit) > 2 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{number(value)} {unit}".rstrip()


def number(value: float) -> str:
    """Whole numbers with thousands separators; others to three significant digits."""
    if float(value).is_integer():
        return f"{int(value):,}"
    places = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:,.{places}f}"


# test -> figure name -> database -> values
Table = dict[str, dict[str, dict[str | None, Figure]]]


def read(lines: Iterable[str]) -> Table:
    table: Table = {}
    for line in lines:
        if not line.strip():
            continue
        entry = json.loads(line)
        by_database = table.setdefault(entry["test"], {}).setdefault(entry["name"], {})
        figure = by_database.setdefault(
            entry["database"], Figure(entry["unit"], entry["aggregate"])
        )
        figure.values.append(entry["value"])
    return table


def git(*arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], capture_output=True, text=True, check=True
    ).stdout.strip()


def commit_described() -> str:
    """The commit the tests ran at, and whether tracked files differed from it."""
    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        changed = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit (not a git checkout)"
    return f"commit `{commit}`" + (" with uncommitted changes" if changed else "")


def provenance(ran: str, now: datetime) -> list[str]:
    at = commit_described()
    command = f"pytest {ran}".strip()
    return [
        f"- Made on {now:%Y-%m-%d %H:%M} UTC, at {at}",
        f"- Ran `{command}`",
        f"- On {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" {platform.system()} {platform.machine()}",
        "",
        "Generated from the figures the tests recorded: do not edit it; run",
        "`make reliability-report` again.",
    ]


def module_table(tests: dict[str, dict[str, dict[str | None, Figure]]]) -> list[str]:
    used = [
        database
        for database in COLUMNS
        if any(database in figures for named in tests.values() for figures in named.values())
    ]
    lines = [
        "| test | figure | " + " | ".join(COLUMNS[database] for database in used) + " |",
        "| --- | --- | " + " | ".join("---" for _ in used) + " |",
    ]
    for test, named in tests.items():
        shown_test = f"`{test.split('::', 1)[1]}`"
        for figure_name, figures in named.items():
            cells = [figures[d].shown() if d in figures else "" for d in used]
            lines.append(f"| {shown_test} | {figure_name} | " + " | ".join(cells) + " |")
            shown_test = ""  # the test is named on its first row only
    return lines


def render(table: Table, ran: str, now: datetime) -> str:
    modules: dict[str, dict[str, dict[str, dict[str | None, Figure]]]] = {}
    for test, named in table.items():
        modules.setdefault(test.split("::", 1)[0], {})[test] = named
    lines = [
        "# Reliability report: the figures of the last run",
        "",
        *provenance(ran, now),
        "",
        "What each test guarantees is in [RELIABILITY.md](../RELIABILITY.md); this report holds",
        "only what the tests measured as they ran. A range is the lowest and highest value over",
        "the runs of a test (its parameters); a count of cases adds up over them.",
    ]
    for module, tests in modules.items():
        lines += ["", f"## `{module}`", "", *module_table(tests)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figures", type=Path, help="the JSON lines the tests wrote")
    parser.add_argument("output", help="the markdown file to write, or - for standard output")
    parser.add_argument("--ran", default="", help="the pytest arguments of the run")
    arguments = parser.parse_args()
    table = read(arguments.figures.read_text(encoding="utf-8").splitlines())
    if not table:
        parser.error(f"{arguments.figures} holds no figures: were the tests run with them on?")
    report = render(table, arguments.ran, datetime.now(UTC))
    if arguments.output == "-":
        print(report, end="")
        return
    Path(arguments.output).write_text(report, encoding="utf-8")
    print(f"{arguments.output}: {sum(map(len, table.values()))} figures of {len(table)} tests")


if __name__ == "__main__":
    main()
