"""JSON request bodies of the REST surface: the media type, keys given twice, unknown keys.

In the order a body is checked: 415 for a body that is not JSON (decided on the header, before
the body is read); 422 for an empty one; 400 for one that does not parse or gives a key twice;
and 422 naming every unknown key and every invalid field. Unknown keys are found here, with the
model run on the known ones only, so that the work and the answer stay bounded however many
keys a body holds (Pydantic would build an error object for every one).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from caseworks.core.errors import (
    BadRequest,
    FieldProblem,
    ProblemList,
    UnsupportedMediaType,
    pointer_to,
)
from caseworks.core.jsonio import duplicate_key, loads_noting_repeats
from caseworks.core.validation import UNKNOWN_FIELD, add_errors, invalid

Model = TypeVar("Model", bound=BaseModel)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _repeated(key: str) -> BadRequest:
    return BadRequest(f"the key {key!r} appears twice in one object of the body")


def check_unique_keys(body: bytes) -> None:
    repeated = duplicate_key(body)
    if repeated is not None:
        raise _repeated(repeated)


def require_json(content_type: str) -> None:
    """415 unless ``content_type`` is JSON: decided before the body is read."""
    if not _is_json(content_type):
        raise UnsupportedMediaType(
            "send the body as application/json",
            [FieldProblem("must be application/json", header="Content-Type")],
        )


def require_media_type(content_type: str, wanted: str) -> None:
    """415 unless the body is of the ``wanted`` media type (parameters such as ``charset``
    aside): decided before the body is read."""
    if content_type.split(";", 1)[0].strip().lower() != wanted:
        raise UnsupportedMediaType(
            f"send the body as {wanted}", [FieldProblem(f"must be {wanted}", header="Content-Type")]
        )


def json_document(body: bytes) -> Any:
    """The parsed body: 422 when there is none, 400 when it is not JSON or repeats a key."""
    if not body:
        missing = ProblemList()
        missing.append(FieldProblem("is required", pointer=""))
        raise invalid(missing)
    try:
        document, repeated = loads_noting_repeats(body)
    except json.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    except (ValueError, RecursionError):  # invalid UTF-8, nesting too deep, a 5,000-digit number
        raise BadRequest("There was an error parsing the body") from None
    if repeated is not None:
        raise _repeated(repeated)
    return document


def validated_body(model: type[Model], fields: frozenset[str], document: Any) -> Model:
    """``document`` as ``model`` (whose field names are ``fields``), or 422 naming each invalid
    field and then each unknown key, at most MAX_PROBLEMS of them."""
    unknown = isinstance(document, dict) and not fields.issuperset(document)
    if not unknown:
        try:
            # from_attributes: a body that is not an object gets the message it always had.
            return model.model_validate(document, from_attributes=True)
        except ValidationError as error:
            raise _invalid(error) from None
    problems = ProblemList()
    try:
        model.model_validate({key: document[key] for key in fields if key in document})
    except ValidationError as error:
        add_errors(problems, error.errors(include_url=False, include_input=False), "body")
    for key in document:
        if key not in fields and not problems.counted():
            problems.append(FieldProblem(UNKNOWN_FIELD, pointer=pointer_to([key])))
    raise invalid(problems)


def _invalid(error: ValidationError) -> Exception:
    problems = ProblemList()
    add_errors(problems, error.errors(include_url=False, include_input=False), "body")
    return invalid(problems)
