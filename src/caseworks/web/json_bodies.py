"""Shared pieces of the REST surface's routes: JSON bodies only, paging parameters."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from caseworks.core.errors import (
    BadRequest,
    FieldProblem,
    ProblemList,
    UnsupportedMediaType,
    pointer_to,
)
from caseworks.core.jsonio import duplicate_key
from caseworks.core.validation import UNKNOWN_FIELD, add_errors, invalid
from caseworks.web.bearer import Caller


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def check_unique_keys(body: bytes) -> None:
    repeated = duplicate_key(body)
    if repeated is not None:
        raise BadRequest(f"the key {repeated!r} appears twice in one object of the body")


def json_body(model: type[BaseModel]) -> Any:
    """A route dependency for a body that ``model`` validates, run before FastAPI validates it
    and after the caller is authenticated (so a call without a token is 401 whatever it sends).

    415 for a body that is not JSON; 400 for a key given twice; and unknown keys are refused
    here, with the model run on the known ones only, so that the work and the answer stay
    bounded however many keys a body holds (Pydantic would build an error for every one).
    """
    fields = frozenset(model.model_fields)

    async def check_body(request: Request, _: Caller) -> None:
        if not _is_json(request.headers.get("content-type", "")):
            raise UnsupportedMediaType(
                "send the body as application/json",
                [FieldProblem("must be application/json", header="Content-Type")],
            )
        body = await request.body()
        if not body:
            return  # FastAPI says the body is required
        check_unique_keys(body)
        document = await request.json()  # already parsed by FastAPI: Starlette keeps it
        if not isinstance(document, dict) or fields.issuperset(document):
            return  # FastAPI's own validation is bounded by the model's fields
        problems = ProblemList()
        try:
            model.model_validate({key: document[key] for key in fields if key in document})
        except ValidationError as error:
            add_errors(problems, error.errors(include_url=False, include_input=False), "body")
        for key in document:
            if key not in fields and not problems.counted():
                problems.append(FieldProblem(UNKNOWN_FIELD, pointer=pointer_to([key])))
        raise invalid(problems)

    return Depends(check_body)
