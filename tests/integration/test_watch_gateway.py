"""Watch streams through the real Envoy: gRPC-Web from browsers, and across replicas.

Two resource replicas share one PostgreSQL database behind Envoy: a change
written through one replica reaches a watcher served by the other (LISTEN/
NOTIFY), and when a replica stops, its watchers end UNAVAILABLE and resume
on the other with their cursor, missing nothing.
"""

import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chorus.resource.v1 import change_type_pb2 as change_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus_client import ChorusClient, UserSession
from chorus_devtools.processes import Service
from tests.support.accounts import PASSWORD, unique_email
from tests.support.gateway import (
    Gateway,
    http_request,
    running_gateway,
)
from tests.support.in_process import InProcessSuite
from tests.support.replicas import ReplicaStack as Stack
from tests.support.replicas import replicas_behind_envoy, served_calls
from tests.support.watching import watching

pytestmark = pytest.mark.timeout(180)

WATCH_SONGS = "/chorus.resource.v1.SongService/WatchSongs"
CREATE_SONG = "/chorus.resource.v1.SongService/CreateSong"
ORIGIN = "http://localhost:5173"
WRITES = 12
DELIVERY_SECONDS = 5.0
"""Well under the 10 s a PostgreSQL watcher waits when no notification wakes it."""


async def new_user(client: ChorusClient) -> UserSession:
    return await client.sign_up(unique_email("watch"), PASSWORD)


async def test_grpc_web_watch_replays_through_the_gateway(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    async with (
        running_gateway(suite, tmp_path / "gateway") as gateway,
        ChorusClient(suite.auth_target, suite.resource_target) as client,
    ):
        jane = await new_user(client)
        song = await jane.songs.create("Through", "Envoy")
        cursor = f"0.{int(time.time())}"  # the start of the history: replay everything
        reply = await gateway.grpc_web(
            WATCH_SONGS,
            song_pb.WatchSongsRequest(cursor=cursor).SerializeToString(),
            # The stream stays open; the deadline ends it after the replay.
            {
                "origin": ORIGIN,
                "authorization": f"Bearer {jane.tokens.access_token}",
                "grpc-timeout": "2S",
            },
        )

    events = [song_pb.WatchSongsResponse.FromString(m) for m in reply.messages]
    assert reply.http.status == 200, reply
    assert [e.type for e in events] == [
        change_pb.CHANGE_TYPE_CREATED,
        change_pb.CHANGE_TYPE_CAUGHT_UP,
    ]
    assert events[0].song == song
    assert reply.grpc_status == 4, reply  # DEADLINE_EXCEEDED: the deadline, not the gateway
    assert reply.http.headers.get("access-control-allow-origin") == ORIGIN


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """Auth (in-process), two resource replicas (subprocesses) and Envoy, on PostgreSQL."""
    async with replicas_behind_envoy(tmp_path) as running:
        yield running


def creates(replica: Service) -> int:
    return served_calls(replica)[(CREATE_SONG, "OK")]


async def test_a_change_on_one_replica_reaches_a_watcher_on_the_other(stack: Stack) -> None:
    async with ChorusClient(stack.gateway.target, stack.gateway.target) as client:
        jane = await new_user(client)
        async with watching(jane.songs) as feed:
            await feed.caught_up()
            written = []
            for number in range(WRITES):
                written.append(await jane.songs.create(f"Song {number}", "Replicas"))
                [event] = [await feed.next(within=DELIVERY_SECONDS)]
                assert event.song == written[-1]
            watched_by = [
                entry["upstream_host"]
                for entry in stack.gateway.access_log()
                if entry.get("path") == WATCH_SONGS
            ]
        entries = await stack.gateway.wait_for_access_log(WATCH_SONGS)

    [watcher_host] = {e["upstream_host"] for e in entries if e.get("path") == WATCH_SONGS}
    assert watched_by == []  # the stream was still open while the writes were seen
    writers = Counter(e["upstream_host"] for e in entries if e.get("path") == CREATE_SONG)
    others = {r.target for r in stack.replicas} - {watcher_host}
    assert sum(writers[host] for host in others) > 0, writers
    assert all(creates(r) > 0 for r in stack.replicas)


async def streams_open(gateway: Gateway) -> Counter[str]:
    """Calls in flight from Envoy to each resource replica (Envoy's admin /clusters)."""
    reply = await http_request(gateway.admin, "GET", "/clusters", {})
    open_calls: Counter[str] = Counter()
    for line in reply.body.decode().splitlines():
        cluster, _, rest = line.partition("::")
        host, found, stat = rest.rpartition("::rq_active::")
        if cluster == "resource" and found:
            open_calls[host] = int(stat)
    return open_calls


async def test_a_stopping_replica_hands_its_watchers_to_the_other(stack: Stack) -> None:
    async with ChorusClient(stack.gateway.target, stack.gateway.target) as client:
        jane = await new_user(client)
        async with watching(jane.songs) as feed:
            await feed.caught_up()
            first = await jane.songs.create("Before", "Stop")
            assert (await feed.take(1))[0].song == first
            open_calls = await streams_open(stack.gateway)
            [watcher] = [r for r in stack.replicas if open_calls[r.target] == 1]
            watcher.send(signal.SIGTERM)
            assert await watcher.exit_code() == 0
            later = [await jane.songs.create(f"After {n}", "Stop") for n in range(3)]
            events = await feed.take(3)
            [still_open] = [host for host, n in (await streams_open(stack.gateway)).items() if n]

    assert [e.song for e in events] == later
    assert still_open != watcher.target
    assert "Traceback" not in watcher.log()
