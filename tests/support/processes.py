"""The real commands (`python -m chorus_auth ...`) run as subprocesses:
configured by env values only, logging to a file, always stopped by PID."""

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.health import SERVING, health_status

START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
COMMAND_TIMEOUT = 30.0
_LISTENING = re.compile(r"service listening on port (\d+)")
_ACCESS_LINE = re.compile(r" INFO chorus\.access (/\S+) ([A-Z_]+) [\d.]+ms$", re.MULTILINE)


def access_lines(log: str) -> Counter[tuple[str, str]]:
    """(method path, status) of every call a service's text access log shows."""
    return Counter(_ACCESS_LINE.findall(log))


def command_env(**settings: str) -> dict[str, str]:
    """This process's environment without its CHORUS_ settings, plus `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    return {**inherited, **settings}


def service_env(folder: Path, grace_seconds: int, **overrides: str) -> dict[str, str]:
    """Settings of both services: files in `folder`, port 0, cheap hashing."""
    settings = {
        "CHORUS_AUTH_LISTEN": "127.0.0.1:0",
        "CHORUS_AUTH_DATABASE_URL": f"sqlite:///{folder / 'auth.db'}",
        "CHORUS_AUTH_KEYS_DIR": str(folder / "keys"),
        "CHORUS_AUTH_ARGON2_MEMORY_KIB": "1024",
        "CHORUS_AUTH_ARGON2_TIME_COST": "1",
        "CHORUS_RESOURCE_LISTEN": "127.0.0.1:0",
        "CHORUS_RESOURCE_DATABASE_URL": f"sqlite:///{folder / 'resource.db'}",
        "CHORUS_SHUTDOWN_GRACE_SECONDS": str(grace_seconds),
    }
    return command_env(**{**settings, **overrides})


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
        self.send(sig)
        return await self.exit_code()


@asynccontextmanager
async def running_service(
    package: str, env: Mapping[str, str], folder: Path
) -> AsyncIterator[ServiceProcess]:
    """`python -m <package> serve`, run in `folder`, once it reports SERVING.

    Give it port 0 in its listen setting: the port it picks is read from its
    log. On leaving, a process still running gets SIGTERM, then SIGKILL.
    """
    log_file = folder / f"{package}-{uuid.uuid4().hex[:8]}.log"
    with log_file.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            package,
            "serve",
            env=dict(env),
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        port = await _listening_port(process, log_file)
        service = ServiceProcess(process, log_file, f"127.0.0.1:{port}")
        if await health_status(service.target) != SERVING:
            raise AssertionError(f"{package} listens but is not SERVING:\n{service.log()}")
        yield service
    finally:
        await _ensure_stopped(process)


async def _listening_port(process: asyncio.subprocess.Process, log_file: Path) -> int:
    loop = asyncio.get_running_loop()
    deadline, log = loop.time() + START_TIMEOUT, ""
    while loop.time() < deadline:
        log = await asyncio.to_thread(log_file.read_text, encoding="utf-8")
        if found := _LISTENING.search(log):
            return int(found.group(1))
        if process.returncode is not None:
            raise AssertionError(f"exited with {process.returncode} before listening:\n{log}")
        await asyncio.sleep(0.05)
    raise AssertionError(f"not listening after {START_TIMEOUT}s:\n{log}")


async def _ensure_stopped(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with suppress(ProcessLookupError):
            process.kill()
        await process.wait()
