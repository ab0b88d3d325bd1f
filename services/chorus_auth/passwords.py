"""argon2id password hashing, run in worker threads and bounded.

Hashing is deliberately slow and memory hungry, so it runs off the event
loop, in at most `max_concurrent` threads of its own: a login storm cannot
starve other calls of CPU or memory. On Linux those threads also run at a
lower CPU priority (nice +10 by default): when cores are scarce, serving
calls (this service's event loop, the other services on the machine) goes
first and logins wait a little longer, instead of the other way round.

Metrics (in the registry given, served with the service's):
- chorus_auth_password_verifications_total: argon2id verifications run,
  including the one a login for an unknown email runs so that it takes as
  long as a wrong password (no timing oracle for which emails have accounts)
- chorus_auth_password_work_in_progress: hashes and verifications running
  or waiting for a thread
"""

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from prometheus_client import CollectorRegistry, Counter, Gauge

_log = logging.getLogger("chorus.passwords")

HASHING_NICENESS = 10
"""How much lower than the rest of the process hashing threads run (Linux; 0: the same)."""
MAX_NICE = 19

T = TypeVar("T")


@dataclass(frozen=True)
class Argon2Cost:
    """argon2id parameters; the defaults are RFC 9106's second recommendation."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


def lower_thread_priority(niceness: int) -> None:
    """Make the calling thread `niceness` steps nicer (Linux: nice is per thread).

    Only ever nicer, which needs no privilege; elsewhere, or if the system
    refuses, the thread keeps its priority.
    """
    if niceness <= 0 or not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(MAX_NICE, current + niceness))
    except OSError as error:
        _log.debug("hashing thread keeps its priority: %s", error)


class PasswordHashing:
    def __init__(
        self,
        cost: Argon2Cost,
        max_concurrent: int,
        *,
        niceness: int = HASHING_NICENESS,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost,
            memory_cost=cost.memory_kib,
            parallelism=cost.parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(max_concurrent)
        self._threads = ThreadPoolExecutor(
            max_workers=max_concurrent,
            thread_name_prefix="argon2",
            initializer=lower_thread_priority,
            initargs=(niceness,),
        )
        self._dummy_hash: str | None = None
        registry = registry or CollectorRegistry()
        self._verifications = Counter(
            "chorus_auth_password_verifications",
            "argon2id password verifications run (unknown emails included).",
            registry=registry,
        )
        self._in_progress = Gauge(
            "chorus_auth_password_work_in_progress",
            "argon2id hashes and verifications running or waiting for a thread.",
            registry=registry,
        )

    async def _in_thread(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, function, *args)

    async def hash(self, password: str) -> str:
        with self._in_progress.track_inprogress():
            async with self._slots:
                return await self._in_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash (unknown user) spend the same time and fail."""
        if password_hash is None:
            password_hash = await self._dummy()
            await self._verify(password_hash, password)
            return False
        return await self._verify(password_hash, password)

    async def _verify(self, password_hash: str, password: str) -> bool:
        with self._in_progress.track_inprogress():
            async with self._slots:
                try:
                    return await self._in_thread(self._hasher.verify, password_hash, password)
                except (VerificationError, InvalidHashError):
                    return False
                finally:
                    self._verifications.inc()

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash("chorus timing equaliser")
        return self._dummy_hash
