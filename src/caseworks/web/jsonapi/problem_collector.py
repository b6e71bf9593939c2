"""Collecting every problem of a request at once, each with its JSON Pointer or parameter.

At most MAX_PROBLEMS are kept (the rest are counted), and the work stays bounded with them:
unknown attribute names are found here rather than by Pydantic, which would build an error
object for every one of a body's keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from caseworks.core.errors import BadRequest, FieldProblem, Invalid, ProblemList, pointer_to
from caseworks.core.validation import message
from caseworks.web.jsonapi.names import field_name, member_name


class Problems(ProblemList):
    def add(self, pointer: str, detail: str) -> None:
        if not self.counted():
            self.append(FieldProblem(detail, pointer=pointer))

    def raise_if_any(self, detail: str = "the request body is invalid") -> None:
        if self:
            raise Invalid(detail, self)

    def validate(
        self,
        model: type[BaseModel],
        values: dict[str, Any],
        at: str,
        keys: dict[str, str],
        spelled: Callable[[str], str] = member_name,
    ) -> Any:
        """Validate ``values`` with ``model``; problems point at ``at`` + the client's own key
        (a member never sent as ``spelled`` names it: kebab-case unless told otherwise)."""
        fields = model.model_fields
        known = {name: value for name, value in values.items() if name in fields}
        try:
            validated = model.model_validate(known)
        except ValidationError as error:
            validated = None
            for problem in error.errors(include_url=False, include_input=False):
                location = [str(part) for part in problem["loc"]]
                if location:
                    # A member never sent (missing) is named as clients spell it.
                    location[0] = keys.get(location[0]) or spelled(location[0])
                self.add(at + pointer_to(location), message(problem))
        for name in values:
            if name not in fields and not self.counted():  # counted: no pointer to build
                pointer = at + pointer_to([keys.get(name, name)])
                self.append(FieldProblem("is not an attribute of this resource", pointer=pointer))
        return None if len(known) < len(values) else validated


def snake_keys(attributes: dict[str, Any], at: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Attribute keys in kebab-case or snake_case, as snake_case; and each back to the client's.

    One attribute under both spellings (``first-name`` and ``first_name``) is 400, as a key given
    twice is: which of the two values was meant?
    """
    values: dict[str, Any] = {}
    original: dict[str, str] = {}
    for key, value in attributes.items():
        name = field_name(key)
        if name in values:
            raise given_twice(at + pointer_to([original[name]]), at + pointer_to([key]))
        values[name] = value
        original[name] = key
    return values, original


def given_twice(first: str, second: str) -> BadRequest:
    """400 for one member sent under two spellings; the pointer names the second."""
    detail = f"{first} and {second} are one member given twice; send it once"
    return BadRequest(detail, [FieldProblem(detail, pointer=second)])
