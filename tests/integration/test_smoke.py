"""Both services answer over real sockets, on each database."""

from chorus_client import UserSession
from tests.support.songs import all_songs
from tests.support.suite import Suite


async def test_user_lists_own_songs(suite: Suite, jane: UserSession) -> None:
    songs = await all_songs(jane)
    assert [s.name for s in songs] == ["Aberdeen", "Cigarette Daydreams"]
    me = await jane.who_am_i()
    assert me.user.id == jane.user.id
