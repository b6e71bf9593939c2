"""The one CSV encoder: RFC 4180 quoting, CRLF, and cells as the JSON shows the values."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

from caseworks.csvio.csv_writing import CsvLayout, boolean, day, json_text, layout, moment
from caseworks.db.base import StreamedRows


def test_cells_are_the_json_values() -> None:
    assert moment(datetime(2026, 12, 1, 19, 0, 20, tzinfo=UTC)) == "2026-12-01T19:00:20Z"
    plus_two = timezone(timedelta(hours=2))
    assert moment(datetime(2026, 12, 1, 21, 0, 20, 5, tzinfo=plus_two)) == "2026-12-01T19:00:20Z"
    assert moment("2026-12-01T19:00:20Z") == "2026-12-01T19:00:20Z"  # SQLite's stored text
    assert day(date(2026, 2, 3)) == "2026-02-03"
    assert (boolean(True), boolean(0), boolean(1)) == ("true", "false", "true")
    assert json_text(["case_carrying", "support"]) == '["case_carrying","support"]'


def test_rows_are_quoted_as_rfc_4180_with_crlf_and_empty_nulls() -> None:
    rows = CsvLayout(("a", "b", "c"), {"c": boolean})
    text = rows.header() + rows.rows(
        [{"a": 'say "hi", then\nleave', "b": None, "c": False}, {"a": "plain", "b": 3, "c": 1}]
    )
    assert text == 'a,b,c\r\n"say ""hi"", then\nleave",,false\r\nplain,3,true\r\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["a", "b", "c"],
        ['say "hi", then\nleave', "", "false"],
        ["plain", "3", "true"],
    ]


def test_a_streams_records_are_written_by_position_in_the_layouts_order() -> None:
    rows = CsvLayout(("a", "b", "c"), {"c": boolean})
    by_name: list[dict[str, object]] = [{"a": "x", "b": None, "c": 0}, {"a": "y", "b": 2, "c": 1}]
    in_order = StreamedRows(("a", "b", "c"), [("x", None, 0), ("y", 2, 1)])
    reordered = StreamedRows(("c", "extra", "a", "b"), [(0, "-", "x", None), (1, "-", "y", 2)])
    assert rows.rows(in_order) == rows.rows(reordered) == rows.rows(by_name)
    assert rows.rows(in_order) == "x,,false\r\ny,2,true\r\n"
    assert CsvLayout(("b",), {}).rows(reordered) == '""\r\n2\r\n'  # a lone null: quoted


def test_one_column_is_a_row_of_one_cell() -> None:
    assert CsvLayout(("id",), {}).rows([{"id": "x"}]) == "x\r\n"


def test_each_kind_types_its_cells_from_its_models() -> None:
    assignments = layout("assignments")
    row = {
        "assignment_id": "assign_1",
        "mentor_id": "mentor_1",
        "contact_id": "contact_1",
        "status": "open",
        "notes": None,
        "assigned_date": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "last_contact_date": None,
        "closed_date": None,
        "contact_name": "left out: not a column",
    }
    assert assignments.rows([row]) == (
        "assign_1,mentor_1,contact_1,open,,2026-01-02T03:04:05Z,,\r\n"
    )
    workers = layout("agency-workers")
    assert workers.columns[0] == "id"
    worker = dict.fromkeys(workers.columns) | {
        "id": "worker_1",
        "active": 1,
        "assignable_roles": ["support"],
        "supervisors": [],
        "role_for_permissions": {"id": 3, "name": "Admin"},
    }
    cells = next(csv.DictReader(io.StringIO(workers.header() + workers.rows([worker]))))
    assert cells["active"] == "true"
    assert cells["assignable_roles"] == '["support"]'
    assert cells["role_for_permissions"] == '{"id":3,"name":"Admin"}'
