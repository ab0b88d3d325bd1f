"""`chorus_devtools.suite`: the suite as deployed, the one `make run` and the benchmark start.

On ports the system picks: both services and Envoy serve, a call through the
gateway reaches them, and leaving the block stops every process. A part that
cannot start fails with its reason and leaves nothing running.
"""

from pathlib import Path

import psutil
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus_client import ChorusClient
from chorus_devtools import grpc_web
from chorus_devtools.ports import free_ports
from chorus_devtools.processes import Service, access_lines
from chorus_devtools.suite import prepare, running_suite
from scripts.render_envoy_config import render
from tests.support.accounts import PASSWORD, unique_email
from tests.support.gateway import http_request
from tests.support.processes import service_env

GET_JWKS = "/chorus.auth.v1.AuthService/GetJwks"
CREATE_SONG = "/chorus.resource.v1.SongService/CreateSong"
GRACE_SECONDS = 2


@pytest.fixture
def home(tmp_path: Path) -> Path:
    prepare(service_env(tmp_path, GRACE_SECONDS), tmp_path)
    return tmp_path


def services_running() -> list[str]:
    """Command lines of this process's children that serve a Chorus service."""
    children = psutil.Process().children(recursive=True)
    return [" ".join(c.cmdline()) for c in children if "serve" in c.cmdline()]


async def test_the_suite_serves_through_its_gateway_and_stops_whole(home: Path) -> None:
    [jwks_port] = free_ports(1)
    jwks = f"127.0.0.1:{jwks_port}"
    env = service_env(home, GRACE_SECONDS, CHORUS_AUTH_JWKS_LISTEN=jwks)

    def gateway_config(auth: Service, resource: Service) -> Path:
        config = home / "envoy.yaml"
        config.write_text(
            render(
                jwks_endpoint=jwks,
                listen="127.0.0.1:0",
                admin="127.0.0.1:0",
                auth=auth.target,
                resource=resource.target,
            )
        )
        return config

    async with running_suite(env, cwd=home, logs=home, gateway=gateway_config) as suite:
        assert suite.gateway is not None
        assert len(services_running()) >= 2
        async with ChorusClient(suite.auth.target, suite.resource.target) as client:
            user = await client.sign_up(unique_email("deployed"), PASSWORD)
            await user.songs.create("Aberdeen", "Cage the Elephant")
        reply = await http_request(
            suite.gateway.target,
            "POST",
            GET_JWKS,
            grpc_web.REQUEST_HEADERS,
            grpc_web.frame(auth_pb.GetJwksRequest().SerializeToString()),
        )
    body = grpc_web.decode(reply.body)
    assert grpc_web.grpc_status(body, reply.headers) == 0
    [message] = body.messages
    assert auth_pb.GetJwksResponse.FromString(message).keys
    assert all(service.process.returncode is not None for service in suite.services)
    assert services_running() == []
    # The resource service fetched the keys, and so did the call through Envoy.
    assert access_lines(suite.auth.log())[(GET_JWKS, "OK")] >= 2
    assert access_lines(suite.resource.log())[(CREATE_SONG, "OK")] == 1


async def test_a_part_that_cannot_start_fails_with_its_reason(home: Path) -> None:
    env = service_env(home, GRACE_SECONDS, CHORUS_RESOURCE_DATABASE_URL="mysql://nowhere/db")
    with pytest.raises(RuntimeError, match="exited with") as failed:
        async with running_suite(env, cwd=home, logs=home):
            pytest.fail("the suite started with a database URL it cannot use")
    assert "CHORUS_RESOURCE_DATABASE_URL" in str(failed.value)
    assert services_running() == [], "the auth service started first is stopped too"
