"""Form bodies of page requests: read once by the framework (urlencoded or multipart), the CSRF
field taken out, the rest validated into the page's Pydantic model.

A blank input counts as not given, so an optional field keeps its default and a required one
says "is required". A field the model does not declare is refused (400 naming it), never
ignored. Validation problems are handed to the handler as ``{field: message}``, worded as the
API words them (`core/validation.py`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from caseworks.core.validation import message

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LISTS = (list, tuple, set, frozenset)


class FormRefused(Exception):
    """The body cannot be a form of this page (400 with this text)."""


@dataclass(frozen=True, slots=True)
class FormBody:
    """Every field sent, in order, each with all its values (strings, or files in multipart)."""

    fields: dict[str, list[Any]] = field(default_factory=dict)

    def pop_text(self, name: str) -> str | None:
        values = self.fields.pop(name, [])
        return values[-1] if values and isinstance(values[-1], str) else None


async def read_form_body(request: Request) -> FormBody:
    """The body's fields; an empty body is an empty form."""
    body = await request.body()  # cached on the request, so a handler may read it again
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body and kind not in FORM_TYPES:
        return FormBody()
    if kind not in FORM_TYPES:
        raise FormRefused(
            "the form must be sent as application/x-www-form-urlencoded or multipart/form-data"
        )
    try:
        sent = await request.form()
    except (MultiPartException, UnicodeDecodeError) as error:
        raise FormRefused("the form body cannot be read") from error
    fields: dict[str, list[Any]] = {}
    for name, value in sent.multi_items():
        fields.setdefault(name, []).append(value)
    return FormBody(fields)


@dataclass(frozen=True, slots=True)
class ValidatedForm:
    value: BaseModel | None  # None when there are errors
    errors: Mapping[str, str]
    values: Mapping[str, str]  # what was typed, to show again beside the messages


def validate_form(model: type[BaseModel], body: FormBody) -> ValidatedForm:
    unknown = [name for name in body.fields if name not in model.model_fields]
    if unknown:
        raise FormRefused(f"{unknown[0]}: {message({'type': 'extra_forbidden'})}")
    data: dict[str, Any] = {}
    typed: dict[str, str] = {}
    for name, values in body.fields.items():
        given = [value for value in values if not _blank(value)]
        if values and isinstance(values[0], str):
            typed[name] = values[0]
        if _is_list(model.model_fields[name].annotation):
            data[name] = given
        elif len(given) > 1:
            raise FormRefused(f"{name}: is given more than once")
        elif given:
            data[name] = given[0]
    try:
        return ValidatedForm(model.model_validate(data), {}, typed)
    except ValidationError as failure:
        errors: dict[str, str] = {}
        for error in failure.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            errors.setdefault(name, message(error))
        return ValidatedForm(None, errors, typed)


def _blank(value: Any) -> bool:
    if isinstance(value, UploadFile):
        return not value.filename
    return isinstance(value, str) and not value.strip()


def _is_list(annotation: Any) -> bool:
    candidates = [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        candidates = list(typing.get_args(annotation))
    return any(
        candidate in _LISTS or typing.get_origin(candidate) in _LISTS for candidate in candidates
    )
