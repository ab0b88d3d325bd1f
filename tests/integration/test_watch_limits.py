"""Watch streams end when their token expires, are bounded, and never hold writers back."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import grpc
import pytest

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient, UserSession
from chorus_resource.import_runner import BATCH_ROWS
from chorus_resource.watch_limits import WatchLimits
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite, running_in_process
from tests.support.second_server import second_resource_server
from tests.support.watching import watching

TOKEN_SECONDS = 3
STALLED_WATCHERS = 20
WRITES = 300


async def first_event(
    stream: grpc.aio.UnaryStreamCall[song_pb.WatchSongsRequest, song_pb.WatchSongsResponse],
) -> song_pb.WatchSongsResponse:
    async for event in stream:
        return event
    raise AssertionError("the stream ended without an event")


@pytest.fixture
async def short_tokens(tmp_path: Path) -> AsyncIterator[InProcessSuite]:
    """A suite whose access tokens live TOKEN_SECONDS (SQLite: expiry is the same on both)."""
    async with running_in_process(
        "sqlite", tmp_path, access_token_ttl=timedelta(seconds=TOKEN_SECONDS)
    ) as suite:
        yield suite


async def test_a_stream_ends_unauthenticated_when_its_token_expires(
    short_tokens: InProcessSuite,
) -> None:
    loop = asyncio.get_running_loop()
    async with ChorusClient(short_tokens.auth_target, short_tokens.resource_target) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        async with grpc.aio.insecure_channel(short_tokens.resource_target) as channel:
            stream = song_grpc.SongServiceStub(channel).WatchSongs(
                song_pb.WatchSongsRequest(), metadata=await jane.tokens.metadata()
            )
            started = loop.time()
            caught_up = await first_event(stream)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                async for _event in stream:
                    pass
            ended = loop.time() - started

    assert caught_up.type == change_pb.CHANGE_TYPE_CAUGHT_UP
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "expired" in str(raised.value.details())
    assert ended <= TOKEN_SECONDS + 1.5


async def test_the_client_resumes_across_token_expiry(short_tokens: InProcessSuite) -> None:
    async with ChorusClient(short_tokens.auth_target, short_tokens.resource_target) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        async with watching(jane.songs) as feed:
            await feed.caught_up()
            before = await jane.songs.create("Before", "Expiry")
            await asyncio.sleep(TOKEN_SECONDS + 1)
            after = await jane.songs.create("After", "Expiry")
            events = await feed.take(2)

    assert [e.song for e in events] == [before, after]


async def test_the_client_follows_an_import_across_token_expiry(
    short_tokens: InProcessSuite, tmp_path: Path
) -> None:
    """An import outlasting the access token: the client's WatchOperation resumes by itself."""
    path = tmp_path / "songs.csv"
    rows = 40 * BATCH_ROWS  # 40 batches, each followed by SQLite's pause: longer than a token
    path.write_text("name,artist\n" + "".join(f"Song {n},Expiry\n" for n in range(rows)))
    loop = asyncio.get_running_loop()
    async with ChorusClient(short_tokens.auth_target, short_tokens.resource_target) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        started = loop.time()
        done = await jane.songs.import_file(path)
        took = loop.time() - started

    assert took > TOKEN_SECONDS
    assert done.state == operation_pb.OPERATION_STATE_SUCCEEDED
    assert done.rows_imported == rows


@pytest.fixture
async def limited_server(suite: InProcessSuite) -> AsyncIterator[str]:
    """A second resource server on the suite's database allowing 2 streams a tenant, 3 in all."""
    limits = WatchLimits(per_tenant=2, per_process=3)
    async with second_resource_server(suite, watch_limits=limits) as target:
        yield target


async def test_watchers_are_bounded_per_tenant_and_per_process(
    suite: InProcessSuite, limited_server: str
) -> None:
    async with ChorusClient(suite.auth_target, limited_server) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        john = await client.sign_up(unique_email("john"), PASSWORD)
        async with watching(jane.songs) as one, watching(jane.playlists) as two:
            await one.caught_up()
            await two.caught_up()
            async with watching(jane.songs) as third:
                with pytest.raises(grpc.aio.AioRpcError) as per_tenant:
                    await third.next()
            async with watching(john.songs) as johns:
                await johns.caught_up()
                async with watching(john.playlists) as fourth:
                    with pytest.raises(grpc.aio.AioRpcError) as per_process:
                        await fourth.next()
        # Closed streams give their places back.
        async with watching(jane.songs) as again:
            await again.caught_up()

    assert per_tenant.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "tenant" in str(per_tenant.value.details())
    assert per_process.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "server" in str(per_process.value.details())


async def test_operation_streams_count_as_watch_streams(
    suite: InProcessSuite, limited_server: str, tmp_path: Path
) -> None:
    document = tmp_path / "songs.csv"
    document.write_text("name,artist\nOne,Limited\n")
    async with ChorusClient(suite.auth_target, limited_server) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        done = await jane.songs.import_file(document)
        async with watching(jane.songs) as one, watching(jane.playlists) as two:
            await one.caught_up()
            await two.caught_up()
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                async for _operation in jane.operations.watch(done.name):
                    pass
        followed = [op async for op in jane.operations.watch(done.name)]  # places given back

    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "tenant" in str(refused.value.details())
    assert followed == [done]


async def test_watchers_that_never_read_do_not_hold_writers_back(
    suite: InProcessSuite, jane: UserSession
) -> None:
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        stub = song_grpc.SongServiceStub(channel)
        metadata = await jane.tokens.metadata()
        stalled = [
            stub.WatchSongs(song_pb.WatchSongsRequest(), metadata=metadata)
            for _ in range(STALLED_WATCHERS)
        ]
        for stream in stalled:
            await first_event(stream)  # open, then never read again
        async with watching(jane.songs) as reader:
            await reader.caught_up()
            long = "x" * 190  # about 450 bytes an event: more than a stream's window in all
            for number in range(WRITES):
                await jane.songs.create(f"{number} {long}", long)
            seen = await reader.take(WRITES)
        for stream in stalled:
            stream.cancel()

    assert [e.song.name.split()[0] for e in seen] == [str(n) for n in range(WRITES)]
