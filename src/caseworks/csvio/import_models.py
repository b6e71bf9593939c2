"""Wire models of an import: its query, and the report it answers with (the documentation of
what the route renders from ``csv_import.Report``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from caseworks.csvio.csv_import import MAX_ERRORS


def _true_or_false(value: object) -> object:
    """Only the two words: `1`, `yes` or `on` would be guesses about what a client meant."""
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"
    return value


TrueOrFalse = Annotated[bool, BeforeValidator(_true_or_false)]


class ImportQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    dry_run: TrueOrFalse = Field(
        False, description="Check the file and count what it would change; write nothing."
    )


class ImportProblemItem(BaseModel):
    line: int = Field(description="The line of the file (the header is line 1).")
    column: str | None = Field(description="The header's name of the column; null: the row.")
    detail: str


class ImportReport(BaseModel):
    rows: int = Field(description="Rows of the file, the header not counted.")
    created: int
    updated: int
    unchanged: int
    errors: list[ImportProblemItem] = Field(max_length=MAX_ERRORS)
    more_errors: int = Field(description=f"Problems found beyond the first {MAX_ERRORS}.")


class ImportProblem(ImportReport):
    """A file that was not imported: an RFC 9457 problem holding the report."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
