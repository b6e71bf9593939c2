"""Turning request-validation failures into our errors, with a pointer or parameter per problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from caseworks.errors import BadRequest, FieldProblem, Invalid, ServiceError, pointer_to

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this resource",
}


def _message(error: dict[str, Any]) -> str:
    return _MESSAGES.get(str(error.get("type")), str(error.get("msg", "is invalid")))


def from_validation_errors(errors: Sequence[Any]) -> ServiceError:
    """Map FastAPI/Pydantic error entries (``loc`` = ("body", ...) or ("query", name)) to ours."""
    problems: list[FieldProblem] = []
    for error in errors:
        if error.get("type") == "json_invalid":
            return BadRequest("the request body is not valid JSON")
        where, *path = error.get("loc", ()) or ("body",)
        # Pydantic adds the tag of a tagged union or a function name to loc; keep data keys only.
        if where == "body":
            problems.append(FieldProblem(_message(error), pointer=pointer_to(path)))
        elif where == "query":
            problems.append(FieldProblem(_message(error), parameter=str(path[0]) if path else ""))
        elif where == "header":
            problems.append(FieldProblem(_message(error), header=str(path[0]) if path else ""))
        else:  # path parameters: an id that cannot exist
            problems.append(FieldProblem(_message(error), parameter=str(path[0]) if path else ""))
    named = ", ".join(
        problem.pointer or problem.parameter or problem.header or "body" for problem in problems
    )
    return Invalid(f"invalid input: {named}", problems)
