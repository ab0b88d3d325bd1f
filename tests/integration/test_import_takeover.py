"""An import survives the SIGKILL of its server: another replica finishes it, no row twice.

Two resource replicas share one PostgreSQL database. An import of 10,000
rows starts on one; once some batches have committed, that replica is
killed (SIGKILL: no shutdown, no goodbye). Its lease goes stale, the other
replica takes the import up where the last committed batch ended, and every
row ends up stored exactly once.
"""

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus_client import ChorusClient
from chorus_resource.import_runner import HEARTBEAT_SECONDS, STALE_SECONDS
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import running_in_process
from tests.support.replicas import running_replicas
from tests.support.songs import all_songs

pytestmark = pytest.mark.timeout(300)

ROWS = 10_000


async def test_a_killed_replicas_import_is_finished_by_the_other(tmp_path: Path) -> None:
    path = tmp_path / "songs.csv"
    path.write_text("name,artist\n" + "".join(f"Song {n},Takeover\n" for n in range(ROWS)))
    async with (
        running_in_process("postgresql", tmp_path) as suite,
        running_replicas(suite, tmp_path, 2) as (doomed, survivor),
        # (the suite's own in-process server is a third replica that may take it up)
    ):
        async with ChorusClient(suite.auth_target, doomed.target) as client:
            user = await client.sign_up(unique_email("takeover"), PASSWORD)
            importing = asyncio.create_task(user.songs.import_file(path))
            started = None
            for _ in range(600):
                found = await user.operations.list()
                if found and found[0].rows_done > 0:
                    started = found[0]
                    break
                await asyncio.sleep(0.05)
            assert started is not None, "the import never made progress"
            loop = asyncio.get_running_loop()
            doomed.send(signal.SIGKILL)
            killed_at = loop.time()
            assert await doomed.exit_code() == -signal.SIGKILL
            with pytest.raises(Exception):  # noqa: B017, PT011 (the call's server is gone)
                await importing
        async with ChorusClient(suite.auth_target, survivor.target) as client:
            again = await client.login(str(user.user.email), PASSWORD)
            async for operation in again.operations.watch(started.name):
                last = operation
            finished_in = loop.time() - killed_at
            songs = await all_songs(again, page_size=100)

    assert 0 < started.rows_done < ROWS, "killed mid-way"
    assert last.state == operation_pb.OPERATION_STATE_SUCCEEDED
    assert (last.rows_done, last.rows_imported) == (ROWS, ROWS)
    names = Counter(song.name for song in songs)
    assert len(names) == ROWS
    assert max(names.values()) == 1, "a row was stored twice"
    assert finished_in > STALE_SECONDS - HEARTBEAT_SECONDS  # taken up once stale, not before
