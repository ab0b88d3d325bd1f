"""Driving h2load (Debian's nghttp2-client) and reading what it measured.

h2load sends one pre-framed body file for every request, over h2c (gRPC) or,
with `--h1`, over HTTP/1.1 (gRPC-Web through Envoy). It counts HTTP statuses
only, so the harness also keeps the body bytes it received (`traffic: ...
data`) and the per-request log (`--log-file`: start, HTTP status, duration)
from which latency percentiles are computed.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "h2load is missing. It comes with Debian's nghttp2-client: "
    "`sudo apt-get install -y nghttp2-client` (run `make bench` as root and the "
    "harness installs it itself), then run the benchmark again."
)
EXTRA_SECONDS = 30.0
"""How long past its duration an h2load run may take before it is killed."""


class H2loadMissing(RuntimeError):
    pass


def find_h2load(*, install: bool) -> str:
    """The h2load binary; installed with apt-get if missing, `install` and root."""
    found = shutil.which("h2load")
    if found:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        print("h2load is missing: installing Debian's nghttp2-client ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "nghttp2-client"],
        ):
            subprocess.run(command, check=False, env=env)  # noqa: S603
        found = shutil.which("h2load")
        if found:
            return found
    raise H2loadMissing(INSTALL_HINT)


@dataclass(frozen=True)
class Load:
    """One h2load run: a URL, the framed body and headers, how many at once."""

    url: str
    body: bytes
    headers: tuple[tuple[str, str], ...]
    concurrency: int
    h1: bool = False
    """HTTP/1.1 (gRPC-Web through Envoy) instead of h2c."""


@dataclass(frozen=True)
class Stats:
    """What one h2load run measured."""

    seconds: float
    requests: int
    """Requests that completed (any status)."""
    status_2xx: int
    not_2xx: int
    """Other statuses, failed and errored requests, timeouts."""
    data_bytes: int
    """Response body bytes (gRPC frames) received."""
    p50_ms: float
    p99_ms: float
    mean_ms: float


def command(
    h2load: str,
    load: Load,
    body_file: Path,
    log_file: Path,
    *,
    seconds: float | None,
    requests: int | None,
) -> list[str]:
    """The h2load command line: `seconds` long, or `requests` in all."""
    args = [h2load, "-t1", f"-c{load.concurrency}", "-m1", "-d", str(body_file)]
    if seconds is not None:
        args += ["-D", f"{max(1, round(seconds * 1000))}ms"]
    else:
        args += ["-n", str(requests)]
    if load.h1:
        args.append("--h1")
    for name, value in load.headers:
        args += ["-H", f"{name}: {value}"]
    return [*args, "--log-file", str(log_file), load.url]


async def run(
    h2load: str,
    load: Load,
    folder: Path,
    *,
    seconds: float | None = None,
    requests: int | None = None,
    started: Callable[[int], None] | None = None,
) -> Stats:
    """Run h2load once (for `seconds`, or `requests` in all) and parse its results.

    `started` is told h2load's PID (for CPU accounting). The run is killed if
    it takes EXTRA_SECONDS longer than asked.
    """
    if (seconds is None) == (requests is None):
        raise ValueError("give seconds or requests")
    body_file, log_file = _prepare(folder, load.body)
    process = await asyncio.create_subprocess_exec(
        *command(h2load, load, body_file, log_file, seconds=seconds, requests=requests),
        stdin=subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    if started is not None:
        started(process.pid)
    limit = (seconds or 60.0 + (requests or 0) / 100) + EXTRA_SECONDS
    try:
        output, _ = await asyncio.wait_for(process.communicate(), limit)
    except TimeoutError:
        raise RuntimeError(f"h2load did not finish within {limit:.0f}s: {load.url}") from None
    finally:
        if process.returncode is None:
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            await process.wait()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"h2load exited with {process.returncode}:\n{text[-2000:]}")
    return parse(text, read_latencies(log_file, remove=True))


def _prepare(folder: Path, body: bytes) -> tuple[Path, Path]:
    """The body file, and a path for the request log (h2load appends: none there yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    body_file = folder / "body.bin"
    log_file = folder / "requests.tsv"
    body_file.write_bytes(body)
    log_file.unlink(missing_ok=True)
    return body_file, log_file


_FINISHED = re.compile(r"finished in ([\d.]+)(ms|s|us),")
_REQUESTS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
    r"(\d+) errored, (\d+) timeout"
)
_STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")
_TRAFFIC = re.compile(r"traffic: .*?\((\d+)\) total, .*?\((\d+)\) headers .*?, .*?\((\d+)\) data")
_UNIT_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}


def parse(output: str, latencies_us: Sequence[int]) -> Stats:
    """Stats from h2load's summary and the durations (µs) of its 2xx requests."""

    def need(pattern: re.Pattern[str]) -> re.Match[str]:
        found = pattern.search(output)
        if found is None:
            raise RuntimeError(f"unexpected h2load output (no {pattern.pattern[:20]!r}):\n{output}")
        return found

    finished = need(_FINISHED)
    requests = [int(v) for v in need(_REQUESTS).groups()]
    status = [int(v) for v in need(_STATUS).groups()]
    traffic = [int(v) for v in need(_TRAFFIC).groups()]
    done, failed = requests[2], requests[4]
    ordered = sorted(latencies_us)
    return Stats(
        seconds=float(finished.group(1)) * _UNIT_SECONDS[finished.group(2)],
        requests=done,
        status_2xx=status[0],
        not_2xx=status[1] + status[2] + status[3] + failed,
        data_bytes=traffic[2],
        p50_ms=percentile(ordered, 50) / 1000,
        p99_ms=percentile(ordered, 99) / 1000,
        mean_ms=(sum(ordered) / len(ordered) / 1000) if ordered else math.nan,
    )


def read_latencies(log_file: Path, *, remove: bool = False) -> list[int]:
    """Durations (µs) of the 2xx requests in an h2load `--log-file` (then removed)."""
    durations: list[int] = []
    try:
        text = log_file.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return durations
    if remove:
        log_file.unlink()
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[1].startswith("2"):
            durations.append(int(fields[2]))
    return durations


def percentile(ordered: Sequence[int], pct: float) -> float:
    """Nearest-rank percentile of sorted values; NaN for none."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


if __name__ == "__main__":  # `python -m bench.h2load`: is h2load there?
    try:
        print(find_h2load(install="--install" in sys.argv))
    except H2loadMissing as missing:
        print(missing, file=sys.stderr)
        sys.exit(1)
