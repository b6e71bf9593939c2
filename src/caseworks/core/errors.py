"""Failures the services raise. Each API surface renders them in its own format:
RFC 9457 problem details on the REST surface, JSON:API error objects on the JSON:API surface."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# At most this many problems go into one error answer; the rest are only counted. A body of a
# megabyte can hold ninety thousand wrong keys: naming each would make a response of many
# megabytes and hold the event loop for most of a second.
MAX_PROBLEMS = 50


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


class ProblemList:
    """The problems of one request as they are found: the first MAX_PROBLEMS kept, the rest
    counted, so neither the answer nor the work of building it grows with the input."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []
        self.omitted = 0

    def append(self, problem: FieldProblem) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem)
        else:
            self.omitted += 1

    def counted(self) -> bool:
        """When full, count one more problem and say so: the caller need not build it."""
        if len(self.items) >= MAX_PROBLEMS:
            self.omitted += 1
            return True
        return False

    def __len__(self) -> int:
        return len(self.items) + self.omitted

    def __bool__(self) -> bool:
        return bool(self.items)


def omitted_text(count: int) -> str:
    """How a REST detail says that problems were left out: "… and 89,950 more problems"."""
    return f"… and {count:,} more problem{'' if count == 1 else 's'}"


class ServiceError(Exception):
    """A failure with its status. ``members`` are facts a client acts on beyond ``detail``
    (``{"open": 5, "limit": 5}``): the REST surface puts them at the top level of the problem
    body, beside the standard members, which they never replace."""

    status = 500
    title = "Internal Server Error"

    def __init__(
        self,
        detail: str,
        problems: Sequence[FieldProblem] | ProblemList = (),
        omitted: int = 0,
        members: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.members: Mapping[str, object] = members or {}
        if isinstance(problems, ProblemList):
            omitted += problems.omitted
            problems = problems.items
        self.problems = tuple(problems[:MAX_PROBLEMS])
        # Problems found but not named: both surfaces say how many.
        self.omitted = omitted + len(problems) - len(self.problems)


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


class MethodNotAllowed(ServiceError):
    status = 405
    title = "Method Not Allowed"


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


class SimultaneousChange(Unavailable):
    """The database aborted the request's transaction because of another one running at the
    same time (a deadlock, or a serialization failure): nothing was written, and sending the
    same request again is safe and will most likely succeed."""

    retry_after = 1

    def __init__(self) -> None:
        super().__init__(
            "the request met a simultaneous change to the same records and was not applied;"
            " nothing was written, and it may be retried"
        )
