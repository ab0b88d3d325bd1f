"""ImportSongs as a long-running operation, and OperationService (SQLite and PostgreSQL)."""

import asyncio
import json
from pathlib import Path
from typing import Any

import grpc
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import operation_service_pb2_grpc as operation_grpc
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient, UserSession
from chorus_resource.import_document import MAX_ROWS
from chorus_resource.import_runner import BATCH_ROWS
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite
from tests.support.songs import all_songs
from tests.support.tcp_proxy import tcp_proxy

SUCCEEDED = operation_pb.OPERATION_STATE_SUCCEEDED
CANCELLED = operation_pb.OPERATION_STATE_CANCELLED
RUNNING = operation_pb.OPERATION_STATE_RUNNING
BIG = 3000


async def fresh_user(client: ChorusClient) -> UserSession:
    return await client.sign_up(unique_email("importer"), PASSWORD)


def csv_file(folder: Path, lines: list[str], name: str = "songs.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_a_csv_import_stores_good_rows_and_reports_bad_ones(
    client: ChorusClient, tmp_path: Path
) -> None:
    user = await fresh_user(client)
    path = csv_file(
        tmp_path,
        [
            "name,artist,year",
            "Aberdeen,Cage the Elephant,2011",
            "Trouble,Cage the Elephant,",
            "Old,Someone,999",
            ",Nobody,2000",
            '"Comma, inside",Quoted,1999',
        ],
    )
    seen: list[operation_pb.Operation] = []

    done = await user.songs.import_file(path, seen.append)

    assert done.state == SUCCEEDED
    assert done.done
    assert (done.rows_total, done.rows_done, done.rows_imported, done.rows_rejected) == (5, 5, 3, 2)
    assert list(done.row_errors) == [
        "line 4: year must be greater than or equal to 1000 and less than or equal to 2100",
        "line 5: name must not be empty or blank",
    ]
    assert seen[-1] == done
    songs = {
        (s.name, s.artist, s.year if s.HasField("year") else None) for s in await all_songs(user)
    }
    assert songs == {
        ("Aberdeen", "Cage the Elephant", 2011),
        ("Trouble", "Cage the Elephant", None),
        ("Comma, inside", "Quoted", 1999),
    }
    assert [op.name for op in await user.operations.list()] == [done.name]
    assert await user.operations.get(done.name) == done


async def test_a_json_import_names_the_line_of_each_bad_item(
    client: ChorusClient, tmp_path: Path
) -> None:
    user = await fresh_user(client)
    path = tmp_path / "songs.json"
    path.write_text(
        "[\n"
        '  {"name": "A", "artist": "B", "year": 2001},\n'
        "  {\n"
        '    "name": "Old",\n'
        '    "artist": "C",\n'
        '    "year": 999\n'
        "  },\n"
        '  {"name": "D", "artist": "E"}, {"name": "F", "artist": ""},\n'
        '  {"name": ["G"], "artist": "H"}\n'
        "]\n"
    )

    done = await user.songs.import_file(path)

    assert (done.rows_imported, done.rows_rejected) == (2, 3)
    assert list(done.row_errors) == [
        "line 3: year must be greater than or equal to 1000 and less than or equal to 2100",
        "line 8, item 4: artist must not be empty or blank",  # two items on line 8
        "line 9: Failed to parse name field: expected string or bytes-like object, got 'list'.",
    ]
    songs = {(s.name, s.artist) for s in await all_songs(user)}
    assert songs == {("A", "B"), ("D", "E")}


async def test_a_json_import_on_one_line_stores_every_item_once(
    client: ChorusClient, tmp_path: Path
) -> None:
    """Items sharing a line keep keys of their own (the line alone would be one key)."""
    user = await fresh_user(client)
    path = tmp_path / "songs.json"
    path.write_text(json.dumps([{"name": f"Song {n}", "artist": "Compact"} for n in range(5)]))

    done = await user.songs.import_file(path)

    assert done.rows_imported == 5
    assert sorted(s.name for s in await all_songs(user)) == [f"Song {n}" for n in range(5)]


async def test_a_large_import_reports_progress_batch_by_batch(
    client: ChorusClient, tmp_path: Path
) -> None:
    user = await fresh_user(client)
    path = csv_file(tmp_path, ["name,artist,year", *(f"Song {n},Bulk,2000" for n in range(BIG))])
    progress: list[int] = []

    done = await user.songs.import_file(path, lambda op: progress.append(op.rows_done))

    assert done.rows_imported == BIG
    assert progress == sorted(progress)
    assert progress[-1] == BIG
    # Progress moves a committed batch at a time (how many a watcher sees depends on speed).
    assert all(done % BATCH_ROWS == 0 or done == BIG for done in progress)
    assert (await user.songs.query(page_size=1)).total_size == BIG


async def refused_import(
    suite: InProcessSuite,
    user: UserSession,
    document: bytes,
    document_format: operation_pb.ImportFormat.ValueType = operation_pb.IMPORT_FORMAT_CSV,
) -> grpc.aio.AioRpcError:
    """The error ImportSongs answers `document` with (straight to the service)."""
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await song_grpc.SongServiceStub(channel).ImportSongs(
                song_pb.ImportSongsRequest(document=document, format=document_format),
                metadata=await user.tokens.metadata(),
            )
    return raised.value


@pytest.mark.parametrize(
    ("document", "document_format", "where"),
    [
        (b'name,artist\n"open quote,x\n', operation_pb.IMPORT_FORMAT_CSV, "line 2"),
        (b"name,artist\na,b\nc,d,e\n", operation_pb.IMPORT_FORMAT_CSV, "line 3"),
        (b"name,genre\n", operation_pb.IMPORT_FORMAT_CSV, "line 1"),
        (b"\nname,artist\na,b\n", operation_pb.IMPORT_FORMAT_CSV, "line 1: the header"),
        (b'[{"name": "a",\n "artist": }]', operation_pb.IMPORT_FORMAT_JSON, "line 2"),
        (b'[\n{"name": "a", "artist": "b"},\n"c"\n]', operation_pb.IMPORT_FORMAT_JSON, "line 3"),
        (b'[\n{"name": "a", "artist": "b"},\n]', operation_pb.IMPORT_FORMAT_JSON, "line 3"),
        (b'[\n{"name": "a", "genre": "b"}]', operation_pb.IMPORT_FORMAT_JSON, "line 2"),
        (b"[" * 100_000 + b"]" * 100_000, operation_pb.IMPORT_FORMAT_JSON, "nests too deeply"),
        (b"name,artist\n\xff\n", operation_pb.IMPORT_FORMAT_CSV, "line 2"),
    ],
)
async def test_a_malformed_document_is_invalid_argument_naming_the_line(
    suite: InProcessSuite,
    jane: UserSession,
    document: bytes,
    document_format: operation_pb.ImportFormat.ValueType,
    where: str,
) -> None:
    refused = await refused_import(suite, jane, document, document_format)
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert where in str(refused.details())


async def test_too_many_rows_is_resource_exhausted(
    suite: InProcessSuite, jane: UserSession
) -> None:
    document = b"name,artist\n" + b"a,b\n" * (MAX_ROWS + 1)
    refused = await refused_import(suite, jane, document)
    assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert str(MAX_ROWS) in str(refused.details())


async def test_a_document_over_the_message_limit_is_resource_exhausted(
    suite: InProcessSuite, jane: UserSession
) -> None:
    document = b"name,artist\n" + b"x" * (2 << 20) + b",y\n"  # one row, 2 MiB
    refused = await refused_import(suite, jane, document)
    assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert await jane.operations.list() == []


async def test_cancel_stops_an_import_after_its_batch(client: ChorusClient, tmp_path: Path) -> None:
    user = await fresh_user(client)
    path = csv_file(tmp_path, ["name,artist", *(f"Song {n},Cancelled" for n in range(BIG))])
    importing = asyncio.create_task(user.songs.import_file(path))
    [running] = await wait_for_operations(user)
    cancelled = await user.operations.cancel(running.name)
    done = await importing

    assert cancelled.name == running.name
    assert done.state == CANCELLED
    assert done.rows_done < BIG
    assert (await user.songs.query(page_size=1)).total_size == done.rows_imported


async def wait_for_operations(user: UserSession) -> list[operation_pb.Operation]:
    for _ in range(100):
        found = await user.operations.list()
        if found:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("no operation appeared")


async def test_an_import_goes_on_when_its_caller_leaves(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        user = await fresh_user(client)
        path = csv_file(tmp_path, ["name,artist", *(f"Song {n},Left" for n in range(BIG))])
        importing = asyncio.create_task(user.songs.import_file(path))
        [started] = await wait_for_operations(user)
        importing.cancel()  # the caller goes away mid-import
    async with ChorusClient(suite.auth_target, suite.resource_target) as client:
        again = await client.login(str(user.user.email), PASSWORD)
        async for operation in again.operations.watch(started.name):
            last = operation
        assert last.state == SUCCEEDED
        assert last.rows_imported == BIG


async def test_operations_stay_in_their_tenant_and_viewers_cannot_import(
    client: ChorusClient, tmp_path: Path
) -> None:
    jane = await fresh_user(client)
    john = await fresh_user(client)
    done = await jane.songs.import_file(csv_file(tmp_path, ["name,artist", "A,B"]))
    band = await jane.tenants.create("Import band")
    await jane.tenants.invite(band.id, str(john.user.email), auth_pb.ROLE_VIEWER)
    [invitation] = await john.tenants.invitations()
    await john.tenants.accept(invitation.id)
    await john.tenants.switch(band.id)

    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await john.operations.get(done.name)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await john.songs.import_file(tmp_path / "songs.csv")

    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    assert await john.operations.list() == []
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_operations_are_listed_a_page_at_a_time_and_by_done(
    client: ChorusClient, tmp_path: Path
) -> None:
    user = await fresh_user(client)
    path = csv_file(tmp_path, ["name,artist", "A,B"])
    finished = [await user.songs.import_file(path) for _ in range(5)]
    big = csv_file(tmp_path, ["name,artist", *(f"Song {n},Paged" for n in range(BIG))], "big.csv")
    importing = asyncio.create_task(user.songs.import_file(big))
    [running] = await user_operations_until(user, 6)

    pages, token = [], ""
    while True:
        page = await user.operations.page(page_size=2, page_token=token)
        pages.append([op.name for op in page.operations])
        assert page.total_size == 6
        token = page.next_page_token
        if not token:
            break
    unfinished = await user.operations.list("done = false")
    finished_listed = await user.operations.page(filter="done = true", page_size=10)
    await user.operations.cancel(running.name)
    await importing

    newest_first = [running.name, *(op.name for op in reversed(finished))]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6]]
    assert [op.name for op in unfinished] == [running.name]
    assert [op.name for op in finished_listed.operations] == newest_first[1:]
    assert (finished_listed.total_size, finished_listed.next_page_token) == (5, "")
    assert await user.operations.list("done = false") == []


async def user_operations_until(user: UserSession, count: int) -> list[operation_pb.Operation]:
    """The unfinished operations, once the tenant has `count` operations."""
    for _ in range(100):
        if (await user.operations.page()).total_size >= count:
            return await user.operations.list("done = false")
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} operations never appeared")


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"page_token": "not a token"}, "page_token"),
        ({"filter": "done = maybe"}, "filter"),
        ({"filter": "rows_done > 3"}, "filter"),
        ({"page_size": -1}, "page_size"),
    ],
)
async def test_bad_list_requests_are_invalid_argument(
    suite: InProcessSuite, jane: UserSession, request_fields: dict[str, Any], field: str
) -> None:
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await operation_grpc.OperationServiceStub(channel).ListOperations(
                operation_pb.ListOperationsRequest(**request_fields),
                metadata=await jane.tokens.metadata(),
            )

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in str(raised.value.details())


async def test_a_page_token_only_works_with_its_filter(
    client: ChorusClient, tmp_path: Path
) -> None:
    user = await fresh_user(client)
    path = csv_file(tmp_path, ["name,artist", "A,B"])
    for _ in range(3):
        await user.songs.import_file(path)
    first = await user.operations.page(page_size=1)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await user.operations.page(filter="done = true", page_token=first.next_page_token)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in str(raised.value.details())


async def test_a_retried_start_with_its_request_id_imports_once(
    suite: InProcessSuite, jane: UserSession
) -> None:
    document = b"name,artist\nOnce,Retried\nTwice,Retried\n"
    request = song_pb.ImportSongsRequest(
        document=document, format=operation_pb.IMPORT_FORMAT_CSV, request_id="import-1"
    )
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        stub = song_grpc.SongServiceStub(channel)
        first = (await stub.ImportSongs(request, metadata=await jane.tokens.metadata())).operation
        again = (await stub.ImportSongs(request, metadata=await jane.tokens.metadata())).operation
        other = (
            await stub.ImportSongs(
                song_pb.ImportSongsRequest(
                    document=document, format=operation_pb.IMPORT_FORMAT_CSV, request_id="import-2"
                ),
                metadata=await jane.tokens.metadata(),
            )
        ).operation
    finished = [[op async for op in jane.operations.watch(o.name)][-1] for o in (first, other)]

    assert again.name == first.name
    assert other.name != first.name
    assert [op.rows_imported for op in finished] == [2, 2]
    assert (await jane.operations.page()).total_size == 2
    names = sorted(s.name for s in await all_songs(jane))
    assert names == sorted(["Aberdeen", "Cigarette Daydreams", "Once", "Twice", "Once", "Twice"])


async def test_the_client_starts_an_import_again_while_the_server_is_away(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    host, port = suite.resource_target.rsplit(":", 1)
    async with (
        tcp_proxy(host, int(port)) as proxy,
        ChorusClient(suite.auth_target, f"127.0.0.1:{proxy.port}") as client,
    ):
        user = await fresh_user(client)
        await proxy.cut()
        importing = asyncio.create_task(
            user.songs.import_file(csv_file(tmp_path, ["name,artist", "A,B", "C,D"]))
        )
        await asyncio.sleep(1.0)  # the first attempts find nobody
        await proxy.restore()
        done = await importing
        songs = await all_songs(user)

    assert done.rows_imported == 2
    assert sorted(s.name for s in songs) == ["A", "C"]
