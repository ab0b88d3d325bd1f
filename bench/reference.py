"""The second ceiling: a bare ListSongs and GetSong on grpc.aio and asyncpg, nothing else.

    python -m bench.reference --database-url postgresql://... [--workers 2]

The least any implementation of these two calls can cost here: the same
table, rows and replies as the resource service (a page of 20 songs with
`total_size` and a next page token; one song), as many processes on one port
(SO_REUSEPORT, as `CHORUS_WORKERS`), one round trip per call, and none of
Chorus's checks: the token is only looked up in a dict (its tenant read from
its payload, unverified), no interceptors, no validation, no row-level
security (it connects as the tables' owner), no logs, no metrics. Chorus's
calls divided by these calls is the cost of Chorus's own layers.

Logs "reference listening on port N" once every worker serves; stops its
workers and itself on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import asyncpg
import grpc
from google.protobuf import timestamp_pb2

from chorus.resource.v1 import song_service_pb2 as song_pb

SERVICE = "chorus.resource.v1.SongService"
PAGE = """
SELECT page.*, counted.total FROM
  (SELECT count(*) AS total FROM songs WHERE tenant_id = $1) AS counted
  LEFT JOIN LATERAL (
    SELECT id, name, artist, year, create_time, update_time, created_by
    FROM songs WHERE tenant_id = $1 ORDER BY create_time, id LIMIT $2
  ) AS page ON true
"""
ONE = """
SELECT id, name, artist, year, create_time, update_time, created_by
FROM songs WHERE tenant_id = $1 AND id = $2
"""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
POOL_SIZE = 10
"""At most as many as the resource service's pool keeps (`chorus_core.database.POOL_SIZE`),
opened as needed (the PostgreSQL server is shared)."""

Context = grpc.aio.ServicerContext[Any, Any]


def _stamp(value: datetime) -> timestamp_pb2.Timestamp:
    delta = value - EPOCH
    return timestamp_pb2.Timestamp(
        seconds=delta.days * 86400 + delta.seconds, nanos=delta.microseconds * 1000
    )


def _song(row: asyncpg.Record) -> song_pb.Song:
    song = song_pb.Song(
        id=row["id"],
        name=row["name"],
        artist=row["artist"],
        create_time=_stamp(row["create_time"]),
        update_time=_stamp(row["update_time"]),
        created_by=row["created_by"],
    )
    if row["year"] is not None:
        song.year = row["year"]
    return song


class Reference:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._tenants: dict[str, str] = {}

    def _tenant(self, context: Context) -> str:
        """The token's tenant: a dict lookup (the payload is read once, never verified)."""
        for key, value in context.invocation_metadata() or ():
            if key == "authorization":
                token = str(value).partition(" ")[2]
                tenant = self._tenants.get(token)
                if tenant is None:
                    payload = token.split(".")[1]
                    claims = json.loads(
                        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
                    )
                    tenant = self._tenants[token] = str(claims["tid"])
                return tenant
        return ""

    async def list_songs(
        self, request: song_pb.ListSongsRequest, context: Context
    ) -> song_pb.ListSongsResponse:
        size = request.page_size or 20
        rows = await self._pool.fetch(PAGE, self._tenant(context), size + 1)
        songs = [_song(row) for row in rows if row["id"] is not None]
        token = ""
        if len(songs) > size:
            songs = songs[:size]
            last = rows[size - 1]
            delta = last["create_time"] - EPOCH
            key = [[delta.days * 86400 + delta.seconds, delta.microseconds], last["id"]]
            token = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
        return song_pb.ListSongsResponse(
            songs=songs, next_page_token=token, total_size=rows[0]["total"]
        )

    async def get_song(
        self, request: song_pb.GetSongRequest, context: Context
    ) -> song_pb.GetSongResponse:
        row = await self._pool.fetchrow(ONE, self._tenant(context), request.id)
        if row is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such song")
        return song_pb.GetSongResponse(song=_song(row))

    def handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "ListSongs": grpc.unary_unary_rpc_method_handler(
                    self.list_songs,
                    request_deserializer=song_pb.ListSongsRequest.FromString,
                    response_serializer=song_pb.ListSongsResponse.SerializeToString,
                ),
                "GetSong": grpc.unary_unary_rpc_method_handler(
                    self.get_song,
                    request_deserializer=song_pb.GetSongRequest.FromString,
                    response_serializer=song_pb.GetSongResponse.SerializeToString,
                ),
            },
        )


async def nothing_to_reset(connection: asyncpg.Connection) -> None:
    """Calls leave no session state behind (no SET, LISTEN, advisory lock or cursor), so a
    connection goes back to the pool as it is. asyncpg's default reset sends a query
    (`SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) on every release:
    a second round trip per call, which made this reference no bare minimum."""


async def serve_worker(listen: str, database_url: str) -> None:
    pool = await asyncpg.create_pool(
        database_url, min_size=1, max_size=POOL_SIZE, reset=nothing_to_reset
    )
    server = grpc.aio.server()
    server.add_generic_rpc_handlers([Reference(pool).handler()])
    port = server.add_insecure_port(listen)
    await server.start()
    print(f"port {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_reader(sys.stdin.fileno(), stop.set)  # the supervisor is gone: stop too
    await stop.wait()
    await server.stop(1)
    await pool.close()


def supervise(listen: str, database_url: str, workers: int) -> int:
    """Worker 1 binds `listen`, the others the port it got; waits for a signal, stops them."""
    started: list[subprocess.Popen[str]] = []

    def start(address: str) -> int:
        worker = subprocess.Popen(  # noqa: S603 (this interpreter, our own module)
            [sys.executable, "-m", "bench.reference", "--worker", "--listen", address],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "BENCH_REFERENCE_DATABASE_URL": database_url},
        )
        started.append(worker)
        line = worker.stdout.readline() if worker.stdout else ""
        if not line.startswith("port "):
            raise RuntimeError(f"a reference worker did not start (exit {worker.poll()})")
        return int(line.split()[1])

    signals = {signal.SIGTERM, signal.SIGINT}
    try:
        port = start(listen)
        host = listen.rpartition(":")[0]
        for _ in range(workers - 1):
            start(f"{host}:{port}")
        # Blocked after the workers started (they inherit the mask), taken by sigtimedwait.
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        print(f"reference listening on port {port}", file=sys.stderr, flush=True)
        while all(w.poll() is None for w in started):
            if signal.sigtimedwait(signals, 0.5) is not None:
                break
    finally:
        for worker in started:
            if worker.poll() is None:
                worker.terminate()
        for worker in started:
            worker.wait(10)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reference", description=__doc__)
    parser.add_argument("--listen", default="127.0.0.1:0", help="host:port (%(default)s)")
    parser.add_argument("--database-url", help="the resource database, as its owner")
    parser.add_argument("--workers", type=int, default=2, help="processes (%(default)s)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(serve_worker(args.listen, os.environ["BENCH_REFERENCE_DATABASE_URL"]))
        return 0
    if not args.database_url:
        parser.error("--database-url is required")
    return supervise(args.listen, args.database_url, args.workers)


if __name__ == "__main__":
    sys.exit(main())
