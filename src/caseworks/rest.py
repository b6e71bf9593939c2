"""Shared pieces of the REST surface's routes: JSON bodies only, paging parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from caseworks.errors import FieldProblem, UnsupportedMediaType
from caseworks.pagination import PageRequest


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def require_json(request: Request) -> None:
    """415 for a body that is not JSON, before the body is validated."""
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise UnsupportedMediaType(
            "send the body as application/json",
            [FieldProblem("must be application/json", header="Content-Type")],
        )


async def page_request(
    page: Annotated[int, Query(ge=1, le=10_000_000, description="Page number, from 1.")] = 1,
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page, 1–100.")] = 20,
) -> PageRequest:
    return PageRequest(page, limit)


JSONBody = Depends(require_json)
Paging = Annotated[PageRequest, Depends(page_request)]
