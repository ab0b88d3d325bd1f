"""CHORUS_WORKERS: one service, several worker processes on one port.

The real command (`python -m chorus_resource serve`) runs as a supervisor of
worker processes bound to the same port (SO_REUSEPORT): connections are
spread over the workers, every worker serves authenticated calls, and the
workers stop with the supervisor however it ends.
"""

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import psutil
import pytest

from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from chorus_devtools.health import SERVING, health_status
from chorus_devtools.processes import Service
from chorus_devtools.suite import run_command
from tests.support import processes
from tests.support.accounts import PASSWORD, unique_email
from tests.support.processes import prepare_home, running_service

WORKERS = 2
CONNECTIONS = 24
"""Enough connections that all landing on one of two workers is a 1 in 8 million chance."""
GRACE_SECONDS = 3


def service_env(folder: Path, **overrides: str) -> dict[str, str]:
    return processes.service_env(folder, GRACE_SECONDS, **overrides)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workers")
    return prepare_home(folder, service_env(folder))


@pytest.fixture
async def auth(home: Path) -> AsyncIterator[Service]:
    async with running_service("chorus_auth", service_env(home), home) as service:
        yield service


def resource_env(home: Path, auth: Service, **overrides: str) -> dict[str, str]:
    return service_env(
        home,
        CHORUS_RESOURCE_JWKS=f"grpc://{auth.target}",
        CHORUS_WORKERS=str(WORKERS),
        **overrides,
    )


def workers_of(service: Service) -> list[psutil.Process]:
    return psutil.Process(service.process.pid).children()


def connections_by_worker(service: Service) -> dict[int, int]:
    """Established connections to the service's port each worker holds."""
    port = int(service.target.rpartition(":")[2])
    return {
        worker.pid: sum(
            1
            for connection in worker.net_connections(kind="tcp")
            if connection.status == psutil.CONN_ESTABLISHED and connection.laddr.port == port
        )
        for worker in workers_of(service)
    }


async def test_workers_share_one_port_and_each_serves_authenticated_calls(
    home: Path, auth: Service
) -> None:
    async with running_service("chorus_resource", resource_env(home, auth), home) as resource:
        assert len(workers_of(resource)) == WORKERS
        async with ChorusClient(auth.target, resource.target) as client:
            user = await client.sign_up(unique_email("workers"), PASSWORD)
            await user.songs.create("Aberdeen", "Cage the Elephant", year=2011)
            metadata = await user.tokens.metadata()
        # Separate subchannels, so separate TCP connections for the kernel to spread.
        channels = [
            grpc.aio.insecure_channel(
                resource.target, options=[("grpc.use_local_subchannel_pool", 1)]
            )
            for _ in range(CONNECTIONS)
        ]
        try:
            replies = await asyncio.gather(
                *(
                    song_grpc.SongServiceStub(channel).ListSongs(
                        song_pb.ListSongsRequest(), metadata=metadata, timeout=10
                    )
                    for channel in channels
                )
            )
            assert all([s.name for s in reply.songs] == ["Aberdeen"] for reply in replies)
            spread = connections_by_worker(resource)
        finally:
            for channel in channels:
                await channel.close()
        assert sum(spread.values()) == CONNECTIONS
        assert all(count > 0 for count in spread.values()), spread
        code = await resource.stop(signal.SIGTERM)
    assert code == 0
    log = resource.log()
    assert f"listening on port {resource.target.rpartition(':')[2]} ({WORKERS} workers)" in log
    assert log.count("shutting down") == WORKERS
    assert "Traceback" not in log


async def test_a_dead_worker_stops_the_service(home: Path, auth: Service) -> None:
    async with running_service("chorus_resource", resource_env(home, auth), home) as resource:
        first, second = workers_of(resource)
        os.kill(first.pid, signal.SIGKILL)
        code = await resource.exit_code()
        assert not second.is_running() or second.status() == psutil.STATUS_ZOMBIE
    assert code != 0
    assert "exited with -9: stopping the others" in resource.log()


async def test_workers_stop_when_their_supervisor_is_killed(home: Path, auth: Service) -> None:
    async with running_service("chorus_resource", resource_env(home, auth), home) as resource:
        workers = workers_of(resource)
        resource.send(signal.SIGKILL)
        await resource.exit_code()
        _, alive = await asyncio.to_thread(psutil.wait_procs, workers, timeout=GRACE_SECONDS + 10)
        assert alive == []
        assert resource.log().count("the supervisor is gone: stopping") == WORKERS


async def test_health_is_served_by_the_workers(home: Path, auth: Service) -> None:
    async with running_service("chorus_resource", resource_env(home, auth), home) as resource:
        assert await health_status(resource.target) == SERVING


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"CHORUS_WORKERS": "0"}, "CHORUS_WORKERS must be at least 1, got 0"),
        ({"CHORUS_WORKERS": "two"}, "CHORUS_WORKERS must be an integer, got 'two'"),
        (
            {"CHORUS_WORKERS": "2", "CHORUS_RESOURCE_DATABASE_URL": "mysql://db/chorus"},
            "CHORUS_RESOURCE_DATABASE_URL",
        ),
    ],
    ids=["zero", "not-a-number", "bad-setting-in-the-workers"],
)
def test_configuration_errors_exit_2_with_a_message(
    home: Path, overrides: dict[str, str], message: str
) -> None:
    result = run_command("chorus_resource", "serve", env=service_env(home, **overrides), cwd=home)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
