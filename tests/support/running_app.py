"""The whole suite started exactly as `make run` starts it, on free ports.

`make run` reads every address from env values (see scripts/run_suite.py), so
the test runs the real command with its own ports, databases, keys and
gateway folder under a temporary directory, and stops it by process group.
CHORUS_RESOURCE_JWKS is left out, as a user would: it follows CHORUS_AUTH_LISTEN.
"""

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from chorus_devtools.polling import wait_until
from chorus_devtools.ports import free_ports, listening
from chorus_devtools.processes import clean_env

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Chorus is running"
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class App:
    web_url: str
    gateway: str
    auth: str
    resource: str
    log_file: Path

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def running_app(folder: Path, auth_rate_per_minute: int = 100) -> AsyncIterator[App]:
    auth, resource, gateway, admin, web, jwks = free_ports(6)
    env = clean_env(
        CHORUS_AUTH_LISTEN=f"127.0.0.1:{auth}",
        CHORUS_AUTH_JWKS_LISTEN=f"127.0.0.1:{jwks}",
        CHORUS_RESOURCE_LISTEN=f"127.0.0.1:{resource}",
        CHORUS_GATEWAY_LISTEN=f"127.0.0.1:{gateway}",
        CHORUS_GATEWAY_ADMIN=f"127.0.0.1:{admin}",
        CHORUS_GATEWAY_DIR=str(folder / "gateway"),
        CHORUS_GATEWAY_AUTH_RATE_PER_MINUTE=str(auth_rate_per_minute),
        # Browser tests make many calls that need no token from one address.
        CHORUS_GATEWAY_ANONYMOUS_RATE_PER_MINUTE="10000",
        CHORUS_WEB_PORT=str(web),
        CHORUS_AUTH_DATABASE_URL=f"sqlite:///{folder / 'auth.db'}",
        CHORUS_RESOURCE_DATABASE_URL=f"sqlite:///{folder / 'resource.db'}",
        CHORUS_AUTH_KEYS_DIR=str(folder / "keys"),
        CHORUS_AUTH_ARGON2_MEMORY_KIB="1024",
        CHORUS_AUTH_ARGON2_TIME_COST="1",
    )
    log_file = folder / "make-run.log"
    with log_file.open("w", encoding="utf-8") as log:
        process = await asyncio.create_subprocess_exec(
            "make",
            "--no-print-directory",
            "run",
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    app = App(
        web_url=f"http://127.0.0.1:{web}",
        gateway=f"127.0.0.1:{gateway}",
        auth=f"127.0.0.1:{auth}",
        resource=f"127.0.0.1:{resource}",
        log_file=log_file,
    )
    try:
        await _wait_for_ready(process, app)
        yield app
    finally:
        await _stop(process)
        # make exits at once; run_suite.py then stops its parts in order.
        await _wait_closed([auth, resource, gateway, admin, web, jwks])


async def _wait_for_ready(process: asyncio.subprocess.Process, app: App) -> None:
    async def ready() -> bool:
        if process.returncode is not None:
            raise RuntimeError(f"make run exited with {process.returncode}:\n{app.log()}")
        return READY_LINE in app.log()

    try:
        await wait_until(ready, within=START_TIMEOUT, what="make run to say it is running")
    except TimeoutError as error:
        raise RuntimeError(f"{error}:\n{app.log()}") from None


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the process group we started (make and run_suite.py)."""
    if process.returncode is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT)
    except TimeoutError:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


async def _wait_closed(ports: list[int]) -> None:
    async def closed() -> bool:
        return not any(listening(port) for port in ports)

    await wait_until(closed, within=STOP_TIMEOUT, what=f"nothing listening on {ports} any more")
