"""The command line every service shares: `serve` and `migrate`.

`serve` runs one process by default; with `CHORUS_WORKERS=N` (N > 1) it
becomes a small supervisor of N worker processes on one port
(`chorus_core.supervisor`). Configuration errors exit 2 with a one-line
message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable

from chorus_core import config
from chorus_core.config import ConfigError
from chorus_core.database import Database, DatabaseUnreachable, check_reachable
from chorus_core.heap import freeze_startup_heap
from chorus_core.logs import configure_logging, log_format
from chorus_core.server import GrpcServer
from chorus_core.settings import database_wait_seconds, shutdown_grace_seconds
from chorus_core.supervisor import serve_as_worker, supervise

_log = logging.getLogger("chorus")

WORKERS_SETTING = "CHORUS_WORKERS"


async def serve(build: Callable[[], tuple[GrpcServer, Database]], name: str) -> None:
    server, db = build()
    try:
        await check_reachable(db.engine, wait_seconds=database_wait_seconds(os.environ))
        port = await server.start()
        freeze_startup_heap()
        _log.info("%s service listening on port %d", name, port)
        await server.run_until_signalled()
    finally:
        await db.close()


def main(
    name: str,
    migrate: Callable[[], None],
    build: Callable[[], tuple[GrpcServer, Database]],
    extra: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None = None,
    argv: list[str] | None = None,
) -> int:
    """Parse the command line and run a command; config errors exit 2 with a message."""
    parser = argparse.ArgumentParser(prog=f"python -m chorus_{name}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser(
        "serve",
        help=f"run the {name} gRPC service until SIGTERM "
        f"({WORKERS_SETTING}=N: N worker processes on one port)",
    )
    # Set by the supervisor for the workers it starts; not for people.
    serve_command.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    serve_command.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    serve_command.add_argument("--lifeline-fd", type=int, help=argparse.SUPPRESS)
    serve_command.add_argument("--listen", help=argparse.SUPPRESS)
    commands.add_parser("migrate", help=f"upgrade the {name} database to the latest migration")
    if extra is not None:
        extra(commands)
    args = parser.parse_args(argv)
    configure_logging("text")
    try:
        configure_logging(log_format(os.environ))
        if args.command == "serve":
            return _serve_command(args, name, build)
        if args.command == "migrate":
            migrate()
            _log.info("%s database is up to date", name)
        else:
            return int(args.run(args))
    except ConfigError as error:
        print(f"chorus_{name}: configuration error: {error}", file=sys.stderr)
        return 2
    except DatabaseUnreachable as error:
        print(f"chorus_{name}: {error}", file=sys.stderr)
        return 1
    return 0


def _serve_command(
    args: argparse.Namespace, name: str, build: Callable[[], tuple[GrpcServer, Database]]
) -> int:
    if args.worker is not None and args.ready_fd is not None and args.lifeline_fd is not None:
        asyncio.run(
            serve_as_worker(
                build,
                name,
                number=args.worker,
                listen=args.listen,
                ready_fd=args.ready_fd,
                lifeline_fd=args.lifeline_fd,
            )
        )
        return 0
    workers = config.integer(os.environ, WORKERS_SETTING)
    if workers == 1:
        asyncio.run(serve(build, name))
        return 0
    grace = shutdown_grace_seconds(os.environ)
    return asyncio.run(supervise(name, workers, grace))
