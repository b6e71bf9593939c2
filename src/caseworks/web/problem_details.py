"""RFC 9457 problem details for the REST surface (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from caseworks.core.errors import MAX_PROBLEMS, ServiceError, omitted_text
from caseworks.core.jsonio import dumps

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_body(error: ServiceError, request_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if error.omitted:
        body["detail"] = f"{error.detail} {omitted_text(error.omitted)}"
    if error.problems:
        body["errors"] = [
            {
                key: value
                for key, value in (
                    ("pointer", problem.pointer),
                    ("parameter", problem.parameter),
                    ("header", problem.header),
                    ("detail", problem.detail),
                )
                if value is not None
            }
            for problem in error.problems
        ]
    if request_id is not None:
        body["request_id"] = request_id
    for name, value in error.members.items():
        body.setdefault(name, value)  # extension members: never in place of a standard one
    return body


def problem_response(
    error: ServiceError, request_id: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        dumps(problem_body(error, request_id)),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


# Documented on every REST operation, so the OpenAPI document tells clients the error shape.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        # Members some problems add (ServiceError.members): over a mentor's caseload limit.
        "open": {"type": "integer", "description": "Open assignments the mentor has."},
        "limit": {"type": "integer", "description": "The mentor's caseload limit in force."},
        "errors": {
            "type": "array",
            "maxItems": MAX_PROBLEMS,
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "header": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Malformed JSON or query",
        401: "Missing, unknown or revoked token",
        403: "The token may not do this",
        404: "Unknown, or not visible to this token",
        409: "Conflicts with the current state; over a mentor's caseload limit, `open` and"
        " `limit` say by how much",
        413: "Body over the size limit",
        415: "Body is not JSON",
        422: "Well-formed but invalid; `errors` names each field or parameter (at most 50; "
        "`detail` counts the rest)",
        429: "Too many failed authentications from this address; see `Retry-After`",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }
