"""WatchOperation is woken by each committed batch, not by a timer: on the replica running
the import (SQLite and PostgreSQL) and on another replica (PostgreSQL's NOTIFY).

Without the wake-ups a stream would look only every `poll_seconds` (2 s on
SQLite, 10 s on PostgreSQL) and see a few of an import's batches; with them
it sees (nearly) every one.
"""

from pathlib import Path

import grpc

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from chorus_resource.import_runner import BATCH_ROWS
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite, running_in_process
from tests.support.replicas import running_replicas

ROWS = 4000
BATCHES = ROWS // BATCH_ROWS


def document(folder: Path, year: int = 2000) -> Path:
    path = folder / "songs.csv"
    path.write_text("name,artist,year\n" + "".join(f"Song {n},Woken,{year}\n" for n in range(ROWS)))
    return path


async def test_the_stream_of_an_import_sees_its_batches(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        user = await client.sign_up(unique_email("woken"), PASSWORD)
        progress: list[int] = []
        done = await user.songs.import_file(
            document(tmp_path), lambda op: progress.append(op.rows_done)
        )

    assert done.rows_imported == ROWS
    # Most batches seen (a stream that reads while the next batch commits may skip one).
    assert len(set(progress)) >= BATCHES * 2 // 3, progress


async def test_a_stream_on_another_replica_sees_the_batches_too(tmp_path: Path) -> None:
    """PostgreSQL only: SQLite's replicas are one process (or its workers, which poll)."""
    async with (
        running_in_process("postgresql", tmp_path) as suite,
        running_replicas(suite, tmp_path, 1) as [other],
        ChorusClient(suite.auth_target, suite.resource_target) as here,
        ChorusClient(suite.auth_target, other.target) as there,
    ):
        user = await here.sign_up(unique_email("elsewhere"), PASSWORD)
        watcher = await there.login(str(user.user.email), PASSWORD)
        async with grpc.aio.insecure_channel(suite.resource_target) as channel:  # runs here
            started = (
                await song_grpc.SongServiceStub(channel).ImportSongs(
                    song_pb.ImportSongsRequest(
                        # every row refused: no song stored, so no outbox event
                        # tells the replicas; the operation's own NOTIFY must
                        document=document(tmp_path, year=999).read_bytes(),
                        format=operation_pb.IMPORT_FORMAT_CSV,
                    ),
                    metadata=await user.tokens.metadata(),
                )
            ).operation
        progress = [op.rows_done async for op in watcher.operations.watch(started.name)]
        last = await watcher.operations.get(started.name)

    assert last.state == operation_pb.OPERATION_STATE_SUCCEEDED
    assert (last.rows_done, last.rows_rejected) == (ROWS, ROWS)
    assert len(set(progress)) >= BATCHES * 2 // 3, progress
