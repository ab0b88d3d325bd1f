"""Tenants never see each other's songs, nor learn that they exist."""

import pytest

from chorus_client import UserSession
from tests.support.songs import CALLS_BY_ID, SongCall, all_ids, all_songs, missing_id, not_found


@pytest.mark.parametrize("call", CALLS_BY_ID.values(), ids=CALLS_BY_ID.keys())
async def test_another_tenants_song_is_not_found(
    call: SongCall, jane: UserSession, john: UserSession
) -> None:
    janes = await all_songs(jane)
    absent = missing_id()

    foreign_message = await not_found(call(john, janes[0].id))
    missing_message = await not_found(call(john, absent))

    assert foreign_message.replace(janes[0].id, "<id>") == missing_message.replace(absent, "<id>")
    assert await all_songs(jane) == janes, "the victim's songs are unchanged"


@pytest.mark.parametrize("page_size", [0, 1], ids=["one page", "page by page"])
async def test_each_tenant_lists_only_own_songs(
    page_size: int, jane: UserSession, john: UserSession
) -> None:
    janes = [song.name for song in await all_songs(jane, page_size)]
    johns = [song.name for song in await all_songs(john, page_size)]

    assert janes == ["Aberdeen", "Cigarette Daydreams"]
    assert johns == ["Hey Jude", "Untitled demo"]


async def test_a_foreign_page_token_shows_only_own_songs(
    john: UserSession, jane: UserSession
) -> None:
    # john's songs are made first (fixture order), so his token points
    # before all of jane's songs: she must get all of hers, none of his.
    _, johns_token = await john.songs.page(1)
    assert johns_token

    songs, token = await jane.songs.page(10, johns_token)

    assert [song.id for song in songs] == await all_ids(jane)
    assert token == ""
