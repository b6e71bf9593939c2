"""Principals of recently seen tokens, so most requests need no token query.

On PostgreSQL revocations are broadcast: ``revoke_token`` sends a NOTIFY in its own transaction,
and every server process LISTENs and evicts the token the moment the notification arrives. While a
process's notification channel is down its cache is off, so a revocation is never missed.

On SQLite every request first asks the file's ``data_version``, which changes whenever anything
is committed by another connection or process; the cache holds only while it stays the same.

Entries also expire after a while, as a second line of defence.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from caseworks.auth.principal import Principal
from caseworks.core.aio import first_of, wait_a_while

log = logging.getLogger("caseworks.auth")

REVOCATION_CHANNEL = "caseworks_token_revoked"

# Every cache of this process, so a revocation made here takes effect here at once.
_caches: weakref.WeakSet[TokenCache] = weakref.WeakSet()
RECONNECT_SECONDS = 1.0


class TokenCache:
    def __init__(
        self,
        ttl_seconds: float = 60.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = False
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        # Bumped by every eviction: a lookup that raced a revocation must not fill the cache.
        self.generation = 0
        self._data_version: int | None = None
        _caches.add(self)

    def get(self, token_hash: str) -> Principal | None:
        if not self.enabled:
            return None
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        principal, expires = entry
        if self._clock() >= expires:
            del self._entries[token_hash]
            return None
        return principal

    def put(self, token_hash: str, principal: Principal, generation: int) -> None:
        if not self.enabled or generation != self.generation:
            return
        self._entries[token_hash] = (principal, self._clock() + self._ttl)
        self._entries.move_to_end(token_hash)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def evict(self, token_hash: str) -> None:
        self.generation += 1
        self._entries.pop(token_hash, None)

    def revalidate(self, data_version: int) -> None:
        """Forget everything if the database changed since the entries were filled."""
        if data_version != self._data_version:
            self.generation += 1
            self._entries.clear()
            self._data_version = data_version

    def disable(self) -> None:
        self.enabled = False
        self.generation += 1
        self._entries.clear()

    def __contains__(self, token_hash: str) -> bool:
        return token_hash in self._entries


def evict_everywhere(token_hash: str) -> None:
    """Evict from this process's caches; other processes learn through the NOTIFY."""
    for cache in list(_caches):
        cache.evict(token_hash)


class _Listener(Protocol):
    @property
    def alive(self) -> bool: ...

    async def close(self) -> None: ...


class _Listenable(Protocol):
    async def listen(
        self, channel: str, on_notify: Callable[[str], None], on_lost: Callable[[], None]
    ) -> _Listener: ...


async def keep_listening(db: _Listenable, cache: TokenCache, stop: asyncio.Event) -> None:
    """Hold the revocation channel open; the cache is on only while it is."""
    lost = asyncio.Event()

    def on_lost() -> None:
        cache.disable()
        lost.set()

    while not stop.is_set():
        lost.clear()
        try:
            listener = await db.listen(REVOCATION_CHANNEL, cache.evict, on_lost)
        except Exception as error:  # the database is down: no cache until it is back
            log.warning("token revocation channel unavailable: %s", error)
            cache.disable()
            await wait_a_while(RECONNECT_SECONDS, stop)
            continue
        cache.generation += 1  # anything looked up before was filled without the channel
        cache.enabled = True
        try:
            await first_of(stop, lost)
        finally:
            cache.disable()
            await listener.close()
        if not stop.is_set():
            log.warning("token revocation channel lost; reconnecting")
            await wait_a_while(RECONNECT_SECONDS, stop)
