"""Rows as CSV text: the one encoder of every export, the API's and the command's.

RFC 4180 (the standard library's ``csv``): fields quoted only when they need it, a quote doubled
inside one, CRLF after every record, the header row first. The text is UTF-8 without a byte order
mark (a file an import reads back, and what every tool but old Excel expects). Cells hold what the
JSON answer holds: an empty cell for null, ``true``/``false``, times in ISO 8601 UTC to the second
(``2026-12-01T19:00:20Z``), days as ``2026-12-01``, and a list or an object as its JSON text
(``["case_carrying","support"]``).

Rows are encoded a batch at a time into one string, column by column: Python touches only the
cells that need formatting (none, when the statement gave their text already), the rest is C
(``zip``, the writer), and a batch is then one write to the socket or the file.
"""

from __future__ import annotations

import csv
import io
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from caseworks.childwelfare.childwelfare_models import DERIVED_MODELS, RECORD_MODELS
from caseworks.core.jsonio import dumps
from caseworks.csvio.csv_columns import EXPORT_KINDS, export_columns
from caseworks.db.base import StreamedRows
from caseworks.mentoring.mentoring_models import (
    Assignment,
    AuditEvent,
    Contact,
    Mentor,
    MentorCaseload,
)

MEDIA_TYPE = "text/csv; charset=utf-8"
Cell = Callable[[Any], str]


def moment(value: datetime | str) -> str:
    """A time as the JSON shows it; one already in that text (SQLite's stored form) as it is."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not UTC and value.tzinfo is not None:  # the drivers give UTC itself
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")[:19] + "Z"


def day(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def boolean(value: object) -> str:
    """``true``/``false``: from a bool, or SQLite's stored 1 and 0."""
    return "true" if value else "false"


def json_text(value: object) -> str:
    return dumps(value).decode()


def _cell_of(annotation: Any) -> Cell | None:
    """How a field of this type is written, when not as its own text (or None for text)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _cell_of(get_args(annotation)[0])
    if origin in (Union, UnionType):
        for option in get_args(annotation):
            if option is not type(None) and (cell := _cell_of(option)) is not None:
                return cell
        return None
    if origin in (list, dict) or annotation in (list, dict):
        return json_text
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return json_text
        if issubclass(annotation, bool):
            return boolean
        if issubclass(annotation, datetime):
            return moment
        if issubclass(annotation, date):
            return day
    return None


# The models whose fields type each kind's columns; ``created_at`` and ``updated_at`` are times
# wherever they appear, and a mentor's own caseload limit is a whole number.
_TYPED_BY: dict[str, tuple[type[BaseModel], ...]] = {
    "mentors": (Mentor,),
    "contacts": (Contact,),
    "assignments": (Assignment,),
    "agency-workers": (RECORD_MODELS["agency_workers"],),
    "children": (RECORD_MODELS["children"],),
    "applications": (RECORD_MODELS["applications"], DERIVED_MODELS["applications"]),
    "user-agency-profiles": (
        RECORD_MODELS["user_agency_profiles"],
        DERIVED_MODELS["user_agency_profiles"],
    ),
    "worker-assignments": (),
    "audit-events": (AuditEvent,),
    "worker-caseloads": (),  # counts and a limit: whole numbers
    "mentor-caseloads": (MentorCaseload,),
}
assert set(_TYPED_BY) == set(EXPORT_KINDS), "every kind exported has its cells typed"


def _cells(kind: str) -> dict[str, Cell]:
    cells: dict[str, Cell] = {"created_at": moment, "updated_at": moment}
    for model in _TYPED_BY[kind]:
        for name, field in model.model_fields.items():
            if (cell := _cell_of(field.annotation)) is not None:
                cells[name] = cell
    return cells


class CsvLayout:
    """The columns of one kind in their order, and how each cell is written."""

    def __init__(self, columns: tuple[str, ...], cells: Mapping[str, Cell]) -> None:
        self.columns = columns
        self._values = _picker(columns)  # a row read by name, in column order
        self._formatted = tuple(
            (index, cells[name]) for index, name in enumerate(columns) if name in cells
        )
        # A stream's records by position, for each order of columns a statement gave them in
        # (an export's statement selects the layout's own order: then taken as they are).
        self._positions: dict[tuple[str, ...], Callable[[Any], tuple[Any, ...]] | None] = {}

    @classmethod
    def of(cls, kind: str) -> CsvLayout:
        return cls(export_columns(kind), _cells(kind))

    def header(self) -> str:
        return self._written([self.columns])

    def rows(self, rows: StreamedRows | Sequence[Mapping[str, Any]]) -> str:
        """The CSV records of ``rows``, as one text: a stream's batch (plain records with the
        statement's column names) or rows read by column name.

        Worked column by column, so that the per-value work is one comprehension per column
        that needs formatting and the rest is C: records whose columns are the layout's in
        order (an export's statement selects them so) are taken as they are, others reordered
        by position or by name; the batch is turned into columns and back by ``zip``."""
        if not rows:
            return ""
        records: Iterable[Any]
        if isinstance(rows, StreamedRows):
            reorder = self._reordering(rows.columns)
            records = rows if reorder is None else map(reorder, rows)
        else:
            records = map(self._values, rows)
        if not self._formatted:
            return self._written(records)
        records = records if isinstance(records, list) else list(records)
        # Only the columns whose values are not their text already (SQLite's stored times
        # are): often none, and then the records go to the writer as they are.
        formatted = [
            (index, cell)
            for index, cell in self._formatted
            if not _as_written(record[index] for record in records)
        ]
        if not formatted:
            return self._written(records)
        columns: list[Any] = list(zip(*records, strict=True))
        for index, cell in formatted:
            columns[index] = [None if value is None else cell(value) for value in columns[index]]
        return self._written(zip(*columns, strict=True))

    def _reordering(self, given: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]] | None:
        """How records in the order ``given`` are put in the layout's (None: they are)."""
        if given not in self._positions:
            positions = {name: index for index, name in enumerate(given)}
            self._positions[given] = (
                None if given == self.columns else _picker([positions[c] for c in self.columns])
            )
        return self._positions[given]

    @staticmethod
    def _written(records: Iterable[Iterable[Any]]) -> str:
        buffer = io.StringIO()
        # None is written as an empty cell by the writer itself.
        csv.writer(buffer, lineterminator="\r\n").writerows(records)
        return buffer.getvalue()


def _picker(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A tuple of a row's values at ``keys`` (names or positions), in C; itemgetter of one key
    gives the value alone, so a single one is wrapped."""
    getter = operator.itemgetter(*keys)
    return getter if len(keys) > 1 else lambda row: (getter(row),)


def _as_written(column: Iterable[Any]) -> bool:
    """Whether a column of a batch holds its cells' text already (times a statement formatted,
    SQLite's stored times and days): its first value that is not null is a string."""
    for value in column:
        if value is not None:
            return isinstance(value, str)
    return True  # all null: empty cells


_LAYOUTS = {kind: CsvLayout.of(kind) for kind in EXPORT_KINDS}


def layout(kind: str) -> CsvLayout:
    """The layout of ``kind`` (one of ``EXPORT_KINDS``), made once."""
    return _LAYOUTS[kind]
