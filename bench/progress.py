"""Progress on screen while the benchmark runs: one line per step, live seconds on a TTY."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO = sys.stdout) -> None:
        self.total = total
        self.done = 0
        self._stream = stream
        self._tty = stream.isatty()
        self._started = time.monotonic()

    def say(self, text: str) -> None:
        self._stream.write(f"{self._clock()} {text}\n")
        self._stream.flush()

    def _clock(self) -> str:
        elapsed = int(time.monotonic() - self._started)
        return f"[{elapsed // 60:2d}:{elapsed % 60:02d}]"

    @asynccontextmanager
    async def step(self, label: str, seconds: float) -> AsyncIterator[list[str]]:
        """A measured step of about `seconds`; append a summary to the yielded list."""
        self.done += 1
        head = f"{self._clock()} ({self.done}/{self.total}) {label}"
        summary: list[str] = []
        ticker = asyncio.create_task(self._tick(head, seconds)) if self._tty else None
        if ticker is None:
            self._stream.write(f"{head} ...\n")
            self._stream.flush()
        try:
            yield summary
        finally:
            if ticker is not None:
                ticker.cancel()
                with suppress(asyncio.CancelledError):
                    await ticker
                self._stream.write("\r\033[K")
            self._stream.write(f"{head}: {' '.join(summary) or 'stopped'}\n")
            self._stream.flush()

    async def _tick(self, head: str, seconds: float) -> None:
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            self._stream.write(f"\r\033[K{head} ... {elapsed:4.0f}s of ~{seconds:.0f}s")
            self._stream.flush()
            await asyncio.sleep(0.5)
