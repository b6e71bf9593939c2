"""`/import` (admins): a CSV file of one kind of record, previewed by the import's dry run (the
per-row problems and the counts), then imported, through the same service as the API's import.

Between the two steps the file is kept in the page itself: the preview's answer carries it,
base64-encoded, in a hidden field of the **Import** form, so no server holds an upload and any
process can take the second step. The import checks the whole file again when it runs (the
records may have changed since the preview). Both steps are bound by the request body limit
(`CASEWORKS_MAX_BODY_BYTES`); the second carries the file as base64 (a third larger), so a file
that would not fit is refused at the preview, saying so.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile
from starlette.responses import Response

from caseworks.console.pages import PageRequest
from caseworks.console.rendering import error_page, render
from caseworks.core.errors import ServiceError
from caseworks.csvio import csv_import

TEMPLATE = "import.html"
KINDS = tuple(csv_import.KINDS)
# Room the second step's form needs besides the file (its other fields and multipart framing).
FORM_OVERHEAD = 4096


class ImportForm(BaseModel):
    """The page's fields: the file on the preview, the kept file (``held``) on the import."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    kind: str | None = None
    file: UploadFile | None = None
    held: str | None = None
    step: Literal["preview", "import"] = "preview"


async def import_form(page: PageRequest) -> Response:
    return render(page, TEMPLATE, {"kinds": KINDS, "kind": None, "problems": {}})


async def import_page(page: PageRequest) -> Response:
    assert page.principal is not None  # admins only (the page's roles)
    if page.form is None:
        name, problem = next(iter(page.form_errors.items()))
        return error_page(page, 400, f"{name}: {problem}")
    form: ImportForm = page.form
    problems: dict[str, str] = {}
    if form.kind not in KINDS:
        problems["kind"] = "blank" if form.kind is None else "unknown"
    data = await _file_of(form, problems, page.state.settings.max_body_bytes)
    if problems or data is None:
        refused = {"kinds": KINDS, "kind": form.kind, "problems": problems}
        return render(page, TEMPLATE, refused, status=400)
    assert form.kind is not None
    dry_run = form.step == "preview"
    try:
        report = await csv_import.import_csv(
            page.state.db, page.principal, form.kind, data, dry_run=dry_run
        )
        outcome, status = report.as_dict(), 200
    except csv_import.ImportRefused as refused:
        outcome, status = refused.report.as_dict(), 422
    except ServiceError as refused:  # the records changed meanwhile (409), or the kind vanished
        return error_page(page, refused.status, str(refused))
    context: dict[str, Any] = {
        "kinds": KINDS,
        "kind": form.kind,
        "problems": {},
        "step": form.step,
        "report": outcome,
        "held": base64.b64encode(data).decode() if dry_run and status == 200 else None,
    }
    return render(page, TEMPLATE, context, status=status)


async def _file_of(form: ImportForm, problems: dict[str, str], limit: int) -> bytes | None:
    """The file's bytes: the upload on the preview, the kept copy on the import."""
    if form.step == "import":
        if not form.held:
            problems["file"] = "blank"
            return None
        try:
            return base64.b64decode(form.held, validate=True)
        except (binascii.Error, ValueError):
            problems["held"] = "unreadable"
            return None
    if form.file is None:
        problems["file"] = "blank"
        return None
    data = await form.file.read()
    if not data:
        problems["file"] = "empty"
        return None
    if (len(data) + 2) // 3 * 4 + FORM_OVERHEAD > limit:
        problems["file"] = "too_large"
        return None
    return data
