"""Starting the suite's processes as deployed, and stopping them by PID.

Every process runs in its own session (a Ctrl-C reaches the harness only,
which then stops each one by its PID), logs to a file in the run folder, and
picks its own free port, which is read back from its log (services) or from
Envoy's admin interface. Spawning, stopping and Envoy's readiness are
`chorus_devtools`'; this module keeps the benchmark's view of a process.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from chorus_devtools import envoy, processes

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0
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


async def start_listening(
    name: str, argv: Sequence[str], env: Mapping[str, str], folder: Path
) -> Running:
    """Start a server that logs "... listening on port N"; returns once it has."""
    log_file = folder / f"{name}.log"
    process = await processes.spawn(argv, env=env, cwd=ROOT, log_file=log_file)
    try:
        port = await processes.listening_port(process, log_file, within=START_TIMEOUT)
    except BaseException:
        await processes.stop(process)
        raise
    return Running(name, process, log_file, f"127.0.0.1:{port}")


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
        await processes.stop(process)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{stderr.decode(errors='replace')}")
    if out is not None:
        await asyncio.to_thread(out.write_bytes, stdout)
    return stdout.decode(errors="replace")


async def stop(running: Running) -> None:
    await processes.stop(running.process)


async def start_envoy(config: Path, folder: Path) -> Running:
    """Envoy with `config` (listener and admin on port 0), once both upstreams are healthy."""
    log_file = folder / "envoy.log"
    started = await envoy.start(
        config, folder, "--log-level", "warn", stdout=log_file, stderr=log_file
    )
    return Running("envoy", started.process, log_file, started.target)
