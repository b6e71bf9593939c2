"""Collecting every problem of a request at once, each with its JSON Pointer or parameter."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from caseworks.errors import FieldProblem, Invalid, pointer_to


class Problems:
    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, pointer: str, detail: str) -> None:
        self.items.append(FieldProblem(detail, pointer=pointer))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, detail: str = "the request body is invalid") -> None:
        if self.items:
            raise Invalid(detail, self.items)

    def validate(
        self, model: type[BaseModel], values: dict[str, Any], at: str, keys: dict[str, str]
    ) -> Any:
        """Validate ``values`` with ``model``; problems point at ``at`` + the client's own key."""
        try:
            return model.model_validate(values)
        except ValidationError as error:
            for problem in error.errors():
                location = [str(part) for part in problem["loc"]]
                if location:
                    location[0] = keys.get(location[0], location[0])
                message = "is required" if problem["type"] == "missing" else problem["msg"]
                if problem["type"] == "extra_forbidden":
                    message = "is not an attribute of this resource"
                self.add(at + pointer_to(location), message)
            return None


def snake_keys(attributes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Attribute keys in kebab-case or snake_case, as snake_case; and each back to the client's."""
    values: dict[str, Any] = {}
    original: dict[str, str] = {}
    for key, value in attributes.items():
        name = key.replace("-", "_")
        values[name] = value
        original[name] = key
    return values, original
