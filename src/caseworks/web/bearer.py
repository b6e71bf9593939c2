"""Authentication for HTTP requests: ``Authorization: Bearer <token>`` → Principal.

Every declared endpoint calls `authenticate_header` first (`web/endpoints.py`); the bearer
scheme is documented once for the whole OpenAPI document (`web/openapi_document.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import State

from caseworks.auth.cache import TokenCache
from caseworks.auth.limits import FailureLimiter
from caseworks.auth.principal import Principal
from caseworks.auth.tokens import TOKEN_PREFIX, hash_token, principal_for
from caseworks.core.errors import TooManyRequests, Unauthorized

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from `caseworks token create`.",
}


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
