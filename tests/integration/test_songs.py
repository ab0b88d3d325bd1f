"""Happy paths of every SongService call: CRUD, idempotent creates, paging."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chorus.resource.v1 import song_service_pb2 as pb
from chorus_client import ChorusClient, UserSession
from tests.support.songs import add_songs, all_ids, all_songs, new_user, not_found

SongFields = tuple[str, str, int | None]


def fields(song: pb.Song) -> SongFields:
    return song.name, song.artist, song.year if song.HasField("year") else None


async def test_create_returns_the_stored_song(jane: UserSession) -> None:
    song = await jane.songs.create("Aberdeen", "Cage the Elephant", year=2011)

    assert fields(song) == ("Aberdeen", "Cage the Elephant", 2011)
    assert str(uuid.UUID(song.id)) == song.id
    created = song.create_time.ToDatetime(tzinfo=UTC)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    assert song.update_time == song.create_time
    assert await jane.songs.get(song.id) == song


async def test_create_without_year_leaves_it_unset(jane: UserSession) -> None:
    song = await jane.songs.create("Untitled", "Nobody")

    assert fields(song) == ("Untitled", "Nobody", None)
    assert fields(await jane.songs.get(song.id)) == ("Untitled", "Nobody", None)


async def test_creates_without_request_id_each_add_a_song(jane: UserSession) -> None:
    first = await jane.songs.create("Twice", "Same")
    second = await jane.songs.create("Twice", "Same")

    assert first.id != second.id
    assert (await all_ids(jane))[-2:] == [first.id, second.id]


async def test_get_reads_each_song(jane: UserSession) -> None:
    songs = await all_songs(jane)

    assert [fields(s) for s in songs] == [
        ("Aberdeen", "Cage the Elephant", 2011),
        ("Cigarette Daydreams", "Cage the Elephant", 2013),
    ]
    for song in songs:
        assert await jane.songs.get(song.id) == song


# Each case updates jane's "Aberdeen" (Cage the Elephant, 2011).
UPDATES = {
    "mask names one field": (
        pb.Song(name="Aberdeen (live)", artist="Ignored", year=1999),
        ["name"],
        ("Aberdeen (live)", "Cage the Elephant", 2011),
    ),
    "mask names two fields": (
        pb.Song(name="Ignored", artist="Matt Shultz", year=2012),
        ["artist", "year"],
        ("Aberdeen", "Matt Shultz", 2012),
    ),
    "no mask: the fields that are set": (
        pb.Song(artist="Matt Shultz", year=2012),
        None,
        ("Aberdeen", "Matt Shultz", 2012),
    ),
    "no mask, year unset: year stays": (
        pb.Song(name="Aberdeen (live)"),
        None,
        ("Aberdeen (live)", "Cage the Elephant", 2011),
    ),
    "star replaces all, unset year clears it": (
        pb.Song(name="Aberdeen (live)", artist="Matt Shultz"),
        ["*"],
        ("Aberdeen (live)", "Matt Shultz", None),
    ),
    "mask year with year unset clears it": (
        pb.Song(),
        ["year"],
        ("Aberdeen", "Cage the Elephant", None),
    ),
}


@pytest.mark.parametrize(("change", "mask", "expected"), UPDATES.values(), ids=UPDATES.keys())
async def test_update(
    jane: UserSession, change: pb.Song, mask: list[str] | None, expected: SongFields
) -> None:
    original = (await all_songs(jane))[0]
    change.id = original.id

    updated = await jane.songs.update(change, mask)

    assert fields(updated) == expected
    assert updated.id == original.id
    assert updated.create_time == original.create_time
    assert updated.update_time.ToDatetime() > original.update_time.ToDatetime()
    assert await jane.songs.get(original.id) == updated


async def test_delete_removes_only_that_song(jane: UserSession) -> None:
    doomed, kept = await all_songs(jane)

    await jane.songs.delete(doomed.id)

    await not_found(jane.songs.get(doomed.id))
    await not_found(jane.songs.delete(doomed.id))
    assert await all_ids(jane) == [kept.id]


async def test_retried_create_returns_the_first_song(client: ChorusClient) -> None:
    user = await new_user(client, "retrier")
    key = str(uuid.uuid4())

    first = await user.songs.create("Once", "Only", request_id=key)
    again = await user.songs.create("Once", "Only", request_id=key)

    assert again == first
    assert await all_ids(user) == [first.id]


async def test_concurrent_creates_with_one_request_id_make_one_song(
    client: ChorusClient,
) -> None:
    user = await new_user(client, "impatient")
    key = str(uuid.uuid4())

    songs = await asyncio.gather(
        *(user.songs.create("Once", "Only", request_id=key) for _ in range(10))
    )

    assert {song.id for song in songs} == {songs[0].id}
    assert await all_ids(user) == [songs[0].id]


async def test_tenants_use_request_ids_independently(jane: UserSession, john: UserSession) -> None:
    key = str(uuid.uuid4())

    janes = await jane.songs.create("Same key", "Jane", request_id=key)
    johns = await john.songs.create("Same key", "John", request_id=key)

    assert johns.id != janes.id
    assert johns.artist == "John"
    assert await jane.songs.create("Same key", "Jane", request_id=key) == janes
    assert await john.songs.create("Same key", "John", request_id=key) == johns
    assert janes.id in await all_ids(jane)
    assert johns.id in await all_ids(john)


async def pages_of(user: UserSession, page_size: int) -> list[list[str]]:
    """The song ids of every page, following next_page_token to the end."""
    pages: list[list[str]] = []
    token = ""
    for _ in range(20):  # a bound, in case tokens never run out
        songs, token = await user.songs.page(page_size, token)
        pages.append([song.id for song in songs])
        if not token:
            return pages
    pytest.fail("next_page_token never became empty")


@pytest.fixture
async def forty_five(client: ChorusClient) -> tuple[UserSession, list[str]]:
    """A user with 45 songs, and their ids, oldest first."""
    user = await new_user(client, "collector")
    return user, await add_songs(user, 45)


async def test_pages_chain_oldest_first(forty_five: tuple[UserSession, list[str]]) -> None:
    user, created = forty_five

    pages = await pages_of(user, 20)

    assert [len(page) for page in pages] == [20, 20, 5]
    assert [song_id for page in pages for song_id in page] == created


async def test_default_page_size_is_20(forty_five: tuple[UserSession, list[str]]) -> None:
    user, created = forty_five

    songs, token = await user.songs.page()

    assert [song.id for song in songs] == created[:20]
    assert token


async def test_page_size_is_capped_at_100(client: ChorusClient) -> None:
    user = await new_user(client, "hoarder")
    created = await add_songs(user, 101, concurrently=True)

    pages = await pages_of(user, 1000)

    assert [len(page) for page in pages] == [100, 1]
    assert sorted(pages[0] + pages[1]) == sorted(created)
