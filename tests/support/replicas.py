"""Several resource-service replicas behind the real Envoy, as in a deployment.

`running_replicas` starts `python -m chorus_resource serve` N times as real
subprocesses, each on its own free port, all on the same database;
`running_envoy` starts Envoy with a config whose resource cluster lists every
replica (the shape Kubernetes gives Envoy through a headless Service's DNS).
Everything listens on 127.0.0.1 and is stopped by PID on leaving.
"""

import asyncio
import re
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from scripts.render_envoy_config import render
from tests.support.gateway import (
    ENVOY,
    Gateway,
    _ensure_stopped,
    _wait_until_ready,
    write_jwks,
)
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


@asynccontextmanager
async def running_envoy(config: Path, folder: Path) -> AsyncIterator[Gateway]:
    """Envoy with `config`, once LIVE and every host of both clusters is healthy."""
    admin_address_file = folder / "admin-address"
    access_log_file = folder / "access.log"
    envoy_log_file = folder / "envoy.log"
    with access_log_file.open("wb") as stdout, envoy_log_file.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            str(ENVOY),
            "-c",
            str(config),
            "--admin-address-path",
            str(admin_address_file),
            "--disable-hot-restart",
            "--concurrency",
            "2",
            "--log-level",
            "info",
            "--file-flush-interval-msec",
            "200",
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        admin, target = await _wait_until_ready(process, admin_address_file, envoy_log_file)
        yield Gateway(
            target=target,
            admin=admin,
            pid=process.pid,
            config_file=config,
            access_log_file=access_log_file,
            envoy_log_file=envoy_log_file,
            folder=folder,
        )
    finally:
        await _ensure_stopped(process)
