"""deploy/compose run for real with podman and podman-compose, for tests.

`running_stack` copies deploy/compose/ to a temporary folder (so the secrets
it makes never touch the checkout's), builds the images (the local bases of
deploy/podman/images.py, then chorus-auth/-resource/-web), brings the stack up
under a unique project name, waits until every container is healthy (podman
4.3 runs no health checks by itself: they are run here with `podman
healthcheck run`), and on leaving removes every container, volume and network
of the project, whatever happened.

Everything blocking runs in worker threads: the tests' event loop stays free.
"""

import asyncio
import fcntl
import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.compose.init_secrets import init_secrets
from deploy.podman import images
from tests.support.deploy_tools import ROOT
from tests.support.required import require

COMPOSE_DIR = ROOT / "deploy" / "compose"
PODMAN_COMPOSE = Path("/usr/bin/podman-compose")
COMMAND_TIMEOUT = 300.0
HEALTHY_TIMEOUT = 240.0
PUBLISHED_PORTS = (8080, 5173, 5050)
TAG = "local"
GATEWAY = "127.0.0.1:8080"
WEB_URL = "http://localhost:5173"
PGADMIN_URL = "http://127.0.0.1:5050"


def require_podman() -> None:
    """podman, podman-compose and debootstrap are installed (.ci/run installs them)."""
    for tool in ("podman", "debootstrap"):
        require(shutil.which(tool) is not None, f"{tool} is missing: .ci/run installs it")
    require(PODMAN_COMPOSE.exists(), "podman-compose is missing: .ci/run installs it")


def run(*args: str, check: bool = True, timeout: float = COMMAND_TIMEOUT) -> str:
    """`args` run to completion with podman's settings: stdout and stderr together."""
    result = subprocess.run(
        args,
        env=images.podman_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: exit {result.returncode}\n{output}")
    return output


def build_images() -> None:
    """The local bases and the app images (each only if its inputs changed)."""
    images.build_bases()
    images.build_app_images(TAG)


@dataclass
class Stack:
    """A compose project brought up by podman-compose: its containers by service."""

    project: str
    folder: Path
    files: Sequence[Path]

    @property
    def secrets(self) -> Path:
        return self.folder / "secrets"

    def env(self) -> dict[str, str]:
        return images.podman_env() | images.local_compose_env() | {"CHORUS_TAG": TAG}

    def compose(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> str:
        command = [str(PODMAN_COMPOSE), "-p", self.project]
        for file in self.files:
            command += ["-f", str(file)]
        result = subprocess.run(
            [*command, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.folder,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"podman-compose {' '.join(args)}: {output}"
        return output

    def containers(self, service: str | None = None) -> list[str]:
        """Names of the project's containers (of `service`: `<project>_<service>_<n>`)."""
        label = f"--filter=label=io.podman.compose.project={self.project}"
        names = run("podman", "ps", "--all", "--format={{.Names}}", label).split()
        if service is not None:
            pattern = re.compile(rf"{re.escape(self.project)}_{re.escape(service)}_\d+")
            names = [name for name in names if pattern.fullmatch(name)]
        return sorted(names)

    def container(self, service: str) -> str:
        names = self.containers(service)
        assert len(names) == 1, f"{service}: {names}"
        return names[0]

    def logs(self, container: str) -> str:
        return run("podman", "logs", container, check=False)

    def state(self, container: str) -> tuple[str, int, int]:
        """(status, exit code, restart count) of a container."""
        out = run(
            "podman",
            "inspect",
            "--format={{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}",
            container,
        ).split()
        return out[0], int(out[1]), int(out[2])

    def healthy(self, container: str) -> bool:
        return (
            subprocess.run(
                ["podman", "healthcheck", "run", container],
                env=images.podman_env(),
                capture_output=True,
                timeout=30,
                check=False,
            ).returncode
            == 0
        )

    async def wait_healthy(
        self, containers: Sequence[str], within: float = HEALTHY_TIMEOUT
    ) -> None:
        """Until every one of `containers` passes its health check, or fail with their logs."""
        deadline = time.monotonic() + within
        waiting = list(containers)
        while waiting:
            waiting = [c for c in waiting if not await asyncio.to_thread(self.healthy, c)]
            if not waiting:
                return
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {c}:\n{self.logs(c)[-3000:]}" for c in waiting)
                raise AssertionError(f"not healthy within {within:.0f} s: {waiting}\n{logs}")
            await asyncio.sleep(2)

    async def wait_exited(self, container: str, within: float = HEALTHY_TIMEOUT) -> int:
        """The exit code of a one-shot container once it has exited."""
        deadline = time.monotonic() + within
        while True:
            status, code, _ = await asyncio.to_thread(self.state, container)
            if status in ("exited", "stopped"):
                return code
            if time.monotonic() > deadline:
                raise AssertionError(f"{container} still {status}:\n{self.logs(container)}")
            await asyncio.sleep(1)

    def remove(self) -> None:
        """Every container, volume and network of the project: gone."""
        label = f"label=io.podman.compose.project={self.project}"
        names = run("podman", "ps", "--all", "--format={{.Names}}", f"--filter={label}").split()
        if names:
            run("podman", "rm", "--force", "--volumes", "--time=2", *names, check=False)
        volumes = run("podman", "volume", "ls", "--format={{.Name}}").split()
        mine = [v for v in volumes if v.startswith(f"{self.project}_")]
        if mine:
            run("podman", "volume", "rm", "--force", *mine, check=False)
        networks = run("podman", "network", "ls", "--format={{.Name}}").split()
        mine = [n for n in networks if n.startswith(f"{self.project}_")]
        if mine:
            run("podman", "network", "rm", "--force", *mine, check=False)


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def copy_compose(folder: Path) -> Path:
    """deploy/compose/ without its secrets, and new secrets: the compose file's path."""
    shutil.copytree(COMPOSE_DIR, folder, ignore=shutil.ignore_patterns("secrets", "*.py"))
    init_secrets(folder / "secrets")
    return folder / "compose.yaml"


LOCK_FILE = Path("/tmp/chorus-podman-tests.lock")  # noqa: S108 (one per machine, on purpose)


@asynccontextmanager
async def machine_lock() -> AsyncIterator[None]:
    """Held while a test builds images or runs containers: runs from other checkouts on
    this machine wait (they would publish the same ports, name the same pods and tag the
    same images)."""
    lock = await asyncio.to_thread(LOCK_FILE.open, "a")
    try:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        yield
    finally:
        lock.close()  # closing releases the lock


@asynccontextmanager
async def running_stack(folder: Path, *, extra_files: Sequence[Path] = ()) -> AsyncIterator[Stack]:
    """The compose stack up and healthy in `folder`; removed on leaving."""
    require_podman()
    async with machine_lock():
        busy = [port for port in PUBLISHED_PORTS if not port_free(port)]
        assert not busy, f"the compose stack publishes {busy} on 127.0.0.1, and they are taken"
        await asyncio.to_thread(build_images)
        compose_file = copy_compose(folder)
        stack = Stack(f"chorus-test-{uuid.uuid4().hex[:8]}", folder, [compose_file, *extra_files])
        async with _up(stack):
            yield stack


@asynccontextmanager
async def _up(stack: Stack) -> AsyncIterator[None]:
    try:
        # podman-compose starts everything at once (it ignores `condition:`): the
        # database first, so that the one-shot migrations find it.
        await asyncio.to_thread(stack.compose, "up", "-d", "--no-build", "postgres")
        await stack.wait_healthy(stack.containers("postgres"))
        output = await asyncio.to_thread(stack.compose, "up", "-d", "--no-build")
        # podman-compose 1.0 goes on when a `podman run` fails (it then tries
        # `podman start` once): whatever it left only created is started here.
        for name in stack.containers():
            if stack.state(name)[0] == "created":
                run("podman", "start", name, check=False)
                assert stack.state(name)[0] != "created", f"{name} does not start:\n{output}"
        for job in ("auth-migrate", "resource-migrate"):
            name = stack.container(job)
            assert await stack.wait_exited(name) == 0, stack.logs(name)
        long_running = [
            c
            for c in stack.containers()
            if c not in (stack.container("auth-migrate"), stack.container("resource-migrate"))
        ]
        await stack.wait_healthy(long_running)
        yield
    finally:
        await asyncio.to_thread(stack.remove)
