"""Starting the suite's processes as deployed, and stopping them by PID.

Every process runs in its own session (a Ctrl-C reaches the harness only,
which then stops each one by its PID), logs to a file in the run folder, and
picks its own free port, which is read back from its log (services) or from
Envoy's admin interface.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVOY = Path(sys.executable).parent / "envoy"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
LISTENING = re.compile(r"listening on port (\d+)")
ACCESS_LINE = re.compile(r" INFO chorus\.access (/\S+) ([A-Z_]+) [\d.]+ms$", re.MULTILINE)


@dataclass
class Running:
    """One started process: its name, address and log file."""

    name: str
    process: asyncio.subprocess.Process
    log_file: Path
    target: str = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_size(self) -> int:
        return self.log_file.stat().st_size

    def access_counts(self, since: int, method: str) -> dict[str, int]:
        """gRPC status names of the calls to `method` logged after byte offset `since`."""
        with self.log_file.open("rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        counts: dict[str, int] = {}
        for path, status in ACCESS_LINE.findall(text):
            if path == method:
                counts[status] = counts.get(status, 0) + 1
        return counts

    def tail(self, lines: int = 30) -> str:
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without CHORUS_ settings, plus `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    return {**inherited, **settings}


async def spawn(name: str, argv: Sequence[str], env: Mapping[str, str], folder: Path) -> Running:
    log_file = folder / f"{name}.log"
    with log_file.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            *argv,
            env=dict(env),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    return Running(name, process, log_file)


async def start_listening(
    name: str, argv: Sequence[str], env: Mapping[str, str], folder: Path
) -> Running:
    """Start a server that logs "... listening on port N"; returns once it has."""
    running = await spawn(name, argv, env, folder)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    try:
        while loop.time() < deadline:
            found = LISTENING.search(running.log_file.read_text(errors="replace"))
            if found:
                running.target = f"127.0.0.1:{found.group(1)}"
                return running
            if running.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
    except BaseException:
        await stop(running)
        raise
    await stop(running)
    raise RuntimeError(f"{name} did not start:\n{running.tail()}")


async def run_command(argv: Sequence[str], env: Mapping[str, str], out: Path | None = None) -> str:
    """Run a command to completion (at most START_TIMEOUT); its stdout."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=dict(env),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    finally:
        await stop_process(process)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{stderr.decode(errors='replace')}")
    if out is not None:
        await asyncio.to_thread(out.write_bytes, stdout)
    return stdout.decode(errors="replace")


async def stop_process(process: asyncio.subprocess.Process, grace: float = STOP_TIMEOUT) -> None:
    """SIGTERM by PID, then SIGKILL if it has not exited within `grace` seconds."""
    if process.returncode is not None:
        return
    with suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        await process.wait()


async def stop(running: Running) -> None:
    await stop_process(running.process)


def http_get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 (loopback admin)
            return str(reply.read().decode())
    except (urllib.error.URLError, OSError):
        return ""


async def start_envoy(config: Path, folder: Path) -> Running:
    """Envoy with `config` (listener and admin on port 0), once both upstreams are healthy."""
    admin_file = folder / "envoy-admin-address"
    running = await spawn(
        "envoy",
        [
            str(ENVOY),
            "-c",
            str(config),
            "--admin-address-path",
            str(admin_file),
            "--disable-hot-restart",  # never clashes with a `make run` Envoy
            "--log-level",
            "warn",
        ],
        os.environ,
        folder,
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    try:
        while loop.time() < deadline and running.process.returncode is None:
            admin = admin_file.read_text().strip() if admin_file.exists() else ""
            if admin:
                ready = await asyncio.to_thread(http_get, f"http://{admin}/ready")
                clusters = await asyncio.to_thread(http_get, f"http://{admin}/clusters")
                if "LIVE" in ready and clusters.count("::health_flags::healthy") >= 2:
                    listeners = await asyncio.to_thread(
                        http_get, f"http://{admin}/listeners?format=json"
                    )
                    address = json.loads(listeners)["listener_statuses"][0]["local_address"]
                    running.target = f"127.0.0.1:{address['socket_address']['port_value']}"
                    return running
            await asyncio.sleep(0.2)
    except BaseException:
        await stop(running)
        raise
    await stop(running)
    raise RuntimeError(f"Envoy did not become ready:\n{running.tail()}")
