"""A database outage is UNAVAILABLE (retryable), and health says NOT_SERVING
until the database is back (issue 14, failure 1); nothing acknowledged is lost.

PostgreSQL: a resource service reaches the shared server through a TCP proxy
the test cuts (the server itself never stops). SQLite: a writer that holds the
file longer than the busy timeout makes writes UNAVAILABLE, not INTERNAL.
"""

from __future__ import annotations  # the Async stubs exist in type stubs only

import asyncio
import sqlite3
import threading

import grpc
import pytest

from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import UserSession
from chorus_core.database import SQLITE_BUSY_TIMEOUT_MS
from chorus_devtools.health import SERVING
from tests.support.in_process import InProcessSuite
from tests.support.proxied_resource import resource_behind_proxy, until_health

NOT_SERVING = 2


BUSY_SECONDS = SQLITE_BUSY_TIMEOUT_MS / 1000
WRITE_DEADLINE_SECONDS = 2 * BUSY_SECONDS + 2
"""A create's deadline. On SQLite a write waits for its turn among this process's writers
(behind the import heartbeat's, say, which waits out the busy timeout itself while another
program holds the lock) at most the busy timeout, then for SQLite's lock at most the busy
timeout: UNAVAILABLE within twice the busy timeout."""
QUEUED_WRITES = 4


async def create(songs: song_grpc.SongServiceAsyncStub, user: UserSession, name: str) -> str:
    request = song_pb.CreateSongRequest(song=song_pb.Song(name=name, artist="Outage"))
    metadata = await user.tokens.metadata()
    reply = await songs.CreateSong(request, metadata=metadata, timeout=WRITE_DEADLINE_SECONDS)
    return reply.song.id


@pytest.mark.parametrize("suite", ["postgresql"], indirect=True)
async def test_postgresql_outage_is_unavailable_and_not_serving_until_back(
    suite: InProcessSuite, jane: UserSession
) -> None:
    async with (
        resource_behind_proxy(suite) as (target, proxy),
        grpc.aio.insecure_channel(target) as channel,
    ):
        songs = song_grpc.SongServiceStub(channel)
        before = await create(songs, jane, "Before")
        await proxy.cut()
        codes = []
        for attempt in range(5):
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await create(songs, jane, f"During {attempt}")
            codes.append(failed.value.code())
        assert set(codes) == {grpc.StatusCode.UNAVAILABLE}
        assert "database" in (failed.value.details() or "")
        metadata = await jane.tokens.metadata()
        for read in (
            songs.ListSongs(song_pb.ListSongsRequest(), metadata=metadata, timeout=10),
            songs.GetSong(song_pb.GetSongRequest(id=before), metadata=metadata, timeout=10),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await read
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, refused.value.details()
        await until_health(target, NOT_SERVING)

        await proxy.restore()
        await until_health(target, SERVING)
        after = await create(songs, jane, "After")
        listed = await songs.ListSongs(
            song_pb.ListSongsRequest(page_size=100), metadata=await jane.tokens.metadata()
        )
        names = {song.id: song.name for song in listed.songs}
        assert names[before] == "Before"
        assert names[after] == "After"
        assert not [name for name in names.values() if name.startswith("During")]


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
async def test_sqlite_held_longer_than_the_busy_timeout_is_unavailable(
    suite: InProcessSuite, jane: UserSession
) -> None:
    path = suite.resource_settings.database_url.database
    assert path
    release = threading.Event()
    held = threading.Event()

    def hold_the_write_lock() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(WRITE_DEADLINE_SECONDS + BUSY_SECONDS)  # past the creates' deadline
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    holder = asyncio.create_task(asyncio.to_thread(hold_the_write_lock))
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        songs = song_grpc.SongServiceStub(channel)
        await asyncio.to_thread(held.wait, 10)
        try:
            # Queued behind one another, each waiting its turn, then SQLite's lock.
            failed = await asyncio.gather(
                *(create(songs, jane, f"Locked out {n}") for n in range(QUEUED_WRITES)),
                return_exceptions=True,
            )
        finally:
            release.set()
            await holder
        codes = [f.code() if isinstance(f, grpc.aio.AioRpcError) else f for f in failed]
        assert codes == [grpc.StatusCode.UNAVAILABLE] * QUEUED_WRITES
        await until_health(suite.resource_target, SERVING)
        assert await create(songs, jane, "After the lock")
