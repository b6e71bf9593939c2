"""Waiting for what another task or process brings about, with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for a condition another task or process brings about, up to a deadline.

    It comes about in a callback on another connection: there is no event to await instead.
    """
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def until_answered(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> None:
    """``until`` for a condition that is a question to ask (a database's view of its locks):
    what it waits for happens in another process, which sets no event here."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
