"""Authentication for HTTP requests: ``Authorization: Bearer <token>`` → Principal.

The header is read directly rather than through FastAPI's ``HTTPBearer`` security dependency:
each dependency level costs measurable time on every request. The bearer scheme is documented in
the OpenAPI document by ``caseworks.app`` instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from caseworks.auth.cache import TokenCache
from caseworks.auth.principal import Principal
from caseworks.auth.tokens import hash_token, principal_for
from caseworks.db import Database
from caseworks.errors import Unauthorized

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from `caseworks token create`.",
}


async def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send a valid API token as 'Authorization: Bearer <token>'")
    return token


async def current_principal(request: Request) -> Principal:
    token_hash = hash_token(_bearer_token(request))
    cache: TokenCache = request.app.state.token_cache
    principal = cache.get(token_hash)
    if principal is None:
        generation = cache.generation
        principal = await principal_for(request.app.state.db, token_hash)
        if principal is None:
            raise Unauthorized("the API token is unknown or revoked")
        cache.put(token_hash, principal, generation)
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
DB = Annotated[Database, Depends(database)]
