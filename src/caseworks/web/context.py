"""One pure-ASGI layer around every request: request id, allowed hosts and trusted proxies,
security headers, body limit, HEAD, access log.

Pure ASGI rather than BaseHTTPMiddleware: it costs a function call per message, not a task and a
stream copy per request.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseworks.core.errors import BadRequest, FieldProblem, PayloadTooLarge, ServiceError
from caseworks.core.logs import AccessLog
from caseworks.web.origin import HostPolicy, Origins
from caseworks.web.router import RouteTable

access_log = logging.getLogger("caseworks.access")
access_lines = AccessLog(access_log)

_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

SECURITY_HEADERS = [
    # Every response may carry personal data: never cache it, never sniff it.
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]

ErrorRenderer = Callable[[str, ServiceError, str], Any]

# The mentoring API's catalogue doubled the assignments prefix; such paths are served as the
# canonical ones, rewritten here so that the route table holds each path once.
DOUBLED_PREFIX = "/api/v1/assignments/api/v1/assignments"
CANONICAL_PREFIX = "/api/v1/assignments"


def canonical_path(scope: Scope) -> Scope:
    path: str = scope["path"]
    if not path.startswith(DOUBLED_PREFIX):
        return scope
    rest = path[len(DOUBLED_PREFIX) :]
    if rest and not rest.startswith("/"):
        return scope
    canonical = CANONICAL_PREFIX + rest
    return {**scope, "path": canonical, "raw_path": canonical.encode()}


def repeated_parameter(query_string: bytes) -> BadRequest | None:
    """A query parameter given twice is ambiguous (which page?), so it is refused, not guessed."""
    if not query_string:
        return None
    seen: set[str] = set()
    for name, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            detail = f"the query parameter {name} is given more than once"
            return BadRequest(detail, [FieldProblem(detail, parameter=name)])
        seen.add(name)
    return None


# Before authentication: links and redirects must never name a host the client chose.
_FOREIGN_HOST = BadRequest(
    "this service does not answer to that host",
    [FieldProblem("not one of the allowed hosts", header="Host")],
)


class RequestContext:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        render_error: ErrorRenderer,
        origins: Origins | None = None,
        methods: RouteTable | None = None,
    ) -> None:
        self.app = app
        self.origins = origins or Origins(HostPolicy.of(["*"], None))
        self.max_body_bytes = max_body_bytes
        self.render_error = render_error
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = canonical_path(scope)
        given_id, host, content_length = _read_headers(scope)
        request_id = _request_id(given_id)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        origins = state["origins"] = self.origins
        if origins.from_trusted_proxy(scope):
            scope = origins.forwarded(scope)
            host = _read_headers(scope)[1]  # the host the proxy was asked for
        method: str = scope["method"]
        head = method == "HEAD"
        if head:
            scope = self._head_as_get(scope)
            state["head"] = True  # a streamed answer need not make a body that is dropped
        began = time.perf_counter()
        status = 500  # until a response starts
        responded = False
        request_id_header = (b"x-request-id", request_id.encode())

        async def send_with_headers(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [
                    *message.get("headers", ()),
                    *SECURITY_HEADERS,
                    request_id_header,
                ]
            elif head and message["type"] == "http.response.body":
                # The GET's status and headers (Content-Length too), without its body.
                message = {**message, "body": b""}
            await send(message)

        try:
            if host is not None and not origins.host_allowed(host):
                response = self.render_error(scope["path"], _FOREIGN_HOST, request_id)
                await response(scope, receive, send_with_headers)
                return
            declared = _whole_number(content_length)
            if declared is not None and declared > self.max_body_bytes:
                response = self.render_error(scope["path"], self._too_large(), request_id)
                await response(scope, receive, send_with_headers)
                return
            repeated = repeated_parameter(scope["query_string"])
            if repeated is not None:
                response = self.render_error(scope["path"], repeated, request_id)
                await response(scope, receive, send_with_headers)
                return
            await self.app(scope, self._limited(receive), send_with_headers)
        except Exception:
            # Logged with its request id; the body says only that it failed, never why.
            access_log.exception("unhandled error request_id=%s", request_id)
            if not responded:
                failure = ServiceError("an unexpected error occurred; quote the request id")
                response = self.render_error(scope["path"], failure, request_id)
                await response(scope, receive, send_with_headers)
        finally:
            milliseconds = (time.perf_counter() - began) * 1000
            access_lines.request(method, scope["path"], status, milliseconds, request_id)

    def _head_as_get(self, scope: Scope) -> Scope:
        """A HEAD is served as the path's GET; without a GET it stays (405)."""
        if self.methods is None or "GET" not in self.methods.allowed(scope["path"]):
            return scope
        return {**scope, "method": "GET"}

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is over the limit of {self.max_body_bytes} bytes")

    def _limited(self, receive: Receive) -> Receive:
        """Count a body sent without Content-Length and stop reading it at the limit."""
        received = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._too_large()
            return message

        return limited_receive


def _read_headers(scope: Scope) -> tuple[bytes | None, bytes | None, bytes | None]:
    """``X-Request-ID``, ``Host`` and ``Content-Length`` (the first of each), in one pass over
    the headers. A missing Host (HTTP/1.0) means URLs are built from the server's own address."""
    request_id = host = content_length = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = value if host is None else host
        elif name == b"content-length":
            content_length = value if content_length is None else content_length
        elif name == b"x-request-id":
            request_id = value if request_id is None else request_id
    return request_id, host, content_length


def _whole_number(value: bytes | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _request_id(given: bytes | None) -> str:
    """The client's request id when it is a sensible one; else a new one."""
    if given is not None:
        candidate = given.decode("latin-1")
        if _VALID_REQUEST_ID.fullmatch(candidate):
            return candidate
    return os.urandom(16).hex()  # as random as uuid4().hex, at a fraction of the cost
