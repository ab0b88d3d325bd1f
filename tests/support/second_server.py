"""Another resource server on a running suite's database, with some settings changed."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from chorus_core.telemetry import Telemetry
from chorus_resource.app import build_resource_server
from tests.support.in_process import InProcessSuite


@asynccontextmanager
async def second_resource_server(suite: InProcessSuite, **changes: object) -> AsyncIterator[str]:
    """A resource server on `suite`'s database with `changes` to its settings; its target."""
    server, db = build_resource_server(
        replace(suite.resource_settings, **changes),  # type: ignore[arg-type]
        Telemetry(),
    )
    port = await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop()
        await db.close()
