"""Authentication for HTTP requests: ``Authorization: Bearer <token>`` → Principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from fastapi.security.http import HTTPAuthorizationCredentials

from caseworks.auth.cache import TokenCache
from caseworks.auth.principal import Principal
from caseworks.auth.tokens import hash_token, principal_for
from caseworks.db import Database
from caseworks.errors import Unauthorized

# auto_error=False: we answer 401 ourselves, in each surface's own error format.
_bearer = HTTPBearer(auto_error=False, description="An API token from `caseworks token create`.")


async def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("send a valid API token as 'Authorization: Bearer <token>'")
    token_hash = hash_token(credentials.credentials)
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
