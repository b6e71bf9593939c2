"""Shared pieces of the REST surface's routes: JSON bodies only, paging parameters."""

from __future__ import annotations

from fastapi import Depends, Request

from caseworks.errors import BadRequest, FieldProblem, UnsupportedMediaType
from caseworks.jsonio import duplicate_key


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
    check_unique_keys(await request.body())


def check_unique_keys(body: bytes) -> None:
    repeated = duplicate_key(body)
    if repeated is not None:
        raise BadRequest(f"the key {repeated!r} appears twice in one object of the body")


JSONBody = Depends(require_json)
