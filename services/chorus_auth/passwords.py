"""argon2id password hashing, run in worker threads and bounded.

Hashing is deliberately slow and memory hungry, so it runs off the event
loop, and at most `max_concurrent` hashes run at once: a login storm cannot
starve other calls of CPU or memory.
"""

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class Argon2Cost:
    """argon2id parameters; the defaults are RFC 9106's second recommendation."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


class PasswordHashing:
    def __init__(self, cost: Argon2Cost, max_concurrent: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost,
            memory_cost=cost.memory_kib,
            parallelism=cost.parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(max_concurrent)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash (unknown user) spend the same time and fail."""
        if password_hash is None:
            password_hash = await self._dummy()
            await self._verify(password_hash, password)
            return False
        return await self._verify(password_hash, password)

    async def _verify(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            try:
                return await asyncio.to_thread(self._hasher.verify, password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash("chorus timing equaliser")
        return self._dummy_hash
