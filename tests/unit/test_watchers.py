"""Watchers: one outbox read per change for all of a tenant's live streams; limits."""

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chorus_core.errors import ResourceExhausted
from chorus_resource.watch_limits import WatchLimits
from chorus_resource.watchers import Watchers

STREAMS = 50


def watchers(**limits: int) -> Watchers:
    engine = SimpleNamespace(dialect=SimpleNamespace(name="sqlite"))
    return Watchers(WatchLimits(**limits), cast(AsyncEngine, engine))


def row(seq: int, resource: str = "Song") -> Any:
    return SimpleNamespace(seq=seq, resource=resource)


async def test_streams_of_a_tenant_share_one_read_per_change() -> None:
    hub = watchers()
    outbox = [row(1), row(2, "Playlist"), row(3)]
    reads: list[int] = []

    async def fetch(_tenant: str, after: int) -> list[Any]:
        reads.append(after)
        return [r for r in outbox if r.seq > after]

    with hub.watching("t1"):
        first = await asyncio.gather(
            *(hub.recent_after("t1", 0, "Song", fetch) for _ in range(STREAMS))
        )
        outbox.append(row(4))
        hub.changed("t1")
        second = await asyncio.gather(
            *(hub.recent_after("t1", 3, "Song", fetch) for _ in range(STREAMS))
        )

    assert reads == [0, 3]  # one read per change, whatever the number of streams
    assert all([r.seq for r in rows or []] == [1, 3] for rows in first)
    assert all([r.seq for r in rows or []] == [4] for rows in second)


async def test_a_stream_behind_the_kept_events_reads_for_itself() -> None:
    hub = watchers()

    async def fetch(_tenant: str, after: int) -> list[Any]:
        return [row(after + 1)]

    with hub.watching("t1"):
        await hub.recent_after("t1", 10, "Song", fetch)
        behind = await hub.recent_after("t1", 5, "Song", fetch)

    assert behind is None


def test_limits_per_tenant_and_per_process() -> None:
    hub = watchers(per_tenant=1, per_process=2)
    with (
        hub.watching("a"),
        hub.watching("b"),
        pytest.raises(ResourceExhausted, match="server"),
        hub.watching("c"),
    ):
        pass
    with hub.watching("a"), pytest.raises(ResourceExhausted, match="tenant"), hub.watching("a"):
        pass
    assert hub.count == 0
