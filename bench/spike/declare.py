"""A thin declaration layer on Starlette: each endpoint declared once, as a record (path, method,
input models for query and body, output model, errors, access rule), compiled once into a
Starlette route whose ASGI callable does, in order: authenticate, check the role, validate the
query, validate the body, call the handler, render errors. No per-request dependency solving:
what a route needs is known when it is compiled. The OpenAPI document is built from the same
records (`openapi`).
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
from caseworks.web.app import exception_response
from caseworks.web.bearer import BEARER_SCHEME, authenticate_header
from caseworks.web.json_bodies import _is_json, check_unique_keys


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler gets: everything validated, nothing left to parse."""

    state: State
    caller: Principal
    path: dict[str, str]
    query: Any  # an instance of the declared query model, or None
    body: Any  # an instance of the declared body model, or None
    request: Request


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    output: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 403, 404, 422, 429)
    access: Callable[[Principal], object] | None = None  # the policy's check of the role
    media_type: str = "application/json"
    tags: tuple[str, ...] = field(default_factory=tuple)


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

    def __init__(self, endpoint: Endpoint, state: State) -> None:
        self.endpoint = endpoint
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoint
        try:
            request = Request(scope, receive)
            caller = await authenticate_header(
                self.state, request.headers.get("authorization", ""), _client(scope)
            )
            if endpoint.access is not None:
                endpoint.access(caller)  # before the body is read
            query = None
            if endpoint.query is not None:
                query = _validated(
                    endpoint.query, dict(QueryParams(scope["query_string"])), "query"
                )
            body = await self._body(request) if endpoint.body is not None else None
            call = Call(self.state, caller, scope["path_params"], query, body, request)
            response = await endpoint.handler(call)
        except Exception as error:
            request_id = scope["state"]["request_id"]
            rendered = exception_response(scope["path"], error, request_id)
            if rendered is None:
                raise  # a bug: the request context logs it and answers 500
            response = rendered
        await response(scope, receive, send)

    async def _body(self, request: Request) -> BaseModel:
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


def compile_routes(endpoints: Sequence[Endpoint], state: State) -> list[Route]:
    """One Starlette route per path, each method to its own compiled endpoint."""
    by_path: dict[str, dict[str, _Compiled]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = _Compiled(endpoint, state)
    routes = []
    for path, methods in by_path.items():
        routes.extend(
            Route(path, compiled, methods=[method]) for method, compiled in methods.items()
        )
    return routes


def openapi(endpoints: Sequence[Endpoint], title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the declarations: every model through Pydantic's own
    `model_json_schema`, referenced from components."""
    schemas: dict[str, Any] = {}

    def ref(model: type[BaseModel], mode: str = "validation") -> dict[str, str]:
        schema = model.model_json_schema(mode=mode, ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, Any] = {}
    for endpoint in endpoints:
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_names(endpoint.path)
        ]
        if endpoint.query is not None:
            schema = endpoint.query.model_json_schema()
            for name, prop in schema.get("properties", {}).items():
                required = name in schema.get("required", ())
                parameters.append(
                    {"name": name, "in": "query", "required": required, "schema": prop}
                )
        operation: dict[str, Any] = {"summary": endpoint.summary, "tags": list(endpoint.tags)}
        if parameters:
            operation["parameters"] = parameters
        if endpoint.body is not None:
            content = {endpoint.media_type: {"schema": ref(endpoint.body)}}
            operation["requestBody"] = {"required": True, "content": content}
        success: dict[str, Any] = {"description": "OK"}
        if endpoint.output is not None:
            success["content"] = {
                endpoint.media_type: {"schema": ref(endpoint.output, "serialization")}
            }
        responses = {str(endpoint.status): success}
        for status in endpoint.errors:
            responses[str(status)] = {
                "description": "an error",
                "content": _error_content(endpoint),
            }
        operation["responses"] = responses
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": BEARER_SCHEME}},
        "security": [{"bearer": []}],
    }


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _error_content(endpoint: Endpoint) -> dict[str, Any]:
    if endpoint.media_type == "application/vnd.api+json":
        return {endpoint.media_type: {"schema": {"$ref": "#/components/schemas/JSONAPIErrors"}}}
    return {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
