"""Watch streams in tests: read in the background, events taken with a deadline."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import grpc

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus_client import ResourceClient

EVENT_TIMEOUT = 10.0
"""How long a test waits for one event before failing."""


class Feed:
    """A watch stream read in the background into a queue of events."""

    def __init__(self, resource: ResourceClient, cursor: str = "") -> None:
        self.events: asyncio.Queue[Any] = asyncio.Queue()
        self._stream = resource.watch(cursor)
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self._stream:
            await self.events.put(event)

    async def next(self, within: float = EVENT_TIMEOUT) -> Any:
        getting = asyncio.ensure_future(self.events.get())
        done, _ = await asyncio.wait(
            {getting, self._task}, timeout=within, return_when="FIRST_COMPLETED"
        )
        if getting in done:
            return getting.result()
        getting.cancel()
        if self._task in done:
            self._task.result()  # raises what ended the stream
            raise AssertionError("the watch stream ended")
        raise AssertionError(f"no event within {within}s")

    async def caught_up(self) -> str:
        """Read to the CHANGE_TYPE_CAUGHT_UP event; its cursor."""
        event = await self.next()
        while event.type != change_pb.CHANGE_TYPE_CAUGHT_UP:
            event = await self.next()
        return str(event.cursor)

    async def take(self, count: int) -> list[Any]:
        """The next `count` change events (CAUGHT_UP events are skipped)."""
        taken: list[Any] = []
        while len(taken) < count:
            event = await self.next()
            if event.type != change_pb.CHANGE_TYPE_CAUGHT_UP:
                taken.append(event)
        return taken

    async def close(self) -> None:
        self._task.cancel()
        # An error that ended the stream already reached the test through next().
        with contextlib.suppress(asyncio.CancelledError, grpc.aio.AioRpcError):
            await self._task
        await self._stream.aclose()


@contextlib.asynccontextmanager
async def watching(resource: ResourceClient, cursor: str = "") -> AsyncIterator[Feed]:
    """A feed of `resource`'s changes, closed on leaving."""
    feed = Feed(resource, cursor)
    try:
        yield feed
    finally:
        await feed.close()
