"""docs/binti-operations.md stays true: its table of Binti's operations marks as served exactly
the operations we declare on Binti's paths, and its second table lists exactly the ones we
declare beyond Binti's document.

Binti's list of operations lives in the page itself (its first table), so nothing here needs
Binti's published document.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caseworks.web.childwelfare_api import endpoints

PAGE = Path(__file__).parents[2] / "docs" / "binti-operations.md"
BINTI = "## Binti's operations"
BEYOND = "## Operations beyond Binti's document"
BINTI_OPERATIONS = 74  # as many as Binti's published document has
SERVED, DIFFERENT, NOT_SERVED = "served", "served, with a stated difference: ", "not served"

Operation = tuple[str, str]  # (method, path with its parameters unnamed)


def unnamed(path: str) -> str:
    """``/api/v1/children/{child_id}`` and ``/api/v1/children/{record_id}`` are one path."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def operation(cell: str) -> Operation:
    """A row's first cell, ``GET /api/v1/children`` in backticks."""
    found = re.fullmatch(r"`([A-Z]+) (/\S+)`", cell)
    assert found, f"not an operation: {cell!r}"
    return found[1], unnamed(found[2])


def rows(heading: str) -> list[list[str]]:
    """The cells of each row of the table under ``heading`` (its header row left out)."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def binti_rows() -> dict[Operation, str]:
    """Binti's operations, each with what the page says we do with it."""
    found: dict[Operation, str] = {}
    for cells in rows(BINTI):
        assert len(cells) == 3, cells
        key = operation(cells[0])
        assert key not in found, f"{key} is listed twice"
        found[key] = cells[2]
    return found


def declared() -> set[Operation]:
    return {(endpoint.method, unnamed(endpoint.path)) for endpoint in endpoints()}


def test_the_table_lists_each_of_bintis_operations_once() -> None:
    assert len(binti_rows()) == BINTI_OPERATIONS


@pytest.mark.parametrize("operation", list(binti_rows()), ids=" ".join)
def test_each_operation_is_served_served_with_a_stated_difference_or_not_served(
    operation: Operation,
) -> None:
    here = binti_rows()[operation]
    if here.startswith(DIFFERENT):
        assert here.removeprefix(DIFFERENT).strip(), "a stated difference says what it is"
    else:
        assert here in (SERVED, NOT_SERVED), here


def test_the_rows_marked_served_are_the_operations_we_declare_on_bintis_paths() -> None:
    listed = binti_rows()
    served = {key for key, here in listed.items() if here != NOT_SERVED}
    assert served == declared() & set(listed)


def test_the_second_table_lists_exactly_what_we_declare_beyond_bintis_document() -> None:
    beyond = [operation(cells[0]) for cells in rows(BEYOND)]
    assert all(len(cells) == 2 and cells[1] for cells in rows(BEYOND)), "each says why"
    assert len(beyond) == len(set(beyond)), "each operation once"
    assert set(beyond) == declared() - set(binti_rows())
