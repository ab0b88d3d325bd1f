"""A list's total_size: counted, then kept while the outbox shows no change (`totals`).

The service keeps a count per tenant, resource and filter, with the tenant's
newest event seq of the resource when it was counted, and counts again only
when that seq has moved. These tests change a tenant's songs through the
service and through another `TenantDatabase` (as another replica would), and
check every total against what paging finds; one shows that a count really
is kept (a row slipped in behind the outbox's back is not counted), and on
PostgreSQL one holds a writer open with an earlier seq while a later one
commits: a count made then must not be kept, or it would miss the earlier
writer's song for good once that commits (the newest seq would not move).
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import insert

from chorus.resource.v1.song_service_pb2 import Song
from chorus_client.user_session import UserSession
from chorus_core.caller import Caller, bind_caller, unbind_caller
from chorus_core.sqltypes import utcnow
from chorus_resource.messages import MessageCodec
from chorus_resource.songs import SONGS
from chorus_resource.tenant_database import TenantDatabase
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened

BOTH = pytest.mark.parametrize("suite", ["sqlite", "postgresql"], indirect=True)
ARTIST = "Cage the Elephant"  # jane's two songs are by them
SETTLE_SECONDS = 10


@dataclass(frozen=True)
class Replica:
    """Another replica's view of jane's tenant: its own `TenantDatabase` (its own counts)."""

    tenants: TenantDatabase
    caller: Caller
    codec: MessageCodec

    async def create(self, name: str, artist: str = ARTIST) -> str:
        async with self.tenants.creating(self.codec) as store:
            return str((await store.create(Song(name=name, artist=artist), "")).id)

    async def delete(self, song_id: str) -> None:
        async with self.tenants.write(self.codec) as store:
            await store.delete(song_id)


@pytest.fixture
async def replica(suite: InProcessSuite, jane: UserSession) -> AsyncIterator[Replica]:
    me = await jane.who_am_i()
    caller = Caller(user_id=me.user.id, tenant_id=me.tenant_id, role="owner", token_id="")
    bound = bind_caller(caller)
    try:
        async with opened(suite.resource_settings.database_url) as db:
            yield Replica(TenantDatabase(db), caller, MessageCodec(SONGS))
    finally:
        unbind_caller(bound)


async def totals(user: UserSession) -> tuple[int, int]:
    """total_size of jane's songs, and of those by ARTIST; each checked against paging."""
    found = []
    for condition in ("", f'artist = "{ARTIST}"'):
        total = (await user.songs.query(page_size=2, filter=condition)).total_size
        listed = [song async for song in user.songs.all(2, filter=condition)]
        assert total == len(listed), condition
        found.append(total)
    return found[0], found[1]


@BOTH
async def test_total_size_follows_every_change_wherever_it_is_made(
    jane: UserSession, replica: Replica
) -> None:
    assert await totals(jane) == (2, 2)
    assert await totals(jane) == (2, 2)  # kept now
    first = await jane.songs.create("Ain't No Rest for the Wicked", ARTIST)
    assert await totals(jane) == (3, 3)
    other = await replica.create("Hey Jude", "The Beatles")  # another replica's write
    assert await totals(jane) == (4, 3)
    await jane.songs.update(Song(id=first.id, artist="Someone else"), ["artist"])
    assert await totals(jane) == (4, 2)
    await replica.delete(other)
    assert await totals(jane) == (3, 2)
    await jane.songs.delete(first.id)
    assert await totals(jane) == (2, 2)


@BOTH
async def test_a_kept_count_is_used_until_the_outbox_moves(
    jane: UserSession, replica: Replica
) -> None:
    """A row written without an event (nothing in the service does that) is not counted
    until the next event: proof that the count was kept, not made again."""
    assert (await jane.songs.query()).total_size == 2
    async with replica.tenants.transaction(replica.caller, write=True) as connection:
        now = utcnow()
        await connection.execute(
            insert(SONGS.table).values(
                id=str(uuid.uuid4()),
                tenant_id=replica.caller.tenant_id,
                name="Behind the outbox's back",
                artist=ARTIST,
                created_by=replica.caller.user_id,
                create_time=now,
                update_time=now,
            )
        )
    listed = await jane.songs.query()
    assert (len(listed.songs), listed.total_size) == (3, 2)
    await replica.create("Shake Me Down")
    listed = await jane.songs.query()
    assert (len(listed.songs), listed.total_size) == (4, 4)


@pytest.mark.parametrize("suite", ["postgresql"], indirect=True)
async def test_no_count_is_kept_while_an_earlier_seq_is_uncommitted(
    jane: UserSession, replica: Replica
) -> None:
    async with replica.tenants.write(replica.codec) as open_writer:
        # The earlier seq: a song and its event, not committed yet.
        await open_writer.create(Song(name="Earlier", artist=ARTIST), "")
        # A later seq, committed beside it (writers do not wait for each other).
        await asyncio.wait_for(jane.songs.create("Later", ARTIST), SETTLE_SECONDS)
        # The list does not wait for the open writer either, and sees the later song only.
        listed = await asyncio.wait_for(jane.songs.query(), SETTLE_SECONDS)
        assert listed.total_size == 3
    assert await totals(jane) == (4, 4)
