"""The ``Idempotency-Key`` header of a create, and the headers of its answer.

What a key means, and how a create claims it in its transaction, is ``db/idempotency.py``'s.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request

from caseworks.core.errors import BadRequest, FieldProblem
from caseworks.db.idempotency import HEADER, IdempotentRequest
from caseworks.web.origin import origins_of

__all__ = ["HEADER", "OPENAPI", "REPLAYED", "IdempotentRequest", "created_headers", "of"]

REPLAYED = "Idempotent-Replayed"  # on an answer given from an earlier attempt's record
MAX_LENGTH = 255

# Visible ASCII; a quote or backslash would need escaping in the Structured Field string.
_KEY_CHARACTERS = frozenset(chr(code) for code in range(0x21, 0x7F)) - {'"', "\\"}

OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "description": "Retry safely: a create repeated with the same key within 24 hours"
            " is answered with the record the first attempt made, never a second one.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
        }
    ]
}


async def of(request: Request) -> IdempotentRequest | None:
    """The key a request brings, if any; 400 unless it is 1–255 visible ASCII characters."""
    raw = request.headers.get(HEADER.lower())
    if raw is None:
        return None
    # The header is a Structured Field string ("…"); a bare token is accepted as well.
    key = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    if not 0 < len(key) <= MAX_LENGTH or not all(char in _KEY_CHARACTERS for char in key):
        detail = f'{HEADER} must be 1–{MAX_LENGTH} visible ASCII characters other than " and \\'
        raise BadRequest(detail, [FieldProblem(detail, header=HEADER)])
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), await request.body()):
        digest.update(len(part).to_bytes(8, "big") + part)
    return IdempotentRequest(key, digest.hexdigest())


def created_headers(request: Request, path: str, replayed: bool) -> dict[str, str]:
    """The headers of a 201: ``Location`` (absolute under the public URL, if one is configured),
    and whether an earlier attempt made the record."""
    location = origins_of(request.scope).location(path)
    return {"Location": location} | ({REPLAYED: "true"} if replayed else {})
