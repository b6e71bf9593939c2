"""Each endpoint declared once, as an `Endpoint` record: method, path, handler, the models of its
query and body, its output, its errors and its access rule. The records are compiled once, at
start-up, into ASGI callables for the route table (`web/router.py`) that do, in order:
authenticate, read the query (unknown names refused, the rest validated by the query model or by
the surface's own `QueryReading`), check the role, run the endpoint's guard (a check that needs
the record, still before the body), read and validate the body, call the handler, render errors.
Nothing is solved per request: what an endpoint needs is known when it is compiled, and a read
takes what it needs from the ASGI scope without building a `Request`. The OpenAPI document's
operations are built from the same records (`operations`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from caseworks.auth.principal import Principal
from caseworks.core.errors import (
    BadRequest,
    FieldProblem,
    ProblemList,
    ServiceError,
    Unauthorized,
)
from caseworks.core.validation import from_validation_errors
from caseworks.web import csv_export
from caseworks.web.bearer import authenticate_header
from caseworks.web.csv_export import Export
from caseworks.web.json_bodies import (
    json_document,
    require_json,
    require_media_type,
    validated_body,
)
from caseworks.web.jsonapi.error_documents import error_responses as jsonapi_error_responses
from caseworks.web.problem_details import problem_responses

JSON = "application/json"
JSONAPI = "application/vnd.api+json"
UNKNOWN_PARAMETER = "is not a parameter of this operation"


class Call:
    """What a handler gets: the caller, and its input validated; nothing left to parse.

    ``request`` is made on first use: the reads need only what the scope holds. An endpoint with
    a body gets the `Request` its body was read through, so the body can be read again from it.
    """

    __slots__ = ("_request", "body", "caller", "path", "query", "receive", "scope", "state")

    def __init__(
        self,
        state: State,
        caller: Principal,
        path: dict[str, str],
        query: Any,  # an instance of the declared query model, or None
        body: Any,  # what the body model or reader made of the body, or None
        scope: Scope,
        receive: Receive,
        request: Request | None = None,
    ) -> None:
        self.state = state
        self.caller = caller
        self.path = path
        self.query = query
        self.body = body
        self.scope = scope
        self.receive = receive
        self._request = request

    @property
    def now(self) -> datetime:
        """When the request is answered, to the second, by the application's clock (which a
        test may set)."""
        return datetime.fromtimestamp(int(self.state.clock()), UTC)

    @property
    def request(self) -> Request:
        if self._request is None:
            self._request = Request(self.scope, self.receive)
        return self._request


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
    errors (``read``, which refuses unknown names too), and how it describes the model's
    parameters in OpenAPI (``parameters``)."""

    read: Callable[[type[Any], bytes], Any]
    parameters: Callable[[type[Any]], list[dict[str, Any]]]
    # Names that would carry a token in the URL (Binti's old `api_token`): 401 before anything
    # else, saying to send the header, since logs and proxies keep URLs.
    credentials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    name: str  # the OpenAPI operationId
    query: type[BaseModel] | None = None
    query_reading: QueryReading | None = None  # the surface's own reading, or the model's
    body: type[BaseModel] | None = None  # a JSON body this model validates
    raw_body: str | None = None  # or a body of this media type, handed over as its bytes
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
    # Error answers whose body may hold more than the surface's error shape, by status.
    error_models: tuple[tuple[int, type[BaseModel]], ...] = ()
    # A list's rows as one CSV file (``format=csv`` or ``Accept: text/csv``): see csv_export.
    export: Export | None = None


def _validated(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
        raise from_validation_errors(
            [{**problem, "loc": (where, *problem["loc"])} for problem in problems]
        ) from None


class _Query:
    """How one endpoint reads its query string, worked out when it is compiled: by the surface's
    own `QueryReading` when it has one, else unknown names refused and the model run on the rest.
    """

    def __init__(self, model: type[BaseModel] | None, reading: QueryReading | None) -> None:
        self.model = model
        self.reading = reading
        self.names = _parameter_names(model) if model is not None else frozenset()
        self.credentials = reading.credentials if reading is not None else ()
        # Without a query string the defaults are the answer: one instance serves every such
        # request. None where one cannot serve them all: a model that is not frozen (a handler
        # may change it) or one with a required parameter.
        self.default = self._default()

    def read(self, query_string: bytes) -> Any:
        if not query_string and (self.default is not None or self.model is None):
            return self.default
        return self._read(query_string)

    def _read(self, query_string: bytes) -> Any:
        if self.reading is not None and self.model is not None:
            return self.reading.read(self.model, query_string)
        # As Starlette's QueryParams reads it, the last of repeated values kept (the request
        # context has refused repeats already), without building the multi-dict.
        parameters = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        if not self.names.issuperset(parameters):
            raise _unknown_parameters([name for name in parameters if name not in self.names])
        if self.model is None:
            return None  # a query string of separators only ("?&")
        return _validated(self.model, parameters, "query")

    def refuse_credentials(self, query_string: bytes) -> None:
        """401 for a token in the query string: a bytes search first (the name, or an escape
        that may spell it), so a query without one costs a substring test or two."""
        for name in self.credentials:
            maybe = name.encode() in query_string or b"%" in query_string
            if maybe and any(
                given == name for given, _ in parse_qsl(query_string.decode("latin-1"))
            ):
                detail = (
                    f"an API token is not taken in the URL ({name}): logs and proxies keep URLs;"
                    " send it as 'Authorization: Bearer <token>'"
                )
                raise Unauthorized(detail, [FieldProblem(detail, parameter=name)])

    def _default(self) -> Any:
        if self.model is None or not self.model.model_config.get("frozen"):
            return None
        try:
            return self._read(b"")
        except ServiceError:
            return None


def _parameter_names(model: type[BaseModel]) -> frozenset[str]:
    """The names a query may use: those the document gives its parameters (`operations`)."""
    return frozenset(info.alias or name for name, info in model.model_fields.items())


def _unknown_parameters(names: list[str]) -> BadRequest:
    problems = ProblemList()
    for name in names:
        problems.append(FieldProblem(UNKNOWN_PARAMETER, parameter=name))
    shown = ", ".join(str(problem.parameter) for problem in problems.items)
    return BadRequest(f"not a query parameter of this operation: {shown}", problems)


class _Compiled:
    """The ASGI callable of one endpoint."""

    def __init__(self, endpoint: Endpoint, state: State, render: ErrorRendering) -> None:
        self.endpoint = endpoint
        self.state = state
        self.render = render
        self.query = _Query(endpoint.query, endpoint.query_reading)
        self.body_fields = frozenset(endpoint.body.model_fields) if endpoint.body else frozenset()
        self.reads_body = any(
            given is not None for given in (endpoint.body, endpoint.reader, endpoint.raw_body)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self._respond(scope, receive)
        except Exception as error:
            rendered = self.render(scope["path"], error, scope.get("state", {}).get("request_id"))
            if rendered is None:
                raise  # a bug: the request context logs it and answers 500
            response = rendered
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        endpoint = self.endpoint
        if self.query.credentials and scope["query_string"]:
            self.query.refuse_credentials(scope["query_string"])
        caller = await authenticate_header(
            self.state, _header(scope, b"authorization"), _client(scope)
        )
        query_string: bytes = scope["query_string"]
        as_csv = False
        if endpoint.export is not None:
            asked, query_string = csv_export.take_format(query_string)
            query = self.query.read(query_string)
            as_csv = csv_export.wants_csv(scope, asked, endpoint.media_type == JSONAPI)
        else:
            query = self.query.read(query_string)
        if endpoint.access is not None:
            endpoint.access(caller)  # before the body is read
        path: dict[str, str] = scope["path_params"]
        if endpoint.guard is not None:
            await endpoint.guard(Call(self.state, caller, path, query, None, scope, receive))
        if as_csv:
            assert endpoint.export is not None
            call = Call(self.state, caller, path, query, None, scope, receive)
            return await csv_export.csv_response(endpoint.export, call)
        if not self.reads_body:
            return await endpoint.handler(
                Call(self.state, caller, path, query, None, scope, receive)
            )
        request = Request(scope, receive)
        body = await self._body(request)
        call = Call(self.state, caller, path, query, body, scope, receive, request)
        return await endpoint.handler(call)

    async def _body(self, request: Request) -> Any:
        endpoint = self.endpoint
        if endpoint.reader is not None:
            return await endpoint.reader(request)
        if endpoint.raw_body is not None:
            # Read within the request context's body limit, like any other body.
            require_media_type(_header(request.scope, b"content-type"), endpoint.raw_body)
            return await request.body()
        assert endpoint.body is not None
        require_json(_header(request.scope, b"content-type"))
        document = json_document(await request.body())
        return validated_body(endpoint.body, self.body_fields, document)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")  # type: ignore[no-any-return]
    return ""


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def compile_routes(
    endpoints: Sequence[Endpoint], state: State, render: ErrorRendering
) -> list[tuple[str, str, ASGIApp]]:
    """Each endpoint's (method, path template, compiled ASGI callable), for the route table."""
    return [
        (endpoint.method, endpoint.path, _Compiled(endpoint, state, render))
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
        parameters = [*_path_parameters(endpoint.path), *_query_parameters(endpoint)]
        if endpoint.export is not None:
            parameters.append(csv_export.openapi_parameter())
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
        elif endpoint.raw_body is not None:
            content = {endpoint.raw_body: {"schema": {"type": "string"}}}
            operation["requestBody"] = {"required": True, "content": content}
        success: dict[str, Any] = {"description": _SUCCESS.get(endpoint.media_type, "Success")}
        if endpoint.output is not None:
            schema = schema_of(endpoint.output, "serialization")
            if len(_answered_as(endpoint)) > 1 and "$ref" not in schema:
                # Under each media type: kept once, in components, rather than written twice.
                name = f"{endpoint.name}_document"
                schemas[name] = schema
                schema = {"$ref": f"#/components/schemas/{name}"}
            success["content"] = {
                media_type: {"schema": schema} for media_type in _answered_as(endpoint)
            }
            if endpoint.export is not None:
                success["content"] |= csv_export.openapi_content(endpoint.export.kind)
        responses: dict[str, Any] = {
            str(status): {**success} for status in (endpoint.status, *endpoint.other_statuses)
        }
        for status, response in _error_responses(endpoint, schemas).items():
            responses[str(status)] = response
        for status, model in endpoint.error_models:
            for described in responses[str(status)]["content"].values():
                # The surface's own error (a bad query, say), or the one that holds more.
                described["schema"] = {"anyOf": [described["schema"], ref(model, "serialization")]}
        operation["responses"] = responses
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return paths


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"title": name.replace("_", " ").title(), "type": "string"},
        }
        for name in names
    ]


def _query_parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    model = endpoint.query
    if model is None:
        return []
    if endpoint.query_reading is not None:
        return endpoint.query_reading.parameters(model)
    schema = model.model_json_schema(by_alias=True)
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        parameter = {"name": name, "in": "query", "required": name in schema.get("required", ())}
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameters.append({**parameter, "schema": prop})
    return parameters


_SUCCESS = {JSONAPI: "A JSON:API document"}


def _answered_as(endpoint: Endpoint) -> tuple[str, ...]:
    """The media types of an operation's answers: a JSON:API document may also be sent as
    ``application/json``, to a client that accepts only that."""
    return (JSONAPI, JSON) if endpoint.media_type == JSONAPI else (endpoint.media_type,)


def _error_responses(
    endpoint: Endpoint, schemas: dict[str, Any]
) -> dict[int | str, dict[str, Any]]:
    """The error answers of an operation, their one schema per surface kept in components."""
    if endpoint.media_type == JSONAPI:
        responses, name = jsonapi_error_responses(*endpoint.errors), "JSONAPIErrors"
    else:
        responses, name = problem_responses(*endpoint.errors), "Problem"
    referenced: dict[int | str, dict[str, Any]] = {}
    for status, response in responses.items():
        content = {}
        for media_type, described in response["content"].items():
            schemas[name] = described["schema"]
            content[media_type] = {"schema": {"$ref": f"#/components/schemas/{name}"}}
        referenced[status] = {**response, "content": content}
    return referenced
