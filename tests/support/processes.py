"""The real commands (`python -m chorus_auth ...`) run as subprocesses:
configured by env values only, logging to a file, always stopped by PID.

Starting, stopping and reading the logs are `chorus_devtools`' (the same code
`make run` and the benchmark use); this module holds the tests' settings.
"""

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from chorus_devtools.processes import Service, clean_env
from chorus_devtools.suite import prepare, start_service

START_TIMEOUT = 20.0


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
    prepare(env, folder)
    return folder


@asynccontextmanager
async def running_service(
    package: str, env: Mapping[str, str], folder: Path
) -> AsyncIterator[Service]:
    """`python -m <package> serve`, run in `folder`, once it reports SERVING.

    Give it port 0 in its listen setting: the port it picks is read from its
    log. On leaving, a process still running gets SIGTERM, then SIGKILL.
    """
    log_file = folder / f"{package}-{uuid.uuid4().hex[:8]}.log"
    service = await start_service(package, env, cwd=folder, log_file=log_file, within=START_TIMEOUT)
    try:
        yield service
    finally:
        await service.stop()
