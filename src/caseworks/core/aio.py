"""Small asyncio helpers for background loops that must stop promptly."""

from __future__ import annotations

import asyncio
import contextlib


async def first_of(*events: asyncio.Event) -> None:
    """Return when any of the events is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def wait_a_while(seconds: float, *events: asyncio.Event) -> None:
    """Sleep up to ``seconds``, waking early when any of the events is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(first_of(*events), seconds)
