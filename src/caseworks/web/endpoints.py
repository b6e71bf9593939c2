"""Each endpoint declared once, as an `Endpoint` record: method, path, handler, the models of its
query and body, its output, its errors and its access rule. The records are compiled once, at
start-up, into Starlette routes whose ASGI callable does, in order: authenticate, check the
role, run the endpoint's guard (a check that needs the record, still before the body), validate
the query (each surface its own way: `QueryReading`), read and validate the body, call the
handler, render errors. Nothing is solved per request: what a route needs is known when it is
compiled, down to the query of a request without one. The OpenAPI document's operations are
built from the same records (`operations`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams, State
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from caseworks.auth.principal import Principal
from caseworks.core.errors import BadRequest, FieldProblem, ServiceError, UnsupportedMediaType
from caseworks.core.validation import from_validation_errors
from caseworks.web.bearer import authenticate_header
from caseworks.web.json_bodies import _is_json, check_unique_keys
from caseworks.web.jsonapi.error_documents import error_responses as jsonapi_error_responses
from caseworks.web.problem_details import problem_responses

JSON = "application/json"
JSONAPI = "application/vnd.api+json"


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler gets: the caller, and its input validated; nothing left to parse."""

    state: State
    caller: Principal
    path: dict[str, str]
    query: Any  # an instance of the declared query model, or None
    body: Any  # what the body model or reader made of the body, or None
    request: Request


Handler = Callable[[Call], Awaitable[Response]]
# A check that needs more than the role (the record, say), run before the body is read.
Guard = Callable[[Call], Awaitable[None]]
# Reads and validates a body the endpoint's own way (a JSON:API document), before the handler.
BodyReader = Callable[[Request], Awaitable[Any]]
# Renders what an endpoint raised into a response; None for a bug (the request context's 500).
ErrorRendering = Callable[[str, Exception, str | None], Response | None]


@dataclass(frozen=True)
class QueryReading:
    """How a surface reads a query string into an endpoint's query model, with the surface's own
    errors (``read``), and how it describes the model's parameters in OpenAPI (``parameters``)."""

    read: Callable[[type[Any], bytes], Any]
    parameters: Callable[[type[Any]], list[dict[str, Any]]]


def _read_model(model: type[BaseModel], query_string: bytes) -> BaseModel:
    return _validated(model, dict(QueryParams(query_string)), "query")


def _model_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True)
    required = schema.get("required", ())
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


# The query string as a dict, validated by the model: 422 naming each parameter.
MODEL_QUERY = QueryReading(_read_model, _model_parameters)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    name: str  # the OpenAPI operationId
    query: type[BaseModel] | None = None
    query_reading: QueryReading = MODEL_QUERY  # or the surface's own reading of the query
    body: type[BaseModel] | None = None  # a JSON body this model validates
    reader: BodyReader | None = None  # or a body read by the endpoint's own reader
    request_schema: dict[str, Any] | None = None  # the reader's body, for the document
    output: type[BaseModel] | dict[str, Any] | None = None  # a model, or a JSON Schema
    status: int = 200
    other_statuses: tuple[int, ...] = ()  # successes besides status (a create that made nothing)
    errors: tuple[int, ...] = (400, 401, 403, 404, 422, 429)
    access: Callable[[Principal], object] | None = None  # the policy's check of the role
    guard: Guard | None = None
    media_type: str = JSON
    tags: tuple[str, ...] = ()
    description: str | None = None
    headers: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # header parameters


def _validated(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
        raise from_validation_errors(
            [{**problem, "loc": (where, *problem["loc"])} for problem in problems]
        ) from None


class _Compiled:
    """The ASGI callable of one endpoint. What needs no request is settled here, once: the query
    reading, and the query of every request without a query string."""

    def __init__(self, endpoint: Endpoint, state: State, render: ErrorRendering) -> None:
        self.endpoint = endpoint
        self.state = state
        self.render = render
        self.read_query = endpoint.query_reading.read
        self.no_query = _default_query(endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoint
        try:
            caller = await authenticate_header(self.state, _authorization(scope), _client(scope))
            if endpoint.access is not None:
                endpoint.access(caller)  # before the body is read
            request = Request(scope, receive)
            path = scope["path_params"]
            if endpoint.guard is not None:
                await endpoint.guard(Call(self.state, caller, path, None, None, request))
            query = self.no_query
            if endpoint.query is not None and (query is None or scope["query_string"]):
                query = self.read_query(endpoint.query, scope["query_string"])
            body: Any = None
            if endpoint.body is not None:
                body = await self._json_body(request)
            elif endpoint.reader is not None:
                body = await endpoint.reader(request)
            response = await endpoint.handler(Call(self.state, caller, path, query, body, request))
        except Exception as error:
            rendered = self.render(scope["path"], error, scope.get("state", {}).get("request_id"))
            if rendered is None:
                raise  # a bug: the request context logs it and answers 500
            response = rendered
        await response(scope, receive, send)

    async def _json_body(self, request: Request) -> BaseModel:
        assert self.endpoint.body is not None
        if not _is_json(request.headers.get("content-type", "")):
            raise UnsupportedMediaType(
                "send the body as application/json",
                [FieldProblem("must be application/json", header="Content-Type")],
            )
        raw = await request.body()
        check_unique_keys(raw)
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadRequest("the request body is not valid JSON") from None
        return _validated(self.endpoint.body, document, "body")


def _default_query(endpoint: Endpoint) -> BaseModel | None:
    """The query of every request without a query string, read once; None where one instance
    cannot serve them all (a model that is not frozen, or one with a required parameter)."""
    model = endpoint.query
    if model is None or not model.model_config.get("frozen"):
        return None
    try:
        default: BaseModel = endpoint.query_reading.read(model, b"")
    except ServiceError:
        return None
    return default


def _authorization(scope: Scope) -> str:
    """The ``Authorization`` header, read from the scope: no header object is built for it."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            header: bytes = value
            return header.decode("latin-1")
    return ""


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def compile_routes(
    endpoints: Sequence[Endpoint], state: State, render: ErrorRendering
) -> list[Route]:
    """One Starlette route per endpoint, in declaration order."""
    return [
        Route(
            endpoint.path,
            _Compiled(endpoint, state, render),
            methods=[endpoint.method],
            name=endpoint.name,
            include_in_schema=False,  # the document is built by `operations`
        )
        for endpoint in endpoints
    ]


def operations(endpoints: Sequence[Endpoint], schemas: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI `paths` of the declarations. Models go through Pydantic's own
    `model_json_schema` and land in ``schemas`` (the document's components)."""

    def ref(model: type[BaseModel], mode: str) -> dict[str, str]:
        schema = model.model_json_schema(mode=mode, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def schema_of(output: type[BaseModel] | dict[str, Any], mode: str) -> dict[str, Any]:
        return output if isinstance(output, dict) else ref(output, mode)

    paths: dict[str, Any] = {}
    for endpoint in endpoints:
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_names(endpoint.path)
        ]
        if endpoint.query is not None:
            parameters.extend(endpoint.query_reading.parameters(endpoint.query))
        parameters.extend(endpoint.headers)
        operation: dict[str, Any] = {
            "tags": list(endpoint.tags),
            "summary": endpoint.summary,
            "operationId": endpoint.name,
        }
        if endpoint.description:
            operation["description"] = endpoint.description
        if parameters:
            operation["parameters"] = parameters
        if endpoint.body is not None:
            content = {endpoint.media_type: {"schema": ref(endpoint.body, "validation")}}
            operation["requestBody"] = {"required": True, "content": content}
        elif endpoint.request_schema is not None:
            content = {endpoint.media_type: {"schema": endpoint.request_schema}}
            operation["requestBody"] = {"required": True, "content": content}
        success: dict[str, Any] = {"description": _SUCCESS.get(endpoint.media_type, "Success")}
        if endpoint.output is not None:
            success["content"] = {
                endpoint.media_type: {"schema": schema_of(endpoint.output, "serialization")}
            }
        responses: dict[str, Any] = {
            str(status): {**success} for status in (endpoint.status, *endpoint.other_statuses)
        }
        for status, response in _error_responses(endpoint).items():
            responses[str(status)] = response
        operation["responses"] = responses
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return paths


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


_SUCCESS = {JSONAPI: "A JSON:API document"}


def _error_responses(endpoint: Endpoint) -> dict[int | str, dict[str, Any]]:
    if endpoint.media_type == JSONAPI:
        return jsonapi_error_responses(*endpoint.errors)
    return problem_responses(*endpoint.errors)
