"""Both services answer over real sockets, on each database."""

from chorus_client import UserSession
from tests.support.in_process import InProcessSuite
from tests.support.songs import all_songs


async def test_user_lists_own_songs(suite: InProcessSuite, jane: UserSession) -> None:
    songs = await all_songs(jane)
    assert [s.name for s in songs] == ["Aberdeen", "Cigarette Daydreams"]
    me = await jane.who_am_i()
    assert me.user.id == jane.user.id
