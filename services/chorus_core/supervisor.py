"""Several worker processes serving one port (`CHORUS_WORKERS=N`, N > 1).

The supervisor starts N worker processes of the same command, each a
complete service with its own event loop, database pool and caches, all
serving the same port: grpcio binds with SO_REUSEPORT on Linux, and the
kernel spreads connections over the workers, so a service can use every
core. Workers are new processes (spawned, never forked from a process that
has started gRPC). The first worker binds the configured address (port 0
picks a free one), the others bind the port it got. The supervisor logs
"... listening on port N" once all serve, passes SIGTERM/SIGINT on to them
(each shuts down gracefully), stops the rest if one dies, and exits with the
first failure's code. A worker whose supervisor disappears stops too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable

from chorus_core.database import Database, check_reachable
from chorus_core.heap import freeze_startup_heap
from chorus_core.server import GrpcServer
from chorus_core.settings import database_wait_seconds

_log = logging.getLogger("chorus")

WORKER_START_SECONDS = 60.0
"""How long a worker may take to start serving before the supervisor gives up."""


async def serve_as_worker(
    build: Callable[[], tuple[GrpcServer, Database]],
    name: str,
    *,
    number: int,
    listen: str | None,
    ready_fd: int,
    lifeline_fd: int,
) -> None:
    """One worker of a supervisor: serve, report the address, stop with the supervisor.

    `lifeline_fd` is the read end of a pipe whose write end only the
    supervisor holds: it reads end-of-file when the supervisor is gone,
    however it went, and the worker then stops as on SIGTERM.
    """
    server, db = build()
    loop = asyncio.get_running_loop()
    loop.add_reader(lifeline_fd, _supervisor_gone, lifeline_fd)
    try:
        try:
            await check_reachable(db.engine, wait_seconds=database_wait_seconds(os.environ))
            port = await server.start(listen, worker=number)
            freeze_startup_heap()
            _log.info("%s worker %d serving on port %d (pid %d)", name, number, port, os.getpid())
            os.write(ready_fd, f"{server.address}\n".encode())
        finally:
            os.close(ready_fd)
        await server.run_until_signalled()
    finally:
        loop.remove_reader(lifeline_fd)
        await db.close()


def _supervisor_gone(lifeline_fd: int) -> None:
    asyncio.get_running_loop().remove_reader(lifeline_fd)
    _log.warning("the supervisor is gone: stopping")
    os.kill(os.getpid(), signal.SIGTERM)


class _Worker:
    """A worker process started by the supervisor, and the pipe it reports on."""

    def __init__(self, process: asyncio.subprocess.Process, ready: int) -> None:
        self.process = process
        self._ready = ready

    @classmethod
    async def spawn(cls, name: str, number: int, listen: str | None, lifeline: int) -> _Worker:
        """`python -m chorus_<name> serve` as worker `number` (a new process, not a fork)."""
        read_end, write_end = os.pipe()
        command = [sys.executable, "-m", f"chorus_{name}", "serve", f"--worker={number}"]
        command += [f"--ready-fd={write_end}", f"--lifeline-fd={lifeline}"]
        if listen is not None:
            command.append(f"--listen={listen}")
        try:
            process = await asyncio.create_subprocess_exec(*command, pass_fds=(write_end, lifeline))
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        return cls(process, read_end)

    async def address(self) -> str | None:
        """The address it serves on, once it does; None if it exits first."""
        try:
            reported = await asyncio.wait_for(
                asyncio.to_thread(_read_all, self._ready), WORKER_START_SECONDS
            )
        except TimeoutError:
            return None
        finally:
            os.close(self._ready)
        return reported.strip() or None


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 256):
        chunks.append(chunk)
    return b"".join(chunks).decode()


async def supervise(name: str, workers: int, grace_seconds: float) -> int:
    """Start `workers` workers on one port, then wait for a signal or a worker's end."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    started: list[_Worker] = []
    code = 0
    # The workers hold the read end; the write end closes when this process ends.
    lifeline_read, _lifeline_write = os.pipe()
    try:
        listen: str | None = None
        for number in range(1, workers + 1):
            worker = await _Worker.spawn(name, number, listen, lifeline_read)
            started.append(worker)
            address = await worker.address()
            if address is None:
                _log.error("%s worker %d did not start", name, number)
                return await _exit_code(worker.process) or 1
            listen = address
            if stop.is_set():
                return 0
        port = (listen or "").rpartition(":")[2]
        _log.info("%s service listening on port %s (%d workers)", name, port, workers)
        ended = [asyncio.ensure_future(w.process.wait()) for w in started]
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait([stopping, *ended], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for number, worker in enumerate(started, start=1):
            if worker.process.returncode is not None and not stop.is_set():
                _log.error(
                    "%s worker %d exited with %d: stopping the others",
                    name,
                    number,
                    worker.process.returncode,
                )
                code = code or worker.process.returncode or 1
        return code
    finally:
        await _stop_workers([w.process for w in started], grace_seconds + 5)


async def _exit_code(process: asyncio.subprocess.Process) -> int:
    try:
        return await asyncio.wait_for(process.wait(), 5)
    except TimeoutError:
        return 1


async def _stop_workers(processes: list[asyncio.subprocess.Process], within: float) -> None:
    """SIGTERM each running worker (by PID); SIGKILL those still running after `within`."""
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
    waiting = asyncio.gather(*(p.wait() for p in processes))
    try:
        await asyncio.wait_for(waiting, within)
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
        await asyncio.gather(*(p.wait() for p in processes))
