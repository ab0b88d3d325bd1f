"""An import that keeps failing on an unexpected error is tried a bounded number of times,
then marked failed with what it did: never left running (SQLite and PostgreSQL).

The failure is real: a trigger in the resource database refuses one row of the
document (a poisoned name), so the batch holding it fails at every attempt.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import grpc
import pytest
from sqlalchemy import text, update

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from chorus_core.caller import Caller
from chorus_resource import operations
from chorus_resource.import_runner import (
    BATCH_ROWS,
    MAX_ATTEMPTS,
    RETRY_SECONDS,
    STALE_SECONDS,
)
from chorus_resource.tenant_database import TenantDatabase
from tests.support.accounts import PASSWORD, unique_email
from tests.support.databases import POSTGRES_URL
from tests.support.in_process import InProcessSuite
from tests.support.proxied_resource import resource_behind_proxy
from tests.support.songs import all_songs


@asynccontextmanager
async def refusing(suite: InProcessSuite, name: str) -> AsyncIterator[None]:
    """Inserting a song named `name` fails (a database error, no outage) for the block."""
    tag = uuid.uuid4().hex[:12]
    if suite.backend == "sqlite":
        async with suite.resource_db.engine.begin() as connection:
            await connection.execute(
                text(
                    f"CREATE TRIGGER refuse_{tag} BEFORE INSERT ON songs "
                    f"WHEN NEW.name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        try:
            yield
        finally:
            async with suite.resource_db.engine.begin() as connection:
                await connection.execute(text(f"DROP TRIGGER refuse_{tag}"))
        return
    database = suite.resource_settings.database_url.database
    owner = await asyncpg.connect(POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}")
    try:
        await owner.execute(
            f"CREATE FUNCTION refuse_{tag}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$; "
            f"CREATE TRIGGER refuse_{tag} BEFORE INSERT ON songs FOR EACH ROW "
            f"WHEN (NEW.name = '{name}') EXECUTE FUNCTION refuse_{tag}()"
        )
        try:
            yield
        finally:
            await owner.execute(f"DROP TRIGGER refuse_{tag} ON songs; DROP FUNCTION refuse_{tag}()")
    finally:
        await owner.close()


async def test_an_import_failing_again_and_again_is_marked_failed_with_what_it_did(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    poison = f"Poison {uuid.uuid4().hex[:8]}"
    rows = [f"Song {n},Attempts" for n in range(2 * BATCH_ROWS)]
    rows[BATCH_ROWS + 10] = f"{poison},Attempts"  # in the second batch
    path = tmp_path / "songs.csv"
    path.write_text("name,artist\n" + "\n".join(rows) + "\n")
    async with (
        ChorusClient(suite.auth_target, suite.resource_target) as client,
        refusing(suite, poison),
    ):
        user = await client.sign_up(unique_email("attempts"), PASSWORD)
        loop = asyncio.get_running_loop()
        started = loop.time()
        done = await user.songs.import_file(path)
        took = loop.time() - started
        songs = await all_songs(user, page_size=100)
        unfinished = await user.operations.list("done = false")

    assert done.state == operation_pb.OPERATION_STATE_FAILED
    assert done.done
    assert (done.rows_done, done.rows_imported) == (BATCH_ROWS, BATCH_ROWS)  # batch 1 stays
    assert len(songs) == BATCH_ROWS
    assert f"{MAX_ATTEMPTS} times" in done.error
    assert f"{BATCH_ROWS} of {2 * BATCH_ROWS} rows were handled" in done.error
    assert took >= (MAX_ATTEMPTS - 1) * RETRY_SECONDS  # tried again, not failed at once
    assert unfinished == []


async def test_an_import_whose_servers_keep_dying_is_marked_failed_when_taken_up(
    suite: InProcessSuite,
) -> None:
    """A stale lease already started MAX_ATTEMPTS times is not run again: marked failed."""
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        user = await client.sign_up(unique_email("dying"), PASSWORD)
        tenant_id = (await user.who_am_i()).tenant_id
        caller = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
        async with TenantDatabase(suite.resource_db).transaction(caller, write=True) as db:
            operation_id, _started = await operations.start(
                db,
                tenant_id=tenant_id,
                created_by="",
                creator_role="owner",
                kind="ImportSongs",
                resource="Song",
                document=b"name,artist\nA,B\n",
                document_format=operation_pb.IMPORT_FORMAT_CSV,
                rows_total=1,
                owner=str(uuid.uuid4()),  # a server that died
            )
            await db.execute(
                update(operations.operation_leases)
                .where(operations.operation_leases.c.operation_id == operation_id)
                .values(
                    attempts=MAX_ATTEMPTS,
                    heartbeat_time=datetime.now(UTC) - timedelta(seconds=STALE_SECONDS + 1),
                )
            )
        name = operations.NAME_PREFIX + operation_id
        async for operation in user.operations.watch(name):
            last = operation

    assert last.state == operation_pb.OPERATION_STATE_FAILED
    assert f"stopped {MAX_ATTEMPTS} times" in last.error
    assert "0 of 1 rows were handled" in last.error
    assert last.rows_imported == 0


@pytest.mark.parametrize("suite", ["postgresql"], indirect=True)
async def test_database_outages_mid_import_are_waited_out_not_counted(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    """The database goes away more often than MAX_ATTEMPTS mid-import: the import goes on
    each time it is back (an outage is nobody's fault), and stores every row once."""
    rows = 10 * BATCH_ROWS
    document = "name,artist\n" + "".join(f"Song {n},Outages\n" for n in range(rows))
    async with (
        resource_behind_proxy(suite) as (target, proxy),
        ChorusClient(suite.auth_target, suite.resource_target) as client,
        grpc.aio.insecure_channel(target) as channel,
    ):
        user = await client.sign_up(unique_email("outages"), PASSWORD)
        started = (
            await song_grpc.SongServiceStub(channel).ImportSongs(
                song_pb.ImportSongsRequest(
                    document=document.encode(), format=operation_pb.IMPORT_FORMAT_CSV
                ),
                metadata=await user.tokens.metadata(),
            )
        ).operation  # runs on the server behind the proxy; followed through the other
        cuts = 0
        async for operation in user.operations.watch(started.name):
            if (
                not operation.done
                and operation.rows_done > cuts * BATCH_ROWS
                and cuts <= MAX_ATTEMPTS
            ):
                await proxy.cut()
                cuts += 1
                await asyncio.sleep(0.3)
                await proxy.restore()
            last = operation
        songs = await all_songs(user, page_size=100)

    assert cuts == MAX_ATTEMPTS + 1
    assert last.state == operation_pb.OPERATION_STATE_SUCCEEDED, last.error
    assert (last.rows_done, last.rows_imported) == (rows, rows)
    assert sorted(s.name for s in songs) == sorted(f"Song {n}" for n in range(rows))
