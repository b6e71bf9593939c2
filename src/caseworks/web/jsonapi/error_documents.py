"""JSON:API error documents: ``{"errors": [...]}``, one object per problem."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from caseworks.core.errors import ServiceError
from caseworks.core.jsonio import dumps
from caseworks.web.jsonapi import MEDIA_TYPE


def error_objects(error: ServiceError) -> list[dict[str, Any]]:
    base = {"status": str(error.status), "title": error.title}
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
) -> Response:
    document: dict[str, Any] = {"errors": error_objects(error)}
    meta: dict[str, Any] = {}
    if request_id is not None:
        meta["request-id"] = request_id
    if error.omitted:  # problems found beyond the MAX_PROBLEMS error objects
        meta["omitted-errors"] = error.omitted
    if meta:
        document["meta"] = meta
    return Response(
        dumps(document), status_code=error.status, media_type=MEDIA_TYPE, headers=headers
    )
