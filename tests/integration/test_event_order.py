"""The outbox's order on PostgreSQL: writers never wait for each other, readers miss nothing.

Two transactions may take event seqs in one order and commit in the other.
Writers take the tenant's event lock shared, so they run side by side; a
reader takes it exclusive, so it waits for every writer that holds a seq
and then sees all of them. This test holds a transaction open after it
recorded an event, commits a later one beside it, and reads: it would fail
if writers waited for each other (the later writer would hang) or if a
reader could pass over the open transaction's event (it would get only the
later one, and a cursor after it would skip the earlier event for ever).
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from chorus.resource.v1.song_service_pb2 import Song
from chorus_core.caller import Caller, bind_caller, unbind_caller
from chorus_resource.change_log import ChangeLog, events_after, last_seq, prune_due
from chorus_resource.messages import MessageCodec
from chorus_resource.songs import SONGS
from chorus_resource.tenant_database import TenantDatabase
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)

SETTLE_SECONDS = 0.5
"""How long a reader is given to (wrongly) answer while a writer is still open."""


@dataclass(frozen=True)
class NewTenant:
    """A tenant no one has used, its owner bound as the caller, and the service's database."""

    id: str
    caller: Caller
    tenants: TenantDatabase
    codec: MessageCodec

    async def create(self, name: str) -> str:
        """Create a song as the service does (in one statement once the tenant is pruned)."""
        async with self.tenants.creating(self.codec) as store:
            return str((await store.create(Song(name=name, artist="Writer"), "")).id)

    async def update(self, item_id: str, name: str) -> str:
        """Update a song as the service does (its UPDATED event in the UPDATE's statement once
        the tenant is pruned)."""
        async with self.tenants.updating(self.codec) as store:
            await store.update(item_id, Song(name=name), ["name"])
        return item_id

    async def created_in_one_statement_from_now(self) -> None:
        """Have the tenant pruned (a process's first create does it, in a transaction)."""
        await self.create("First")
        assert not prune_due(self.id)


@pytest.fixture
async def new_tenant(suite: InProcessSuite) -> AsyncIterator[NewTenant]:
    tenant = str(uuid.uuid4())
    caller = Caller(user_id="someone", tenant_id=tenant, role="owner", token_id="")
    bound = bind_caller(caller)
    try:
        async with opened(suite.resource_settings.database_url) as db:
            yield NewTenant(tenant, caller, TenantDatabase(db), MessageCodec(SONGS))
    finally:
        unbind_caller(bound)


async def test_a_reader_waits_for_the_writer_of_an_earlier_seq(new_tenant: NewTenant) -> None:
    await reader_waits_for_the_open_writer(new_tenant, None)


async def test_a_create_in_one_statement_takes_the_event_lock_like_any_writer(
    new_tenant: NewTenant,
) -> None:
    """The later writer is a create of a song: its INSERT and event in one statement."""
    await new_tenant.created_in_one_statement_from_now()
    await reader_waits_for_the_open_writer(new_tenant, lambda: new_tenant.create("Later"))


async def test_an_update_in_one_statement_takes_the_event_lock_like_any_writer(
    new_tenant: NewTenant,
) -> None:
    """The later writer is an update of a song: its UPDATE and event in one statement."""
    await new_tenant.created_in_one_statement_from_now()
    song = await new_tenant.create("Song")
    await reader_waits_for_the_open_writer(new_tenant, lambda: new_tenant.update(song, "Later"))


async def reader_waits_for_the_open_writer(
    tenant: NewTenant, later: Callable[[], Awaitable[str]] | None
) -> None:
    """`later` (or recording a delete in a transaction) is the writer that commits beside
    the open one; it returns the id its event names."""
    tenants, caller = tenant.tenants, tenant.caller
    async with tenants.transaction(caller) as connection:
        start = await last_seq(connection, tenant.id, SONGS.singular)

    async def record() -> str:
        if later is not None:
            return await later()
        async with tenants.transaction(caller, write=True) as connection:
            await ChangeLog(connection, SONGS, tenant.id).deleted("second")
        return "second"

    async def read() -> list[str]:
        async with tenants.transaction(caller) as connection:
            rows = await events_after(connection, tenant.id, start, 10, SONGS.singular)
        return [row.item_id for row in rows]

    async with tenants.transaction(caller, write=True) as first:
        await ChangeLog(first, SONGS, tenant.id).deleted("first")  # the earlier seq, open
        # A second writer takes the next seq and commits beside the open one.
        second = await asyncio.wait_for(record(), timeout=10)
        reading = asyncio.create_task(read())
        done, _ = await asyncio.wait({reading}, timeout=SETTLE_SECONDS)
        assert not done, f"read {reading.result()} while an earlier seq was uncommitted"
    assert await asyncio.wait_for(reading, timeout=10) == ["first", second]


@pytest.mark.parametrize("write", ["create", "update"])
async def test_a_write_in_one_statement_waits_while_a_reader_reads(
    new_tenant: NewTenant, write: str
) -> None:
    """Its event's seq is taken under the tenant's event lock, as every writer's is."""
    await new_tenant.created_in_one_statement_from_now()
    song = await new_tenant.create("Song")
    async with new_tenant.tenants.transaction(new_tenant.caller) as reader:
        await events_after(reader, new_tenant.id, 0, 10, SONGS.singular)  # holds the lock
        writing = asyncio.create_task(
            new_tenant.create("Waits") if write == "create" else new_tenant.update(song, "Waits")
        )
        done, _ = await asyncio.wait({writing}, timeout=SETTLE_SECONDS)
        assert not done, f"the {write} took a seq while a reader held the event lock"
    await asyncio.wait_for(writing, timeout=10)
