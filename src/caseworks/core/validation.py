"""Turning request-validation failures into our errors, with a pointer or parameter per problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from caseworks.core.errors import (
    BadRequest,
    FieldProblem,
    Invalid,
    ProblemList,
    ServiceError,
    pointer_to,
)

# How problems are worded, by Pydantic's error type where ours differs; the one place that words
# them, for the REST bodies and queries here and for the JSON:API documents.
REQUIRED = "is required"
UNKNOWN_FIELD = "is not a field of this resource"
_MESSAGES = {"missing": REQUIRED, "extra_forbidden": UNKNOWN_FIELD}


def message(error: Mapping[str, Any]) -> str:
    """The detail of one Pydantic error entry."""
    return _MESSAGES.get(str(error.get("type")), str(error.get("msg", "is invalid")))


def from_validation_errors(errors: Sequence[Any]) -> ServiceError:
    """Map Pydantic error entries (``loc`` = ("body", ...) or ("query", name)) to ours."""
    if any(error.get("type") == "json_invalid" for error in errors):
        return BadRequest("the request body is not valid JSON")
    problems = ProblemList()
    add_errors(problems, errors)
    return invalid(problems)


def add_errors(problems: ProblemList, errors: Sequence[Any], where: str | None = None) -> None:
    """Add Pydantic error entries; ``where`` ("body") when their ``loc`` does not say."""
    for error in errors:
        if not problems.counted():
            loc = error.get("loc", ())
            problems.append(_problem({**error, "loc": (where, *loc)} if where else error))


def invalid(problems: ProblemList) -> Invalid:
    """422 naming the fields and parameters in ``detail`` too (those shown, not those counted)."""
    named = ", ".join(
        problem.pointer or problem.parameter or problem.header or "body"
        for problem in problems.items
    )
    return Invalid(f"invalid input: {named}", problems)


def _problem(error: dict[str, Any]) -> FieldProblem:
    where, *path = error.get("loc", ()) or ("body",)
    # Pydantic adds the tag of a tagged union or a function name to loc; keep data keys only.
    if where == "body":
        return FieldProblem(message(error), pointer=pointer_to(path))
    name = str(path[0]) if path else ""
    if where == "header":
        return FieldProblem(message(error), header=name)
    return FieldProblem(message(error), parameter=name)  # query, or a path parameter
