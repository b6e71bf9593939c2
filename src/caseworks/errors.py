"""Failures the services raise. Each API surface renders them in its own format:
RFC 9457 problem details on the REST surface, JSON:API error objects on the JSON:API surface."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input: at a body location (JSON Pointer) or a query parameter."""

    detail: str
    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None


def pointer_to(path: Iterable[str | int]) -> str:
    """An RFC 6901 JSON Pointer to ``path``; the empty pointer is the whole document."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class ServiceError(Exception):
    status = 500
    title = "Internal Server Error"

    def __init__(self, detail: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = tuple(problems)


class BadRequest(ServiceError):
    status = 400
    title = "Bad Request"


class Unauthorized(ServiceError):
    status = 401
    title = "Unauthorized"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class NotFound(ServiceError):
    status = 404
    title = "Not Found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class PayloadTooLarge(ServiceError):
    status = 413
    title = "Content Too Large"


class UnsupportedMediaType(ServiceError):
    status = 415
    title = "Unsupported Media Type"


class Invalid(ServiceError):
    status = 422
    title = "Unprocessable Content"

    @classmethod
    def field(cls, pointer: str, detail: str) -> Invalid:
        return cls(detail, [FieldProblem(detail, pointer=pointer)])

    @classmethod
    def parameter(cls, name: str, detail: str) -> Invalid:
        return cls(detail, [FieldProblem(detail, parameter=name)])


class TooManyRequests(ServiceError):
    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    status = 503
    title = "Service Unavailable"
