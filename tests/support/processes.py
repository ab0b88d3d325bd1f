"""The real commands (`python -m chorus_auth ...`) run as subprocesses:
configured by env values only, logging to a file, always stopped by PID."""

import asyncio
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from chorus_devtools.health import serving
from chorus_devtools.polling import wait_until
from chorus_devtools.processes import clean_env, listening_port, spawn, stop

START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
COMMAND_TIMEOUT = 30.0
_ACCESS_LINE = re.compile(r" INFO chorus\.access (/\S+) ([A-Z_]+) [\d.]+ms$", re.MULTILINE)


def access_lines(log: str) -> Counter[tuple[str, str]]:
    """(method path, status) of every call a service's text access log shows."""
    return Counter(_ACCESS_LINE.findall(log))


def service_env(folder: Path, grace_seconds: int, **overrides: str) -> dict[str, str]:
    """Settings of both services: files in `folder`, port 0, cheap hashing."""
    settings = {
        "CHORUS_AUTH_LISTEN": "127.0.0.1:0",
        "CHORUS_AUTH_DATABASE_URL": f"sqlite:///{folder / 'auth.db'}",
        "CHORUS_AUTH_KEYS_DIR": str(folder / "keys"),
        "CHORUS_AUTH_ARGON2_MEMORY_KIB": "1024",
        "CHORUS_AUTH_ARGON2_TIME_COST": "1",
        "CHORUS_AUTH_JWKS_LISTEN": "off",  # Envoy-less tests need no HTTP JWKS
        "CHORUS_RESOURCE_LISTEN": "127.0.0.1:0",
        "CHORUS_RESOURCE_DATABASE_URL": f"sqlite:///{folder / 'resource.db'}",
        "CHORUS_SHUTDOWN_GRACE_SECONDS": str(grace_seconds),
    }
    return clean_env(**{**settings, **overrides})


def prepare_home(folder: Path, env: Mapping[str, str]) -> Path:
    """A signing key and both databases migrated in `folder`, by the real commands."""
    for package, *args in (
        ("chorus_auth", "keys", "generate", "--if-missing"),
        ("chorus_auth", "migrate"),
        ("chorus_resource", "migrate"),
    ):
        result = run_command(package, *args, env=env, cwd=folder)
        if result.returncode != 0:
            raise AssertionError(f"{package} {' '.join(args)} failed:\n{result.stderr}")
    return folder


def run_command(
    package: str,
    *args: str,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = COMMAND_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """`python -m <package> <args>` run to completion (killed after `timeout`)."""
    return subprocess.run(
        [sys.executable, "-m", package, *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class ServiceProcess:
    """A service started with `serve`, listening on `target`."""

    process: asyncio.subprocess.Process
    log_file: Path
    target: str

    def log(self) -> str:
        """Everything the service logged so far (stdout and stderr)."""
        return self.log_file.read_text(encoding="utf-8")

    def send(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    async def exit_code(self) -> int:
        """Wait (at most STOP_TIMEOUT) for the process to exit."""
        return await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send `sig` and wait for the exit code."""
        return await stop(self.process, sig, grace=STOP_TIMEOUT)


@asynccontextmanager
async def running_service(
    package: str, env: Mapping[str, str], folder: Path
) -> AsyncIterator[ServiceProcess]:
    """`python -m <package> serve`, run in `folder`, once it reports SERVING.

    Give it port 0 in its listen setting: the port it picks is read from its
    log. On leaving, a process still running gets SIGTERM, then SIGKILL.
    """
    log_file = folder / f"{package}-{uuid.uuid4().hex[:8]}.log"
    process = await spawn(
        [sys.executable, "-m", package, "serve"], env=env, cwd=folder, log_file=log_file
    )
    try:
        port = await listening_port(process, log_file, within=START_TIMEOUT)
        service = ServiceProcess(process, log_file, f"127.0.0.1:{port}")
        # Listening comes first; SERVING once ready (the resource service: keys known).
        await wait_until(
            lambda: serving(service.target),
            within=START_TIMEOUT,
            what=f"{package} to report SERVING:\n{service.log()}",
        )
        yield service
    finally:
        await stop(process, grace=STOP_TIMEOUT)
