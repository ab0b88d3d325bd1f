"""Open watch streams beside a scenario, and how long their events take to arrive.

`watching_load` opens `count` WatchSongs streams (half in each of two
tenants, so no tenant meets the per-tenant limit) and, while they are open,
adds a song every `write_every` seconds in each tenant in turn. For every
(stream, song) it records the time from the CreateSong answer (the change
has committed) to the event's arrival on that stream: the event delay.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bench.h2load import percentile
from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus_client import UserSession

WATCHERS = 200
WRITE_EVERY_SECONDS = 0.05


@dataclass
class WatchLoad:
    count: int
    opened: int = 0
    writes: int = 0
    failed: int = 0
    """Streams that ended with an error before the end."""
    committed: dict[str, float] = field(default_factory=dict)
    """Song name -> when its CreateSong answered (perf_counter)."""
    arrivals: list[tuple[str, float]] = field(default_factory=list)

    def delays_ms(self) -> list[int]:
        return sorted(
            max(0, round((at - self.committed[name]) * 1000))
            for name, at in self.arrivals
            if name in self.committed
        )

    def summary(self) -> dict[str, float | int]:
        delays = self.delays_ms()
        expected = self.writes * (self.count // 2)
        return {
            "watchers": self.opened,
            "writes": self.writes,
            "events": len(delays),
            "events_expected": expected,
            "failed_streams": self.failed,
            "delay_p50_ms": percentile(delays, 50),
            "delay_p99_ms": percentile(delays, 99),
        }

    def note(self) -> str:
        s = self.summary()
        return (
            f"{s['watchers']} watch streams open, {s['writes']} songs written beside it: "
            f"{s['events']} of {s['events_expected']} events, delay p50 {s['delay_p50_ms']:.0f} ms "
            f"p99 {s['delay_p99_ms']:.0f} ms"
        )


async def _watch(user: UserSession, load: WatchLoad, ready: asyncio.Event) -> None:
    try:
        async for event in user.songs.watch():
            if event.type == change_pb.CHANGE_TYPE_CAUGHT_UP:
                load.opened += 1
                if load.opened == load.count:
                    ready.set()
            else:
                load.arrivals.append((event.song.name, time.perf_counter()))
    except asyncio.CancelledError:
        raise
    except Exception:
        load.failed += 1


async def _write(users: tuple[UserSession, UserSession], load: WatchLoad, every: float) -> None:
    run = uuid.uuid4().hex[:6]
    while True:
        user = users[load.writes % 2]
        name = f"watched {run} {load.writes}"
        await user.songs.create(name, "Bench watchers")
        load.committed[name] = time.perf_counter()
        load.writes += 1
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def watching_load(
    a: UserSession,
    b: UserSession,
    count: int = WATCHERS,
    write_every: float = WRITE_EVERY_SECONDS,
) -> AsyncIterator[WatchLoad]:
    """`count` open streams and a steady writer, for the duration of the block."""
    load = WatchLoad(count)
    ready = asyncio.Event()
    streams = [asyncio.create_task(_watch((a, b)[n % 2], load, ready)) for n in range(count)]
    writer: asyncio.Task[None] | None = None
    try:
        await asyncio.wait_for(ready.wait(), 60)
        writer = asyncio.create_task(_write((a, b), load, write_every))
        yield load
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        writer = None
        await asyncio.sleep(1.0)  # the last events' way to the streams
    finally:
        for task in [*streams, *([writer] if writer else [])]:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
