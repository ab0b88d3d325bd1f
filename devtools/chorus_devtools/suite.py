"""The suite as deployed: the real commands, one process each, started in order, stopped by PID.

`make run` (scripts/run_suite.py), the benchmark (bench/) and the tests that
run the real commands (tests/support/processes.py) all start it here:
`prepare` makes a signing key and migrates both databases, `running_suite`
starts the auth service, then the resource service (its keys from that auth
service unless the settings name a source), then Envoy in front once a config
for their addresses is written, and stops them in the reverse order.

Settings are env values only, as in a deployment. A listen address with port
0 is welcome when the service logs to a file: the port it picked is read from
its log. A service is ready once it answers SERVING (grpc.health.v1).
"""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from chorus_devtools import envoy, processes
from chorus_devtools.health import serving
from chorus_devtools.polling import wait_until
from chorus_devtools.processes import Service

START_SECONDS = 60.0
COMMAND_SECONDS = 60.0
LISTEN_SETTING = {"chorus_auth": "CHORUS_AUTH_LISTEN", "chorus_resource": "CHORUS_RESOURCE_LISTEN"}


def run_command(
    package: str, *args: str, env: Mapping[str, str], cwd: Path, timeout: float = COMMAND_SECONDS
) -> subprocess.CompletedProcess[str]:
    """`python -m <package> <args>` run to completion (killed after `timeout`)."""
    return subprocess.run(  # noqa: S603 (this interpreter, our own modules)
        [sys.executable, "-m", package, *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def prepare(env: Mapping[str, str], cwd: Path) -> None:
    """A signing key if there is none, and both databases migrated, by the real commands."""
    for package, *args in (
        ("chorus_auth", "keys", "generate", "--if-missing"),
        ("chorus_auth", "migrate"),
        ("chorus_resource", "migrate"),
    ):
        result = run_command(package, *args, env=env, cwd=cwd)
        if result.returncode != 0:
            raise RuntimeError(f"{package} {' '.join(args)} failed:\n{result.stderr}")


async def start_service(
    package: str,
    env: Mapping[str, str],
    *,
    cwd: Path | None,
    log_file: Path | None = None,
    within: float = START_SECONDS,
) -> Service:
    """`python -m <package> serve`, once it answers SERVING; stopped by PID if it never does."""
    listen = env.get(LISTEN_SETTING[package], "")
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"{LISTEN_SETTING[package]} must be host:port, not {listen!r}")
    argv = [sys.executable, "-m", package, "serve"]
    name = package.removeprefix("chorus_")
    if log_file is not None:
        service = await processes.start_listening(
            name, argv, env, cwd=cwd, log_file=log_file, within=within
        )
    elif port == "0":
        raise ValueError(f"{package} on port 0 needs a log file to tell its port")
    else:
        process = await processes.spawn(argv, env=env, cwd=cwd)
        loopback = host in ("", "0.0.0.0", "[::]")  # noqa: S104 (reading, not binding)
        service = Service(name, process, f"{'127.0.0.1' if loopback else host}:{port}")

    async def ready() -> bool:
        if service.process.returncode is not None:
            raise RuntimeError(f"{package} exited with {service.process.returncode}")
        return await serving(service.target)

    try:
        await wait_until(ready, within=within, what=f"{package} to report SERVING")
    except BaseException:
        await service.stop()
        raise
    return service


@dataclass(frozen=True)
class Suite:
    """The running suite: both services and, if asked for, Envoy in front."""

    auth: Service
    resource: Service
    gateway: Service | None

    @property
    def services(self) -> list[Service]:
        """Every process of the suite, in the order they started."""
        return [self.auth, self.resource, *([self.gateway] if self.gateway else [])]


GatewayConfig = Callable[[Service, Service], Path]
"""Writes an Envoy config for the auth and resource services given; its path."""


@asynccontextmanager
async def running_suite(
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    logs: Path | None = None,
    auth_workers: int | None = None,
    resource_workers: int | None = None,
    gateway: GatewayConfig | None = None,
    envoy_options: Sequence[str] = ("--log-level", "warn"),
) -> AsyncIterator[Suite]:
    """The suite with settings `env`, each part serving; every part stopped on leaving.

    `logs`: a folder for `auth.log`, `resource.log` and Envoy's `envoy.log`
    (else they log to this process's output). `*_workers`: CHORUS_WORKERS of
    each service (else as `env` says). `gateway`: Envoy in front, with the
    config it writes, once every upstream passes its health check.
    """

    def log_file(name: str) -> Path | None:
        return None if logs is None else logs / f"{name}.log"

    def with_workers(settings: Mapping[str, str], workers: int | None) -> dict[str, str]:
        return {**settings, **({} if workers is None else {"CHORUS_WORKERS": str(workers)})}

    started: list[Service] = []
    try:
        auth_env = with_workers(env, auth_workers)
        auth = await start_service("chorus_auth", auth_env, cwd=cwd, log_file=log_file("auth"))
        started.append(auth)
        resource_env = with_workers(env, resource_workers)
        if auth_env["CHORUS_AUTH_LISTEN"].endswith(":0"):
            # The default source follows CHORUS_AUTH_LISTEN, which names no port here.
            resource_env.setdefault("CHORUS_RESOURCE_JWKS", f"grpc://{auth.target}")
        resource = await start_service(
            "chorus_resource", resource_env, cwd=cwd, log_file=log_file("resource")
        )
        started.append(resource)
        front = None
        if gateway is not None:
            config = gateway(auth, resource)
            envoy_log = log_file("envoy")
            started_envoy = await envoy.start(
                config, config.parent, *envoy_options, stdout=envoy_log, stderr=envoy_log
            )
            front = Service("gateway", started_envoy.process, started_envoy.target, envoy_log)
            started.append(front)
        yield Suite(auth, resource, front)
    finally:
        for service in reversed(started):
            await service.stop()


async def first_exit(services: Sequence[Service]) -> Service:
    """The first of `services` to exit (waits as long as it takes)."""
    waiters = {asyncio.ensure_future(s.process.wait()): s for s in services}
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    return waiters[next(iter(done))]
