"""First-run traps (issue 14, failures 5 and 6).

`make run` coexists with any other Envoy on the machine (no hot-restart shared
memory); the resource service finds the auth service where CHORUS_AUTH_LISTEN
puts it; and a resource service without signing keys reports NOT_SERVING (so
`make run` and the gateway wait for it), becoming usable within a second or
two of the auth service coming up.
"""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from pathlib import Path

from chorus_auth.app import build_auth_server
from chorus_auth.signing_keys import generate_signing_key
from chorus_client import ChorusClient
from chorus_core.migrations import upgrade_to_head
from chorus_core.server import ServerSettings
from chorus_devtools.health import SERVING, health_status
from chorus_devtools.ports import free_ports
from chorus_resource.app import build_resource_server
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite, auth_settings
from tests.support.running_app import running_app

ENVOY = Path(sys.executable).parent / "envoy"
NOT_SERVING = 2
KEYS_WITHIN = 3.0


@asynccontextmanager
async def envoy_with_hot_restart(folder: Path) -> AsyncIterator[None]:
    """Another Envoy as many machines have one: hot restart on, base id 0."""
    config = folder / "other-envoy.yaml"
    config.write_text(
        "admin:\n  address:\n    socket_address: { address: 127.0.0.1, port_value: 0 }\n"
    )
    process = await asyncio.create_subprocess_exec(
        str(ENVOY),
        "-c",
        str(config),
        "--base-id",
        "0",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        await asyncio.sleep(1.0)  # holds the base-id 0 domain socket once started
        yield
    finally:
        if process.returncode is None:
            with suppress(ProcessLookupError):
                process.terminate()
        await process.wait()


async def test_make_run_beside_another_envoy_and_a_moved_auth_service(tmp_path: Path) -> None:
    async with envoy_with_hot_restart(tmp_path), running_app(tmp_path) as app:
        # CHORUS_AUTH_LISTEN is on a free port and CHORUS_RESOURCE_JWKS is unset:
        # the resource service still knows the keys, so songs work at once.
        async with ChorusClient(app.gateway, app.gateway) as chorus:
            user = await chorus.sign_up(unique_email("first-run"), PASSWORD)
            song = await user.songs.create("Aberdeen", "Cage the Elephant", year=2011)
            assert song.name == "Aberdeen"
        assert await health_status(app.resource) == SERVING


async def test_resource_without_keys_is_not_serving_until_auth_is_up(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    [auth_port] = free_ports(1)
    resource = replace(
        suite.resource_settings,
        jwks_source=f"grpc://127.0.0.1:{auth_port}",
        server=ServerSettings(listen="127.0.0.1:0", shutdown_grace_seconds=1),
    )
    server, db = build_resource_server(resource)
    port = await server.start()
    target = f"127.0.0.1:{port}"
    try:
        await asyncio.sleep(1.5)  # the auth service is down: no keys, however long
        assert await health_status(target) == NOT_SERVING

        keys = tmp_path / "keys"
        generate_signing_key(keys)
        auth_db_url = suite.auth_settings.database_url
        if suite.backend == "sqlite":
            auth_db_url = auth_db_url.set(database=str(tmp_path / "auth.db"))
            await asyncio.to_thread(upgrade_to_head, "auth", auth_db_url)
        auth = auth_settings(
            keys,
            auth_db_url,
            server=ServerSettings(listen=f"127.0.0.1:{auth_port}", shutdown_grace_seconds=1),
        )
        auth_server, auth_db = build_auth_server(auth)
        await auth_server.start()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + KEYS_WITHIN
            while await health_status(target) != SERVING:
                assert loop.time() < deadline, "still no keys after the auth service came up"
                await asyncio.sleep(0.1)
            async with ChorusClient(f"127.0.0.1:{auth_port}", target) as chorus:
                user = await chorus.sign_up(unique_email("late-auth"), PASSWORD)
                assert (await user.songs.create("Late", "Auth")).name == "Late"
        finally:
            await auth_server.stop()
            await auth_db.close()
    finally:
        await server.stop()
        await db.close()
