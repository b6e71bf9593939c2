"""Waiting for what another task or process brings about, with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for a condition another task or process brings about, up to a deadline.

    It comes about in a callback on another connection: there is no event to await instead.
    """
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
