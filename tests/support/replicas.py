"""Several resource-service replicas behind the real Envoy, as in a deployment.

`running_replicas` starts `python -m chorus_resource serve` N times as real
subprocesses, each on its own free port, all on the same database;
`render_for_replicas` writes an Envoy config whose resource cluster lists every
replica (the shape Kubernetes gives Envoy through a headless Service's DNS),
for `tests.support.gateway.running_envoy`.
Everything listens on 127.0.0.1 and is stopped by PID on leaving.
"""

import re
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from scripts.render_envoy_config import render
from tests.support.gateway import write_jwks
from tests.support.processes import ServiceProcess, command_env, running_service
from tests.support.suite import Suite

SHUTDOWN_GRACE_SECONDS = 5
_ACCESS_LINE = re.compile(r" INFO chorus\.access (/\S+) ([A-Z_]+) [\d.]+ms$", re.MULTILINE)


def served_calls(replica: ServiceProcess) -> Counter[tuple[str, str]]:
    """(method path, status) of every call the replica's access log shows so far."""
    return Counter(_ACCESS_LINE.findall(replica.log()))


def resource_env(suite: Suite) -> dict[str, str]:
    """Settings of a resource replica: the suite's database and auth service, a free port."""
    url = suite.resource_settings.database_url.render_as_string(hide_password=False)
    return command_env(
        CHORUS_RESOURCE_LISTEN="127.0.0.1:0",
        CHORUS_RESOURCE_DATABASE_URL=url,
        CHORUS_RESOURCE_JWKS=f"grpc://{suite.auth_target}",
        CHORUS_SHUTDOWN_GRACE_SECONDS=str(SHUTDOWN_GRACE_SECONDS),
    )


@asynccontextmanager
async def running_replicas(
    suite: Suite, folder: Path, count: int
) -> AsyncIterator[list[ServiceProcess]]:
    """`count` resource services, each SERVING on its own port, on the suite's database."""
    async with AsyncExitStack() as stack:
        replicas = [
            await stack.enter_async_context(
                running_service("chorus_resource", resource_env(suite), folder)
            )
            for _ in range(count)
        ]
        yield replicas


def render_for_replicas(suite: Suite, resource_targets: Sequence[str], folder: Path) -> Path:
    """An Envoy config for the suite's auth service and these resource replicas."""
    folder.mkdir(parents=True, exist_ok=True)
    jwks = write_jwks(suite.auth_settings.keys_dir, folder / "jwks.json")
    config = folder / "envoy.yaml"
    config.write_text(
        render(
            jwks=jwks,
            listen="127.0.0.1:0",
            admin="127.0.0.1:0",
            auth=suite.auth_target,
            resource=resource_targets,
            auth_rate_per_minute=1000,
            issuer=suite.auth_settings.audience.issuer,
            audience=suite.auth_settings.audience.audience,
        )
    )
    return config
