"""What playlists have of their own: ordered song references, checked and cleaned up."""

import uuid

import grpc
import pytest

from chorus_client import UserSession
from tests.support.calls import rpc_error
from tests.support.songs import all_ids, invalid_fields


async def test_a_playlist_keeps_its_songs_in_order(jane: UserSession) -> None:
    first, second = await all_ids(jane)

    playlist = await jane.playlists.create("Road trip", song_ids=[second, first, second])

    assert list(playlist.song_ids) == [second, first, second]
    assert await jane.playlists.get(playlist.id) == playlist


async def test_a_song_of_another_tenant_or_none_is_named(
    jane: UserSession, john: UserSession
) -> None:
    janes = await all_ids(jane)
    johns = await all_ids(john)

    fields = await invalid_fields(
        jane.playlists.create("Stolen", song_ids=[janes[0], johns[0], str(uuid.uuid4())])
    )

    assert fields == {"playlist.song_ids[1]", "playlist.song_ids[2]"}
    assert [p async for p in jane.playlists.all()] == []


async def test_deleting_a_song_removes_it_from_every_playlist(jane: UserSession) -> None:
    first, second = await all_ids(jane)
    one = await jane.playlists.create("One", song_ids=[first, second, first])
    two = await jane.playlists.create("Two", song_ids=[second])

    await jane.songs.delete(first)

    assert list((await jane.playlists.get(one.id)).song_ids) == [second]
    assert list((await jane.playlists.get(two.id)).song_ids) == [second]


async def test_updates_replace_songs_only_when_asked(jane: UserSession) -> None:
    first, second = await all_ids(jane)
    playlist = await jane.playlists.create("Mix", song_ids=[first])

    renamed = await jane.playlists.update(jane.playlists.message(id=playlist.id, name="Renamed"))
    reordered = await jane.playlists.update(
        jane.playlists.message(id=playlist.id, song_ids=[second, first]), ["song_ids"]
    )
    emptied = await jane.playlists.update(jane.playlists.message(id=playlist.id), ["song_ids"])

    assert (renamed.name, list(renamed.song_ids)) == ("Renamed", [first])
    assert (reordered.name, list(reordered.song_ids)) == ("Renamed", [second, first])
    assert list(emptied.song_ids) == []


async def test_a_bad_song_in_an_update_changes_nothing(jane: UserSession) -> None:
    first, _ = await all_ids(jane)
    playlist = await jane.playlists.create("Mix", song_ids=[first])
    change = jane.playlists.message(id=playlist.id, name="Changed", song_ids=[str(uuid.uuid4())])

    assert await invalid_fields(jane.playlists.update(change)) == {"playlist.song_ids[0]"}
    assert await jane.playlists.get(playlist.id) == playlist


@pytest.mark.parametrize("description", ["Line one\nLine two\r\n\tindented", "x" * 2000])
async def test_descriptions_may_span_lines(jane: UserSession, description: str) -> None:
    playlist = await jane.playlists.create("Notes", description=description)

    assert (await jane.playlists.get(playlist.id)).description == description


async def test_at_most_500_songs(jane: UserSession) -> None:
    first, _ = await all_ids(jane)

    error = await rpc_error(jane.playlists.create("Long", song_ids=[first] * 501))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert len((await jane.playlists.create("Full", song_ids=[first] * 500)).song_ids) == 500
