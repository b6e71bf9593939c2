"""Authentication for HTTP requests: ``Authorization: Bearer <token>`` → Principal.

The header is read directly rather than through FastAPI's ``HTTPBearer`` security dependency:
each dependency level costs measurable time on every request. The bearer scheme is documented in
the OpenAPI document by ``caseworks.app`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import State

from caseworks.auth.cache import TokenCache
from caseworks.auth.limits import FailureLimiter
from caseworks.auth.principal import Principal
from caseworks.auth.tokens import TOKEN_PREFIX, hash_token, principal_for
from caseworks.core.errors import TooManyRequests, Unauthorized
from caseworks.db import Database

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from `caseworks token create`.",
}


async def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send a valid API token as 'Authorization: Bearer <token>'")
    return token


async def authenticate_header(state: State, authorization: str, client: str | None) -> Principal:
    """The caller an ``Authorization`` header names; 401 if none, unknown, revoked or expired,
    and 429 instead once ``client`` (the caller's address) has failed too often."""
    limiter: FailureLimiter | None = state.auth_limiter
    if limiter is None or client is None:
        return await _principal(state, _bearer_token(authorization))
    limited = limiter.retry_after(client)
    try:
        token = _bearer_token(authorization)
        if limited is not None and not token.startswith(TOKEN_PREFIX):
            raise Unauthorized("not an API token")  # cannot be valid: spare the lookup
        return await _principal(state, token)
    except Unauthorized:
        limiter.failed(client)
        if limited is None:
            raise
        raise TooManyRequests(
            "too many failed authentications from this address; try again later", limited
        ) from None


async def _principal(state: State, token: str) -> Principal:
    token_hash = hash_token(token)
    cache: TokenCache = state.token_cache
    data_version: Callable[[], int] | None = state.data_version
    if data_version is not None:
        cache.revalidate(data_version())
    clock: Callable[[], float] = state.clock
    principal = cache.get(token_hash)
    if principal is None:
        generation = cache.generation
        principal = await principal_for(state.db, token_hash, clock())
        if principal is None:
            raise Unauthorized("the API token is unknown or revoked")
        cache.put(token_hash, principal, generation)
    # On every request, cached or not: a comparison with the clock, no query.
    if principal.expires_at is not None and principal.expired(clock()):
        raise Unauthorized("the API token has expired")
    return principal


async def current_principal(request: Request) -> Principal:
    client = request.scope.get("client")
    principal = await authenticate_header(
        request.app.state, request.headers.get("authorization", ""), client[0] if client else None
    )
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
DB = Annotated[Database, Depends(database)]


def allowed(check: Callable[[Principal], object]) -> Any:
    """A route dependency: the access policy's ``check`` of what the caller's role alone decides.

    Route dependencies run before FastAPI validates the body (and JSON:API routes read theirs
    after), so a caller whose role may never do this gets 403 without its body being looked at;
    a call without a valid token is still 401 first.
    """

    async def check_role(caller: Caller) -> None:
        check(caller)

    return Depends(check_role)
