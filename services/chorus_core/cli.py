"""The command line every service shares: `serve` and `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from chorus_core.config import ConfigError
from chorus_core.database import Database
from chorus_core.server import GrpcServer

_log = logging.getLogger("chorus")


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


async def serve(build: Callable[[], tuple[GrpcServer, Database]], name: str) -> None:
    server, db = build()
    try:
        port = await server.start()
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
    commands.add_parser("serve", help=f"run the {name} gRPC service until SIGTERM")
    commands.add_parser("migrate", help=f"upgrade the {name} database to the latest migration")
    if extra is not None:
        extra(commands)
    args = parser.parse_args(argv)
    configure_logging()
    try:
        if args.command == "serve":
            asyncio.run(serve(build, name))
        elif args.command == "migrate":
            migrate()
            _log.info("%s database is up to date", name)
        else:
            return int(args.run(args))
    except ConfigError as error:
        print(f"chorus_{name}: configuration error: {error}", file=sys.stderr)
        return 2
    return 0
