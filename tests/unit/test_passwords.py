"""Password hashing: argon2id in threads of its own, at a lower CPU priority on Linux."""

import asyncio
import os
import sys
import threading

import pytest

from chorus_auth.passwords import Argon2Cost, PasswordHashing, lower_thread_priority

CHEAP = Argon2Cost(time_cost=1, memory_kib=1024, parallelism=1)
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are a Linux feature"
)


def thread_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_hashes_verify_and_wrong_passwords_do_not() -> None:
    hashing = PasswordHashing(CHEAP, max_concurrent=2)
    stored = await hashing.hash("correct horse")
    assert await hashing.verify(stored, "correct horse")
    assert not await hashing.verify(stored, "wrong horse")
    assert not await hashing.verify(None, "correct horse")
    assert not await hashing.verify("not-a-hash", "correct horse")


@linux_only
def test_lower_thread_priority_makes_only_the_calling_thread_nicer() -> None:
    before = thread_nice()
    seen: list[int] = []

    def worker() -> None:
        lower_thread_priority(3)
        seen.append(thread_nice())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [min(19, before + 3)]
    assert thread_nice() == before, "the calling process's other threads keep their priority"


@linux_only
async def test_hashing_threads_run_nicer_than_the_event_loop() -> None:
    loop_nice = thread_nice()
    hashing = PasswordHashing(CHEAP, max_concurrent=1, niceness=4)
    await hashing.hash("warm the thread up")
    nice_in_hashing_thread = await hashing._in_thread(thread_nice)
    assert nice_in_hashing_thread == min(19, loop_nice + 4)
    assert thread_nice() == loop_nice


@linux_only
async def test_niceness_zero_keeps_the_priority() -> None:
    hashing = PasswordHashing(CHEAP, max_concurrent=1, niceness=0)
    assert await hashing._in_thread(thread_nice) == thread_nice()


async def test_no_more_hashes_run_at_once_than_allowed() -> None:
    hashing = PasswordHashing(CHEAP, max_concurrent=2)
    running = 0
    most = 0
    guard = threading.Lock()

    class SlowHasher:
        def hash(self, password: str) -> str:
            nonlocal running, most
            with guard:
                running += 1
                most = max(most, running)
            try:
                threading.Event().wait(0.05)  # long enough for the others to pile up
                return password
            finally:
                with guard:
                    running -= 1

    hashing._hasher = SlowHasher()  # type: ignore[assignment]
    await asyncio.gather(*(hashing.hash(f"p{n}") for n in range(8)))
    assert most == 2
