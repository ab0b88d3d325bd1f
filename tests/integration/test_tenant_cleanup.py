"""A tenant deleted in the auth service loses its data in the resource database too.

The resource service asks the auth service for deleted tenants
(TenantEventsService, internal) and purges each one's rows from every
tenant table. Here a second resource server on the suite's database asks
every second; the deleted tenant's songs, playlists, change history and
import are gone, and another tenant's data stays. SQLite and PostgreSQL.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from sqlalchemy import func, select

from chorus.auth.v1 import tenant_events_service_pb2 as events_pb
from chorus.auth.v1 import tenant_events_service_pb2_grpc as events_grpc
from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus_client import ChorusClient
from chorus_core.caller import Caller
from chorus_resource.models import Base
from chorus_resource.tenant_database import TenantDatabase
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite
from tests.support.second_server import second_resource_server

PURGE_WITHIN = 20.0


@pytest.fixture
async def cleaning_server(suite: InProcessSuite) -> AsyncIterator[str]:
    """A second resource server on the suite's database that purges every second."""
    async with second_resource_server(suite, tenant_cleanup_seconds=1) as target:
        yield target


async def rows_of(suite: InProcessSuite, tenant_id: str) -> dict[str, int]:
    """Rows of `tenant_id` in each tenant table that has any (read as that tenant)."""
    counts = {}
    caller = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
    async with TenantDatabase(suite.resource_db).transaction(caller) as connection:
        for table in Base.metadata.sorted_tables:
            if "tenant_id" in table.c:
                found = await connection.scalar(
                    select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id)
                )
                if found:
                    counts[table.name] = int(found)
    return counts


async def test_a_deleted_tenants_rows_are_purged(
    suite: InProcessSuite, cleaning_server: str, tmp_path: Path
) -> None:
    async with ChorusClient(suite.auth_target, cleaning_server) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        john = await client.sign_up(unique_email("john"), PASSWORD)
        kept = await john.songs.create("Stays", "John")
        band = await jane.tenants.create("Short-lived band")
        await jane.tenants.switch(band.id)
        song = await jane.songs.create("Gone", "Band")
        await jane.playlists.create("Gone too", song_ids=[song.id])
        document = tmp_path / "songs.csv"
        document.write_text("name,artist\nImported,Band\n")
        await jane.songs.import_file(document)
        before = await rows_of(suite, band.id)
        await jane.tenants.delete(band.id)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + PURGE_WITHIN
        while await rows_of(suite, band.id):
            assert loop.time() < deadline, await rows_of(suite, band.id)
            await asyncio.sleep(0.2)
        johns = await john.songs.get(kept.id)

    assert {"songs", "playlists", "playlist_song_ids", "resource_events", "operations"} <= set(
        before
    )
    assert johns == kept


async def test_deleted_tenants_are_listed_in_order_without_a_token(suite: InProcessSuite) -> None:
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        first = await jane.tenants.create("First")
        second = await jane.tenants.create("Second")
        async with grpc.aio.insecure_channel(suite.auth_target) as channel:
            stub = events_grpc.TenantEventsServiceStub(channel)
            start = await stub.ListDeletedTenants(events_pb.ListDeletedTenantsRequest())
            after = max((d.position for d in start.tenants), default=0)
            await jane.tenants.delete(first.id)
            await jane.tenants.delete(second.id)
            listed = await stub.ListDeletedTenants(events_pb.ListDeletedTenantsRequest(after=after))

    assert [d.tenant_id for d in listed.tenants][-2:] == [first.id, second.id]
    positions = [d.position for d in listed.tenants]
    assert positions == sorted(positions)


async def test_a_tenant_deleted_mid_import_is_purged_and_its_import_stops(
    suite: InProcessSuite, cleaning_server: str, tmp_path: Path
) -> None:
    document = tmp_path / "songs.csv"
    document.write_text("name,artist\n" + "".join(f"Song {n},Band\n" for n in range(6000)))
    async with ChorusClient(suite.auth_target, cleaning_server) as client:
        jane = await client.sign_up(unique_email("jane"), PASSWORD)
        band = await jane.tenants.create("Importing band")
        await jane.tenants.switch(band.id)
        progressed = asyncio.Event()

        def on_progress(operation: operation_pb.Operation) -> None:
            if operation.rows_done:
                progressed.set()

        importing = asyncio.create_task(jane.songs.import_file(document, on_progress))
        await asyncio.wait_for(progressed.wait(), PURGE_WITHIN)  # some batches are in
        await jane.tenants.delete(band.id)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + PURGE_WITHIN
        while await rows_of(suite, band.id):
            assert loop.time() < deadline, await rows_of(suite, band.id)
            await asyncio.sleep(0.2)
        await asyncio.sleep(2.0)  # longer than a few batches: none comes after the purge
        left = await rows_of(suite, band.id)
        importing.cancel()  # (following an operation that is gone: NOT_FOUND, or still trying)
        await asyncio.gather(importing, return_exceptions=True)

    assert left == {}
