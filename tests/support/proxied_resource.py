"""A second resource service on the suite's database, reaching it through a TCP proxy a test
can cut (a database outage without stopping the database)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from chorus_core.server import ServerSettings
from chorus_devtools.health import SERVING, health_status
from chorus_resource.app import build_resource_server
from tests.support.in_process import InProcessSuite
from tests.support.tcp_proxy import TcpProxy, tcp_proxy

WITHIN = 15.0


@asynccontextmanager
async def resource_behind_proxy(suite: InProcessSuite) -> AsyncIterator[tuple[str, TcpProxy]]:
    """A second resource service on the suite's database, connected through a proxy."""
    url = suite.resource_settings.database_url
    async with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        settings = replace(
            suite.resource_settings,
            database_url=url.set(host="127.0.0.1", port=proxy.port),
            server=ServerSettings(listen="127.0.0.1:0", shutdown_grace_seconds=1),
        )
        server, db = build_resource_server(settings)
        port = await server.start()
        try:
            await until_health(f"127.0.0.1:{port}", SERVING)
            yield f"127.0.0.1:{port}", proxy
        finally:
            await server.stop()
            await db.close()


async def until_health(target: str, expected: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WITHIN
    while (status := await health_status(target)) != expected:
        assert loop.time() < deadline, f"health stayed {status}, expected {expected}"
        await asyncio.sleep(0.1)
