"""Waiting for a condition to hold by looking again and again, never by a fixed sleep."""

import asyncio
from collections.abc import Awaitable, Callable

POLL_SECONDS = 0.05


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    *,
    within: float,
    what: str,
    every: float = POLL_SECONDS,
) -> None:
    """Return as soon as `check()` is true; fail naming `what` after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(every)
