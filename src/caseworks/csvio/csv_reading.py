"""Reading a CSV file: UTF-8 with or without a byte order mark, `,` or `;` between fields (told
by the header line), fields quoted as the standard ``csv`` module reads them (a quoted field may
hold the separator, quotes doubled, or line breaks). Each record keeps the line it starts on, so
that a problem can name it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

BOM = "\ufeff"
SEPARATORS = (",", ";")


@dataclass(frozen=True)
class Record:
    line: int  # the line of the file the record starts on (the header is line 1)
    cells: list[str]


@dataclass(frozen=True)
class CsvFile:
    header: list[str]
    records: list[Record]


class Unreadable(Exception):
    """The file cannot be read as CSV at all: ``line`` says where (1 for the whole file)."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.detail = detail


def decode(data: bytes) -> str:
    """The file's text: UTF-8, a byte order mark left out; anything else is refused, naming the
    line of the first byte that is not UTF-8 (a file saved as Latin-1, say)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise Unreadable(
            line, f"the file is not UTF-8 text (byte 0x{byte:02X} on line {line}); save it as UTF-8"
        ) from None
    return text.removeprefix(BOM)


def separator(text: str) -> str:
    """`,` or `;`: whichever the header line holds more of outside quotes (`,` if neither)."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in text.split("\n", 1)[0]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def read_csv(data: bytes) -> CsvFile:
    """The header and the records of a file; blank lines are skipped. Unreadable when the file
    is not UTF-8, holds nothing, or breaks CSV's rules (a NUL byte, a quote left open)."""
    text = decode(data)
    if not text.strip():
        raise Unreadable(1, "the file is empty: the first line must name the columns")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text), strict=True)
    records: list[Record] = []
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = [cell.strip() for cell in cells]
            elif cells and cells != [""]:
                records.append(Record(start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise Unreadable(start, f"the file is not valid CSV from line {start}: {error}") from None
    assert header is not None  # the text is not blank, so it has a first record
    return CsvFile(header, records)
