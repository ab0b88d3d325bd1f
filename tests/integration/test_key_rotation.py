"""A new signing key is accepted everywhere without restarting Envoy (issue 14,
failure 8), through the real Envoy.

The gateway reads the keys from the auth service's HTTP JWKS endpoint
(`remote_jwks`) again every few seconds; the resource service fetches them at
once when a token of its issuer names an unknown `kid` (at most once a second).
"""

import asyncio
from dataclasses import replace
from pathlib import Path

import grpc
import jwt
import pytest

from chorus_auth.app import build_auth_server
from chorus_auth.settings import AuthSettings
from chorus_auth.signing_keys import generate_signing_key
from chorus_client import ChorusClient, ResourceClient
from chorus_core.server import GrpcServer, ServerSettings
from chorus_devtools.ports import free_ports
from chorus_resource.app import build_resource_server
from scripts.render_envoy_config import JWKS_CACHE_SECONDS
from tests.support.accounts import PASSWORD, unique_email
from tests.support.gateway import render_for_suite, running_envoy
from tests.support.in_process import InProcessSuite

pytestmark = pytest.mark.parametrize("suite", ["sqlite"], indirect=True)


async def eventually_names(songs: ResourceClient, within: float) -> list[str]:
    """The names of the songs, once the call is accepted (failing after `within` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            return [song.name async for song in songs.all()]
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAUTHENTICATED or loop.time() > deadline:
                raise
        await asyncio.sleep(0.2)


def kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def gateway_process_alive(pid: int) -> bool:
    """The Envoy started before the rotation still runs: it was never restarted."""
    return Path(f"/proc/{pid}").exists()


async def started_auth(settings: AuthSettings) -> GrpcServer:
    server, _ = build_auth_server(settings)
    await server.start()
    return server


async def test_a_new_key_is_accepted_at_the_edge_and_by_the_resource_service(
    suite: InProcessSuite, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    generate_signing_key(keys)
    auth_port, jwks_port = free_ports(2)
    auth_settings = replace(
        suite.auth_settings,
        keys_dir=keys,
        server=ServerSettings(listen=f"127.0.0.1:{auth_port}", shutdown_grace_seconds=1),
        jwks_listen=f"127.0.0.1:{jwks_port}",
    )
    auth = await started_auth(auth_settings)
    resource, resource_db = build_resource_server(
        replace(
            suite.resource_settings,
            jwks_source=f"grpc://127.0.0.1:{auth_port}",
            server=ServerSettings(listen="127.0.0.1:0", shutdown_grace_seconds=1),
        )
    )
    resource_port = await resource.start()
    view = replace(
        suite,
        auth_target=f"127.0.0.1:{auth_port}",
        resource_target=f"127.0.0.1:{resource_port}",
        auth_jwks=auth_settings.jwks_listen,
    )
    config = render_for_suite(view, tmp_path / "gateway")
    try:
        async with (
            running_envoy(config, tmp_path / "gateway") as gateway,
            ChorusClient(gateway.target, gateway.target) as edge,
            ChorusClient(view.auth_target, view.resource_target) as direct,
        ):
            email = unique_email("rotation")
            before = await edge.sign_up(email, PASSWORD)
            await before.songs.create("Before", "Rotation")
            old_kid = kid(before.tokens.access_token)

            # Rotate: a new key in the folder, and the auth service restarted on its ports.
            generate_signing_key(keys)
            await auth.stop()
            auth = await started_auth(auth_settings)

            after = await direct.login(email, PASSWORD)
            new_token = after.tokens.access_token
            assert kid(new_token) != old_kid
            # The resource service: at once on an unknown kid, but at most once a
            # second (it fetched the keys when it started, moments ago).
            assert await eventually_names(after.songs, within=2.0) == ["Before"]

            # The gateway: within its JWKS refresh, and Envoy never restarts.
            via_edge = await edge.login(email, PASSWORD)
            assert kid(via_edge.tokens.access_token) == kid(new_token)
            within = JWKS_CACHE_SECONDS + 5.0
            assert await eventually_names(via_edge.songs, within) == ["Before"]
            assert gateway_process_alive(gateway.pid)
    finally:
        await auth.stop()
        await resource.stop()
        await resource_db.close()
