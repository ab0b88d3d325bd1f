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

import pytest

from chorus_core.caller import Caller
from chorus_resource.change_log import ChangeLog, events_after, last_seq
from chorus_resource.songs import SONGS
from chorus_resource.tenant_database import TenantDatabase
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)

SETTLE_SECONDS = 0.5
"""How long a reader is given to (wrongly) answer while a writer is still open."""


async def test_a_reader_waits_for_the_writer_of_an_earlier_seq(suite: InProcessSuite) -> None:
    tenant = str(uuid.uuid4())
    caller = Caller(user_id="", tenant_id=tenant, role="", token_id="")
    async with opened(suite.resource_settings.database_url) as db:
        tenants = TenantDatabase(db)
        async with tenants.transaction(caller) as connection:
            start = await last_seq(connection, tenant, SONGS.singular)

        async def record(item_id: str) -> None:
            async with tenants.transaction(caller, write=True) as connection:
                await ChangeLog(connection, SONGS, tenant).deleted(item_id)

        async def read() -> list[str]:
            async with tenants.transaction(caller) as connection:
                rows = await events_after(connection, tenant, SONGS.singular, start, 10)
            return [row.item_id for row in rows]

        async with tenants.transaction(caller, write=True) as first:
            await ChangeLog(first, SONGS, tenant).deleted("first")  # the earlier seq, open
            # A second writer takes the next seq and commits beside the open one.
            await asyncio.wait_for(record("second"), timeout=10)
            reading = asyncio.create_task(read())
            done, _ = await asyncio.wait({reading}, timeout=SETTLE_SECONDS)
            assert not done, f"read {reading.result()} while an earlier seq was uncommitted"
        assert await asyncio.wait_for(reading, timeout=10) == ["first", "second"]
