"""CPU and memory of the server processes, read with psutil.

CPU is the user + system time a group of processes spent during a window, as
a percentage of one core (two busy cores = 200 %). RSS is summed over a
group's processes (a service with several workers has one process each);
PostgreSQL's RSS is not reported (its shared buffers would be counted once per
backend).
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import psutil

T = TypeVar("T")

Finder = Callable[[], list[psutil.Process]]


def tree(pid: int) -> Finder:
    """A process and all its descendants (a service's supervisor and its workers)."""

    def find() -> list[psutil.Process]:
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    return find


def named(name: str) -> Finder:
    """Every process with this name (PostgreSQL's postmaster and backends)."""

    def find() -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["name"]):
            if process.info.get("name") == name:
                found.append(process)
        return found

    return find


SAMPLE_SECONDS = 0.25
"""How often `Window.keep_sampling` reads the processes' CPU time."""


@dataclass(frozen=True)
class Usage:
    cpu_percent: float
    """Percent of one core over the window."""
    rss_mb: float | None
    processes: int
    per_process: tuple[float, ...] = ()
    """Percent of one core of each process, busiest first."""


def _cpu_seconds(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0


class Window:
    """CPU used by each group between `start()` and `stop()`; RSS at `stop()`."""

    def __init__(
        self,
        groups: Mapping[str, Finder],
        no_rss: frozenset[str] = frozenset(),
        children: str | None = None,
    ) -> None:
        """`children`: the name under which to report the CPU time of this process's
        children that exited during the window (h2load runs, gone before `stop()`)."""
        self._groups = dict(groups)
        self._no_rss = no_rss
        self._children = children
        self._seen: dict[str, dict[int, tuple[psutil.Process, float]]] = {}
        self._last: dict[int, float] = {}
        """The CPU seconds each watched process had when last read (`sample`)."""
        self._started = 0.0
        self._children_at_start = 0.0
        self._system_at_start = 0.0

    def start(self) -> None:
        """Processes found now count from their CPU time now."""
        self._started = time.monotonic()
        self._children_at_start = _children_cpu()
        self._system_at_start = _system_busy()
        self._seen = {}
        self._last = {}
        for name, find in self._groups.items():
            seen = self._seen[name] = {}
            for process in find():
                initial = _cpu_seconds(process)
                if initial is not None:
                    seen[process.pid] = (process, initial)

    def poll(self) -> None:
        """Note processes that appeared since `start()`: their CPU time counts from 0."""
        for name, find in self._groups.items():
            seen = self._seen.setdefault(name, {})
            for process in find():
                if process.pid not in seen:
                    seen[process.pid] = (process, 0.0)

    def sample(self) -> None:
        """Read every watched process's CPU time now (and note new ones), so that one that
        exits before `stop()` still counts up to here: a PostgreSQL backend whose pooled
        connection is dropped when the load's calls are cancelled at the end of a run, say."""
        self.poll()
        for seen in self._seen.values():
            for process, _ in seen.values():
                now = _cpu_seconds(process)
                if now is not None:
                    self._last[process.pid] = now

    async def keep_sampling(self, interval: float = SAMPLE_SECONDS) -> None:
        """`sample()` every `interval` seconds until cancelled (run it beside the load)."""
        while True:
            await asyncio.sleep(interval)
            self.sample()

    async def over(self, work: Awaitable[T]) -> tuple[T, dict[str, Usage]]:
        """`work`'s result, and the usage of the window opened just before it and closed
        just after, sampled all along."""
        self.start()
        sampling = asyncio.create_task(self.keep_sampling())
        try:
            result = await work
        finally:
            sampling.cancel()
            await asyncio.gather(sampling, return_exceptions=True)
        return result, self.stop()

    def stop(self) -> dict[str, Usage]:
        self.poll()
        wall = max(time.monotonic() - self._started, 1e-6)
        usage: dict[str, Usage] = {}
        for name, seen in self._seen.items():
            each: list[float] = []
            rss = 0
            for process, initial in seen.values():
                now = _cpu_seconds(process)
                if now is None:
                    now = self._last.get(process.pid)
                if now is None:
                    continue
                each.append(100.0 * max(0.0, now - initial) / wall)
                rss += _rss(process)
            usage[name] = Usage(
                cpu_percent=sum(each),
                rss_mb=None if name in self._no_rss or not each else rss / 2**20,
                processes=len(each),
                per_process=tuple(round(c, 1) for c in sorted(each, reverse=True)),
            )
        if self._children is not None:
            cpu = 100.0 * (_children_cpu() - self._children_at_start) / wall
            usage[self._children] = Usage(cpu, None, 0, (round(cpu, 1),))
        system = 100.0 * (_system_busy() - self._system_at_start) / wall
        others = max(0.0, system - sum(u.cpu_percent for u in usage.values()))
        usage[OTHERS] = Usage(others, None, 0, (round(others, 1),))
        return usage


OTHERS = "others"
"""Busy CPU of the whole machine not spent by any watched process (other work, the kernel)."""


def _system_busy() -> float:
    """Seconds all cores spent busy since boot (everything but idle and I/O wait)."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _children_cpu() -> float:
    """CPU seconds of this process's children that have exited and been waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def rss_mb(find: Finder) -> float:
    """Summed RSS of a group now, in MiB."""
    return sum(_rss(process) for process in find()) / 2**20
