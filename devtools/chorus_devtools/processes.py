"""Starting the suite's processes and stopping them by PID.

Each process runs in its own session (a Ctrl-C or a signal meant for the
caller's process group never reaches it) and is stopped by its PID:
SIGTERM, then SIGKILL if it has not exited within the grace period.
"""

import asyncio
import os
import re
import signal
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

STOP_SECONDS = 15.0
LISTENING = re.compile(r"listening on port (\d+)")
"""What a service logs once it serves (`python -m chorus_auth serve`, ...)."""
ACCESS_LINE = re.compile(r" INFO chorus\.access (/\S+) ([A-Z_]+) [\d.]+ms$", re.MULTILINE)
"""One call in a service's text access log: its method path and status name."""


def access_lines(log: str) -> Counter[tuple[str, str]]:
    """(method path, status name) of every call a service's text access log shows."""
    return Counter(ACCESS_LINE.findall(log))


@dataclass(frozen=True)
class Service:
    """A started process: its name, the address it serves on, the file it logs to."""

    name: str
    process: asyncio.subprocess.Process
    target: str
    log_file: Path | None = None
    """None: it logs to this process's stdout and stderr."""

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self, since: int = 0) -> str:
        """What it logged from byte offset `since` on ("" without a log file)."""
        if self.log_file is None:
            return ""
        with self.log_file.open("rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def log_size(self) -> int:
        return 0 if self.log_file is None else self.log_file.stat().st_size

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def send(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    async def exit_code(self, within: float = STOP_SECONDS) -> int:
        """Wait (at most `within` seconds) for the process to exit."""
        return await asyncio.wait_for(self.process.wait(), within)

    async def stop(self, sig: signal.Signals = signal.SIGTERM, grace: float = STOP_SECONDS) -> int:
        """Send `sig`, SIGKILL after `grace`; the exit code."""
        return await stop(self.process, sig, grace=grace)


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without its CHORUS_ settings, plus `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    return {**inherited, **settings}


async def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    log_file: Path | None = None,
) -> asyncio.subprocess.Process:
    """Start `argv` in its own session; stdout and stderr appended to `log_file` if given."""
    if log_file is None:
        return await asyncio.create_subprocess_exec(
            *argv, env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, start_new_session=True
        )
    with log_file.open("ab") as log:
        return await asyncio.create_subprocess_exec(
            *argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


async def start_listening(
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    cwd: Path | None,
    log_file: Path,
    within: float,
) -> Service:
    """Start a server that logs "... listening on port N" (port 0 welcome); once it has."""
    process = await spawn(argv, env=env, cwd=cwd, log_file=log_file)
    try:
        port = await listening_port(process, log_file, within=within)
    except BaseException:
        await stop(process)
        raise
    return Service(name, process, f"127.0.0.1:{port}", log_file)


async def listening_port(
    process: asyncio.subprocess.Process, log_file: Path, *, within: float
) -> int:
    """The port a service logs that it listens on, once it has."""
    loop = asyncio.get_running_loop()
    deadline, log = loop.time() + within, ""
    while loop.time() < deadline:
        log = await asyncio.to_thread(log_file.read_text, encoding="utf-8", errors="replace")
        if found := LISTENING.search(log):
            return int(found.group(1))
        if process.returncode is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening:\n{log}")
        await asyncio.sleep(0.05)
    raise RuntimeError(f"not listening after {within}s:\n{log}")


async def stop(
    process: asyncio.subprocess.Process,
    sig: signal.Signals = signal.SIGTERM,
    *,
    grace: float = STOP_SECONDS,
) -> int:
    """Send `sig` by PID, then SIGKILL if it has not exited within `grace`; the exit code."""
    if process.returncode is None:
        with suppress(ProcessLookupError):
            os.kill(process.pid, sig)
    try:
        return await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        return await process.wait()
