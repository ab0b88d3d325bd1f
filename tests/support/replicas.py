"""Several resource-service replicas behind the real Envoy, as in a deployment.

`running_replicas` starts `python -m chorus_resource serve` N times as real
subprocesses, each on its own free port, all on the same database;
`tests.support.gateway.render_for_suite(..., resource_targets=...)` then
writes an Envoy config whose resource cluster lists every replica.
Everything listens on 127.0.0.1 and is stopped by PID on leaving.
"""

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from chorus_devtools.processes import Service, access_lines, clean_env
from tests.support.gateway import Gateway, render_for_suite, running_envoy
from tests.support.in_process import InProcessSuite, running_in_process
from tests.support.processes import running_service

SHUTDOWN_GRACE_SECONDS = 5


def served_calls(replica: Service) -> Counter[tuple[str, str]]:
    """(method path, status) of every call the replica's access log shows so far."""
    return access_lines(replica.log())


def resource_env(suite: InProcessSuite) -> dict[str, str]:
    """Settings of a resource replica: the suite's database and auth service, a free port."""
    url = suite.resource_settings.database_url.render_as_string(hide_password=False)
    return clean_env(
        CHORUS_RESOURCE_LISTEN="127.0.0.1:0",
        CHORUS_RESOURCE_DATABASE_URL=url,
        CHORUS_RESOURCE_JWKS=f"grpc://{suite.auth_target}",
        CHORUS_SHUTDOWN_GRACE_SECONDS=str(SHUTDOWN_GRACE_SECONDS),
    )


@asynccontextmanager
async def running_replicas(
    suite: InProcessSuite, folder: Path, count: int
) -> AsyncIterator[list[Service]]:
    """`count` resource services, each SERVING on its own port, on the suite's database."""
    async with AsyncExitStack() as stack:
        replicas = [
            await stack.enter_async_context(
                running_service("chorus_resource", resource_env(suite), folder)
            )
            for _ in range(count)
        ]
        yield replicas


@dataclass(frozen=True)
class ReplicaStack:
    suite: InProcessSuite
    replicas: list[Service]
    gateway: Gateway


@asynccontextmanager
async def replicas_behind_envoy(folder: Path, count: int = 2) -> AsyncIterator[ReplicaStack]:
    """Auth (in-process), `count` resource replicas (subprocesses) and Envoy, on PostgreSQL."""
    async with (
        running_in_process("postgresql", folder) as suite,
        running_replicas(suite, folder, count) as replicas,
    ):
        config = render_for_suite(
            suite, folder / "gateway", resource_targets=[r.target for r in replicas]
        )
        async with running_envoy(config, folder / "gateway") as gateway:
            yield ReplicaStack(suite, replicas, gateway)
