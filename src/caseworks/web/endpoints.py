"""Each endpoint declared once, as an `Endpoint` record: method, path, handler, the models of its
query and body, its output, its errors and its access rule. The records are compiled once, at
start-up, into Starlette routes whose ASGI callable does, in order: authenticate, check the
role, run the endpoint's guard (a check that needs the record, still before the body), validate
the query, read and validate the body, call the handler, render errors. Nothing is solved per
request: what a route needs is known when it is compiled. The OpenAPI document's operations are
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
from caseworks.core.errors import BadRequest, FieldProblem, UnsupportedMediaType
from caseworks.core.validation import from_validation_errors
from caseworks.web.bearer import authenticate_header
from caseworks.web.json_bodies import _is_json, check_unique_keys
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
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    name: str  # the OpenAPI operationId
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None  # a JSON body this model validates
    reader: BodyReader | None = None  # or a body read by the endpoint's own reader
    request_schema: dict[str, Any] | None = None  # the reader's body, for the document
    output: type[BaseModel] | dict[str, Any] | None = None  # a model, or a JSON Schema
    status: int = 200
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
    """The ASGI callable of one endpoint."""

    def __init__(self, endpoint: Endpoint, state: State, render: ErrorRendering) -> None:
        self.endpoint = endpoint
        self.state = state
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoint
        try:
            request = Request(scope, receive)
            caller = await authenticate_header(
                self.state, request.headers.get("authorization", ""), _client(scope)
            )
            if endpoint.access is not None:
                endpoint.access(caller)  # before the body is read
            path = scope.get("path_params", {})
            if endpoint.guard is not None:
                await endpoint.guard(Call(self.state, caller, path, None, None, request))
            query = None
            if endpoint.query is not None:
                query = _validated(
                    endpoint.query, dict(QueryParams(scope["query_string"])), "query"
                )
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
            schema = endpoint.query.model_json_schema(by_alias=True)
            for name, prop in schema.get("properties", {}).items():
                required = name in schema.get("required", ())
                parameters.append(
                    {"name": name, "in": "query", "required": required, "schema": prop}
                )
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
        success: dict[str, Any] = {"description": "Success"}
        if endpoint.output is not None:
            success["content"] = {
                endpoint.media_type: {"schema": schema_of(endpoint.output, "serialization")}
            }
        responses: dict[str, Any] = {str(endpoint.status): success}
        for status, response in _error_responses(endpoint).items():
            responses[str(status)] = response
        operation["responses"] = responses
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return paths


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _error_responses(endpoint: Endpoint) -> dict[int | str, dict[str, Any]]:
    if endpoint.media_type == JSONAPI:
        return {  # the JSON:API error document (TODO: its schema)
            status: {"description": "An error", "content": {JSONAPI: {"schema": {}}}}
            for status in endpoint.errors
        }
    return problem_responses(*endpoint.errors)
