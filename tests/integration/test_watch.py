"""WatchSongs and WatchPlaylists: replay after a cursor, then live, one tenant only."""

import asyncio
from typing import Any

import grpc
import pytest

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient, UserSession
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite
from tests.support.watching import watching

CREATED, UPDATED, DELETED = (
    change_pb.CHANGE_TYPE_CREATED,
    change_pb.CHANGE_TYPE_UPDATED,
    change_pb.CHANGE_TYPE_DELETED,
)


async def test_a_watcher_sees_each_change_as_it_commits(jane: UserSession) -> None:
    async with watching(jane.songs) as feed:
        await feed.caught_up()
        song = await jane.songs.create("Live", "Watcher", year=2001)
        changed = await jane.songs.update(song_pb.Song(id=song.id, year=2002), ["year"])
        await jane.songs.delete(song.id)
        events = await feed.take(3)

    assert [e.type for e in events] == [CREATED, UPDATED, DELETED]
    assert events[0].song == song
    assert events[1].song == changed
    assert events[2].song == song_pb.Song(id=song.id)
    cursors = [e.cursor for e in events]
    assert len(set(cursors)) == 3
    assert all(cursors)


async def test_a_cursor_replays_exactly_what_came_after_it(jane: UserSession) -> None:
    async with watching(jane.songs) as feed:
        await feed.caught_up()
        first = await jane.songs.create("First", "Replay")
        [seen] = await feed.take(1)
    missed = [await jane.songs.create(f"Missed {n}", "Replay") for n in range(3)]
    await jane.songs.delete(first.id)

    async with watching(jane.songs, seen.cursor) as feed:
        replayed = await feed.take(4)
        caught_up = await feed.next()
        later = await jane.songs.create("Later", "Replay")
        [live] = await feed.take(1)

    assert [e.type for e in replayed] == [CREATED, CREATED, CREATED, DELETED]
    assert [e.song.id for e in replayed] == [*(s.id for s in missed), first.id]
    assert caught_up.type == change_pb.CHANGE_TYPE_CAUGHT_UP
    # Caught up at the last replayed event.
    assert caught_up.cursor.split(".")[0] == replayed[-1].cursor.split(".")[0]
    assert live.song == later


async def test_a_quiet_stream_still_hands_out_a_cursor(jane: UserSession) -> None:
    async with watching(jane.songs) as feed:
        cursor = await feed.caught_up()
    song = await jane.songs.create("After", "Quiet")

    async with watching(jane.songs, cursor) as feed:
        [event] = await feed.take(1)

    assert event.song == song


async def test_another_tenant_sees_nothing(client: ChorusClient, jane: UserSession) -> None:
    john = await client.sign_up(unique_email("john"), PASSWORD)
    async with watching(john.songs) as johns, watching(jane.songs) as janes:
        await johns.caught_up()
        await janes.caught_up()
        secret = await jane.songs.create("Secret", "Jane")
        await janes.take(1)
        own = await john.songs.create("Own", "John")
        [first] = await johns.take(1)

    assert first.song == own
    assert secret.id != own.id


async def test_playlists_have_their_own_feed(jane: UserSession) -> None:
    async with watching(jane.playlists) as playlists, watching(jane.songs) as songs:
        await playlists.caught_up()
        await songs.caught_up()
        song = await jane.songs.create("In a list", "Feeds")
        mix = await jane.playlists.create("Mix", song_ids=[song.id])
        [playlist_event] = await playlists.take(1)
        [song_event] = await songs.take(1)

    assert playlist_event.playlist == mix
    assert song_event.song == song


async def test_deleting_a_song_updates_the_playlists_it_leaves(jane: UserSession) -> None:
    first = await jane.songs.create("Leaves", "Cascade")
    second = await jane.songs.create("Stays", "Cascade")
    both = await jane.playlists.create("Both", song_ids=[first.id, second.id, first.id])
    other = await jane.playlists.create("Other", song_ids=[second.id])
    only = await jane.playlists.create("Only", song_ids=[first.id])
    async with watching(jane.playlists) as playlists:
        await playlists.caught_up()
        await jane.songs.delete(first.id)
        events = await playlists.take(2)
        marker = await jane.playlists.create("After", song_ids=[])
        [next_event] = await playlists.take(1)

    assert [e.type for e in events] == [UPDATED, UPDATED]
    changed = {e.playlist.id: e.playlist for e in events}
    assert set(changed) == {both.id, only.id}  # not `other`: it never named the song
    assert list(changed[both.id].song_ids) == [second.id]
    assert list(changed[only.id].song_ids) == []
    for playlist in (both, only):
        assert changed[playlist.id] == await jane.playlists.get(playlist.id)
        assert changed[playlist.id].update_time.ToDatetime() > playlist.update_time.ToDatetime()
    assert await jane.playlists.get(other.id) == other
    assert next_event.playlist == marker  # nothing else came in between


async def test_song_deletes_racing_playlist_updates_leave_the_feed_right(
    jane: UserSession,
) -> None:
    """Deletes of songs and updates of the playlists naming them, at once: no call fails
    but for naming a song already deleted, and the feed's last word on each playlist is
    the playlist as stored (nothing deadlocks, no event carries a stale list)."""
    songs = [(await jane.songs.create(f"Racing {n}", "Cascade")).id for n in range(12)]
    playlists = [
        (await jane.playlists.create(f"List {n}", song_ids=songs[n:] + songs[:n])).id
        for n in range(3)
    ]
    deleted: set[str] = set()
    refused: list[grpc.StatusCode] = []

    async def delete_songs() -> None:
        for song_id in songs[::2]:
            await jane.songs.delete(song_id)
            deleted.add(song_id)

    async def reorder(playlist_id: str) -> None:
        for turn in range(6):
            kept = [s for s in songs if s not in deleted]
            change = jane.playlists.message(id=playlist_id, song_ids=kept[turn % 2 :])
            try:
                await jane.playlists.update(change, ["song_ids"])
            except grpc.aio.AioRpcError as error:  # a song went between the list and the call
                refused.append(error.code())

    async with watching(jane.playlists) as feed:
        await feed.caught_up()
        await asyncio.gather(delete_songs(), *(reorder(p) for p in playlists))
        marker = await jane.playlists.create("Marker")
        last: dict[str, Any] = {}
        while True:
            [event] = await feed.take(1)
            if event.playlist.id == marker.id:
                break
            last[event.playlist.id] = event.playlist

    assert set(refused) <= {grpc.StatusCode.INVALID_ARGUMENT}
    for playlist_id in playlists:
        stored = await jane.playlists.get(playlist_id)
        assert not set(stored.song_ids) & deleted
        assert last[playlist_id] == stored


@pytest.mark.parametrize(
    ("cursor", "code"),
    [
        ("not a cursor", grpc.StatusCode.INVALID_ARGUMENT),
        ("12", grpc.StatusCode.INVALID_ARGUMENT),
        ("12.99999999999", grpc.StatusCode.INVALID_ARGUMENT),
        ("x" * 101, grpc.StatusCode.INVALID_ARGUMENT),
        ("12.1000000000", grpc.StatusCode.FAILED_PRECONDITION),
    ],
)
async def test_bad_and_stale_cursors_are_refused(
    suite: InProcessSuite, jane: UserSession, cursor: str, code: grpc.StatusCode
) -> None:
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        stub = song_grpc.SongServiceStub(channel)
        stream = stub.WatchSongs(
            song_pb.WatchSongsRequest(cursor=cursor), metadata=await jane.tokens.metadata()
        )
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            async for _event in stream:
                pass

    assert raised.value.code() == code
    assert "cursor" in str(raised.value.details())


async def test_a_cursor_beyond_the_history_is_invalid_argument(
    suite: InProcessSuite, jane: UserSession
) -> None:
    """A cursor past every event of the tenant (a database reset since, say) would wait for
    events that never come: refused, so the client reloads."""
    async with watching(jane.songs) as feed:
        cursor = await feed.caught_up()
    seq, seconds = cursor.split(".")
    beyond = f"{int(seq) + 1_000_000}.{seconds}"

    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        stream = song_grpc.SongServiceStub(channel).WatchSongs(
            song_pb.WatchSongsRequest(cursor=beyond), metadata=await jane.tokens.metadata()
        )
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            async for _event in stream:
                pass

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "beyond" in str(raised.value.details())


async def test_a_cursor_past_the_resources_last_event_but_not_the_tenants_is_fine(
    jane: UserSession,
) -> None:
    """Events of another resource of the tenant came after it: the cursor was handed out."""
    async with watching(jane.songs) as songs:
        await songs.caught_up()
        song = await jane.songs.create("Last song", "Cursor")
        [event] = await songs.take(1)
    await jane.playlists.create("Later", song_ids=[song.id])
    seq, seconds = event.cursor.split(".")
    caught_up_later = f"{int(seq) + 1}.{seconds}"  # past the last song event, not the playlist's

    async with watching(jane.songs, caught_up_later) as feed:
        await feed.caught_up()
        later = await jane.songs.create("Later song", "Cursor")
        [live] = await feed.take(1)

    assert live.song == later


async def test_watching_needs_a_token(suite: InProcessSuite) -> None:
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        stream = song_grpc.SongServiceStub(channel).WatchSongs(song_pb.WatchSongsRequest())
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            async for _event in stream:
                pass

    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
