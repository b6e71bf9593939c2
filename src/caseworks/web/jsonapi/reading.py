"""Reading JSON:API requests: content negotiation, the body, and the query parameters (by a
Pydantic model per operation)."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import ValidationError
from starlette.datastructures import QueryParams
from starlette.requests import Request

from caseworks.core.errors import BadRequest, FieldProblem, ProblemList, UnsupportedMediaType
from caseworks.core.query_parameters import QueryModel
from caseworks.core.validation import add_errors
from caseworks.web.json_bodies import check_unique_keys
from caseworks.web.jsonapi import MEDIA_TYPE

_ALLOWED_MEDIA_PARAMETERS = {"ext", "profile"}


def check_content_type(content_type: str) -> None:
    """``application/vnd.api+json`` (at most ext/profile parameters) or ``application/json``."""
    media_type, *parameters = [part.strip() for part in content_type.split(";")]
    media_type = media_type.lower()
    if media_type == MEDIA_TYPE:
        names = {
            parameter.split("=", 1)[0].strip().lower() for parameter in parameters if parameter
        }
        if names <= _ALLOWED_MEDIA_PARAMETERS:
            return
    elif media_type == "application/json":
        return
    raise UnsupportedMediaType(
        f"send the body as {MEDIA_TYPE} (parameters other than ext and profile are not supported)",
        [FieldProblem(f"must be {MEDIA_TYPE} or application/json", header="Content-Type")],
    )


async def read_document(request: Request) -> Any:
    """The request body as JSON: 415 for another media type, 400 when it is not JSON."""
    check_content_type(request.headers.get("content-type", ""))
    body = await request.body()
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    check_unique_keys(body)
    return document


Query = TypeVar("Query", bound=QueryModel)


# Binti's time zone parameter, taken by every operation: only `utc`, since every timestamp is
# UTC here whatever is asked (Binti answered Pacific time without it).
TZ = "tz"
TZ_VALUE = "utc"
TZ_PARAMETER: dict[str, Any] = {
    "name": TZ,
    "in": "query",
    "required": False,
    "schema": {"enum": [TZ_VALUE]},
    "description": "Binti's time zone parameter: only `utc` is taken; timestamps are UTC anyway.",
}


def query_of(model: type[Query], query_string: bytes) -> Query:
    """The query string read by ``model``, before anything else is done with the request: 400
    naming each wrong or unknown parameter (``source.parameter``), as the client spelled it.
    Every operation takes ``tz=utc`` besides its model's parameters."""
    values = dict(QueryParams(query_string))  # a name given twice was refused before routing
    tz = values.pop(TZ, TZ_VALUE)
    wrong_tz = None if tz == TZ_VALUE else FieldProblem(f"must be {TZ_VALUE}", parameter=TZ)
    spelled_as: dict[str, str] = {}
    for name in model.filters:
        spelled = f"filter[{name}]"
        if spelled in values:
            if name in values:
                detail = f"{name} and {spelled} are one filter given twice"
                raise BadRequest(detail, [FieldProblem(detail, parameter=spelled)])
            values[name] = values.pop(spelled)
            spelled_as[name] = spelled
    try:
        query = model.model_validate(values)
    except ValidationError as error:
        raise _bad_query(model, error, spelled_as, wrong_tz) from None
    if wrong_tz is not None:
        raise BadRequest(f"invalid query parameter: {TZ}", [wrong_tz])
    return query


def _bad_query(
    model: type[QueryModel],
    error: ValidationError,
    spelled_as: dict[str, str],
    wrong_tz: FieldProblem | None,
) -> BadRequest:
    problems = ProblemList()
    if wrong_tz is not None:
        problems.append(wrong_tz)
    not_taken = _not_taken(model)
    for entry in error.errors(include_url=False, include_input=False):
        name = str(entry["loc"][0]) if entry["loc"] else "query"
        spelled = spelled_as.get(name, name)
        if entry["type"] != "extra_forbidden":
            add_errors(problems, [{**entry, "loc": ("query", spelled)}])
        elif not problems.counted():
            problems.append(FieldProblem(not_taken, parameter=spelled))
    named = ", ".join(dict.fromkeys(problem.parameter or "query" for problem in problems.items))
    return BadRequest(f"invalid query parameter: {named}", problems)


def _not_taken(model: type[QueryModel]) -> str:
    """What an unknown name's error says: the names the operation does take."""
    names = [field.alias or name for name, field in model.model_fields.items()]
    return f"is not a query parameter of this operation (it takes {', '.join([*names, TZ])})"


def query_parameters(model: type[QueryModel]) -> list[dict[str, Any]]:
    """The OpenAPI description of ``model``'s parameters, made from the model itself."""
    schema = model.model_json_schema(by_alias=True)
    assert "$defs" not in schema, f"{model.__name__}: a parameter schema must stand alone"
    described = []
    for name, field in schema["properties"].items():
        field.pop("title", None)
        if field.get("default", 0) is None:
            del field["default"]
        options = [option for option in field.pop("anyOf", [field]) if option != {"type": "null"}]
        if options != [field]:
            field = {**field, **options[0]} if len(options) == 1 else {**field, "anyOf": options}
        notes = [field.pop("description")] if "description" in field else []
        if name in model.filters:
            notes.append(f"Also taken as filter[{name}].")
        parameter = {"name": name, "in": "query", "required": False, "schema": field}
        if notes:
            parameter["description"] = " ".join(notes)
        described.append(parameter)
    return [*described, TZ_PARAMETER]
