"""JSON:API error documents: ``{"errors": [...]}``, one object per problem.

Each object carries the request id (``id``, as Binti's do, to quote to us) and a ``code`` that
names the kind of failure in one spelling per status (`ERROR_CODES`); ``status`` is a string, as
JSON:API requires (Binti sends a number).
"""

from __future__ import annotations

from typing import Any

from caseworks.core.errors import MAX_PROBLEMS, ServiceError
from caseworks.core.jsonio import dumps
from caseworks.web.jsonapi import MEDIA_TYPES
from caseworks.web.jsonapi.negotiation import JSONAPIResponse

# The one spelling of each kind of failure, by status.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_objects(error: ServiceError, request_id: str | None = None) -> list[dict[str, Any]]:
    base: dict[str, Any] = {} if request_id is None else {"id": request_id}
    base |= {
        "status": str(error.status),
        "code": ERROR_CODES.get(error.status, "error"),
        "title": error.title,
    }
    if not error.problems:
        return [{**base, "detail": error.detail}]
    objects = []
    for problem in error.problems:
        item: dict[str, Any] = {**base, "detail": problem.detail}
        if problem.pointer is not None:
            item["source"] = {"pointer": problem.pointer}
        elif problem.parameter is not None:
            item["source"] = {"parameter": problem.parameter}
        elif problem.header is not None:
            item["source"] = {"header": problem.header}
        objects.append(item)
    return objects


def error_response(
    error: ServiceError, request_id: str | None = None, headers: dict[str, str] | None = None
) -> JSONAPIResponse:
    document: dict[str, Any] = {"errors": error_objects(error, request_id)}
    meta: dict[str, Any] = {}
    if request_id is not None:
        meta["request-id"] = request_id
    if error.omitted:  # problems found beyond the MAX_PROBLEMS error objects
        meta["omitted-errors"] = error.omitted
    if meta:
        document["meta"] = meta
    return JSONAPIResponse(dumps(document), status_code=error.status, headers=headers)


# --- the error document in OpenAPI -------------------------------------------------------------

_TEXT: dict[str, Any] = {"type": "string"}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_PROBLEMS,
            "items": {
                "type": "object",
                "required": ["id", "status", "code", "title"],
                "properties": {
                    "id": {**_TEXT, "description": "The request id (`X-Request-ID`)."},
                    "status": {"type": "string", "pattern": "^[45][0-9][0-9]$"},
                    "code": {"enum": sorted({*ERROR_CODES.values(), "error"})},
                    "title": _TEXT,
                    "detail": _TEXT,
                    "source": {
                        "type": "object",
                        "properties": {"pointer": _TEXT, "parameter": _TEXT, "header": _TEXT},
                        "minProperties": 1,
                        "maxProperties": 1,
                    },
                },
            },
        },
        "meta": {
            "type": "object",
            "properties": {
                "request-id": _TEXT,
                "omitted-errors": {
                    "type": "integer",
                    "minimum": 1,
                    "description": f"Problems found beyond the {MAX_PROBLEMS} error objects shown.",
                },
            },
        },
    },
    "additionalProperties": True,
}
_DESCRIPTIONS = {
    400: "Malformed JSON or query parameter",
    401: "Missing, unknown or revoked token",
    403: "May read but not change",
    404: "Unknown, or not visible to this token",
    409: "Resource type mismatch",
    413: "Body over the size limit",
    415: "Unsupported media type",
    422: "Invalid document; source.pointer names each problem",
    429: "Too many failed authentications from this address; see Retry-After",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of these error statuses, each an error document."""
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {media_type: {"schema": ERROR_SCHEMA} for media_type in MEDIA_TYPES},
        }
        for status in statuses
    }
