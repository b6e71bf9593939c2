"""`/assignments/bulk-reassign`: many selected assignments moved to one mentor, in three steps
through the same service as the API's bulk reassign.

1. The dialog: the assignments chosen in a list (``assignment_id``, one per row) and a form
   asking for the target mentor, the reason and whether to notify.
2. **Preview**: the service's dry run, one result per assignment; **Reassign** or **Back**.
3. **Reassign**: the real run, one result per assignment, with counts and links.

The selection travels between the steps in hidden fields and is checked again each time, by
the service. A blank target is refused here with a message: it never means "unassign".
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from caseworks.console.pages import PageRequest
from caseworks.console.rendering import error_page, render
from caseworks.core.errors import Invalid, ServiceError
from caseworks.core.text import RecordId
from caseworks.mentoring import bulk_reassign, caseloads
from caseworks.mentoring.mentoring_models import BULK_LIMIT, BulkReassignment

TEMPLATE = "bulk_reassign.html"
RESULT_KINDS = ("reassigned", "conflict", "over_capacity", "not_found")


class BulkReassignForm(BaseModel):
    """The dialog's fields; ``step`` is the button pressed (none: the list's own button)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    assignment_id: Annotated[list[RecordId], Field(max_length=BULK_LIMIT)] = []
    mentor_id: RecordId | None = None
    reason: Annotated[str, Field(max_length=2_000)] | None = None
    send_notification: bool = False
    step: Literal["choose", "preview", "reassign"] = "choose"


async def bulk_reassign_explained(page: PageRequest) -> Response:
    """A GET: there is nothing to reassign until rows are selected in a list."""
    return render(page, TEMPLATE, {"step": "nothing"})


async def bulk_reassign_page(page: PageRequest) -> Response:
    assert page.principal is not None  # managers only (the page's roles)
    if page.form is None:
        return _refused_selection(page)
    form: BulkReassignForm = page.form
    if not form.assignment_id:
        return render(page, TEMPLATE, {"step": "nothing"}, status=400)
    targets = await caseloads.reassign_targets(page.state.db, page.principal)
    context = {"form": form, "targets": targets, "target_name": _name_of(targets, form)}
    if form.step == "choose":
        return render(page, TEMPLATE, {**context, "step": "choose", "problems": {}})
    problems = _missing(form)
    if problems:
        return render(
            page, TEMPLATE, {**context, "step": "choose", "problems": problems}, status=400
        )
    try:
        results = await bulk_reassign.bulk_reassign(
            page.state.db, page.principal, _request(form, dry_run=form.step == "preview")
        )
    except Invalid as invalid:
        problems = {"mentor_id": "unknown"} if _about_mentor(invalid) else {"": str(invalid)}
        return render(
            page, TEMPLATE, {**context, "step": "choose", "problems": problems}, status=422
        )
    except ServiceError as refused:
        return error_page(page, refused.status, str(refused))
    counts = Counter(str(result["result"]) for result in results)
    shown = {**context, "results": results, "counts": [(k, counts[k]) for k in RESULT_KINDS]}
    return render(page, TEMPLATE, {**shown, "step": form.step})


def _refused_selection(page: PageRequest) -> Response:
    """The form's own fields did not validate: a crafted request, since the page writes them."""
    name, problem = next(iter(page.form_errors.items()))
    if name == "assignment_id" and "at most" in problem:
        problem = f"select at most {BULK_LIMIT} assignments at once"
    return error_page(page, 400, f"{name}: {problem}")


def _missing(form: BulkReassignForm) -> dict[str, str]:
    problems = {}
    if not form.mentor_id:
        problems["mentor_id"] = "blank"
    if not (form.reason or "").strip():
        problems["reason"] = "blank"
    return problems


def _about_mentor(invalid: Invalid) -> bool:
    return any(problem.pointer == "/mentor_id" for problem in invalid.problems)


def _request(form: BulkReassignForm, *, dry_run: bool) -> BulkReassignment:
    return BulkReassignment(
        assignment_ids=list(form.assignment_id),
        mentor_id=form.mentor_id or "",
        reason=(form.reason or "").strip(),
        send_notification=form.send_notification,
        dry_run=dry_run,
    )


def _name_of(targets: list[caseloads.MentorLoad], form: BulkReassignForm) -> str:
    for target in targets:
        if target.mentor_id == form.mentor_id:
            return target.name
    return form.mentor_id or ""
