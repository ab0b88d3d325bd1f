"""The open watch streams of this process: their limits, and waking them when their tenant changes.

A stream registers with `watching(tenant_id)` and gets an `asyncio.Event`
that is set whenever its tenant may have new events; it then reads them from
the outbox itself (`chorus_resource.change_log`), so a writer never waits
for a watcher: it only sets events. Streams learn of changes

- made in this process: `changed(tenant_id)` after each committed write;
- made by other replicas (PostgreSQL): `follow_database` LISTENs on the
  outbox's channel, whose NOTIFY PostgreSQL delivers when the writing
  transaction commits; after (re)connecting it wakes every stream, in case it
  missed something while it was not listening;
- in any case every `poll_seconds` (a stream waits no longer than that), which
  covers several SQLite worker processes and a lost notification.

Streams are bounded per tenant and per process (RESOURCE_EXHAUSTED past
either), and at most `reads_at_once` of them read the database at a time, so
many watchers never take the connection pool away from writers.
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from chorus_core.errors import ResourceExhausted, Unavailable
from chorus_resource.change_log import NOTIFY_CHANNEL
from chorus_resource.watch_limits import WatchLimits

_log = logging.getLogger("chorus.watch")

RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Waits between attempts to listen again after the database went away."""
LISTEN_CHECK_SECONDS = 15.0
"""How often the listening connection is checked to still be there."""


class Watchers:
    def __init__(self, limits: WatchLimits, engine: AsyncEngine) -> None:
        self.limits = limits
        self._engine = engine
        postgresql = engine.dialect.name == "postgresql"
        self.poll_seconds = 10.0 if postgresql else 2.0
        self._listens = postgresql
        self._by_tenant: dict[str, set[asyncio.Event]] = {}
        self._count = 0
        self.reads = asyncio.Semaphore(limits.reads_at_once)
        self.closing = False
        """Set when the server stops: streams end UNAVAILABLE, to resume on another replica."""

    @property
    def count(self) -> int:
        return self._count

    @contextmanager
    def watching(self, tenant_id: str) -> Iterator[asyncio.Event]:
        """Register a stream of `tenant_id`; the event is set when the tenant may have news."""
        self.check_open()
        if self._count >= self.limits.per_process:
            raise ResourceExhausted(
                f"this server has {self._count} open watch streams, its limit: "
                "try again later (or another server)"
            )
        streams = self._by_tenant.setdefault(tenant_id, set())
        if len(streams) >= self.limits.per_tenant:
            raise ResourceExhausted(
                f"this tenant has {len(streams)} open watch streams on this server, "
                "its limit: close one first"
            )
        wake = asyncio.Event()
        streams.add(wake)
        self._count += 1
        try:
            yield wake
        finally:
            self._count -= 1
            streams.discard(wake)
            if not streams:
                del self._by_tenant[tenant_id]

    def check_open(self) -> None:
        """UNAVAILABLE once the server is stopping."""
        if self.closing:
            raise Unavailable("this server is shutting down: watch again with the last cursor")

    def close(self) -> None:
        """End every stream (UNAVAILABLE) and refuse new ones: the server is stopping."""
        self.closing = True
        self.wake_all()

    def changed(self, tenant_id: str) -> None:
        """The tenant's history may have grown: wake its streams."""
        for wake in self._by_tenant.get(tenant_id, ()):
            wake.set()

    def wake_all(self) -> None:
        for streams in self._by_tenant.values():
            for wake in streams:
                wake.set()

    async def follow_database(self) -> None:
        """Listen for other replicas' changes (PostgreSQL) until cancelled; reconnect if lost."""
        if not self._listens:
            return
        failures = 0
        while True:
            try:
                await self._listen()
                failures = 0
            except Exception as error:  # the database went away: listen again when it is back
                if failures == 0:
                    _log.warning("not listening for changes: %s", type(error).__name__)
            self.wake_all()
            await asyncio.sleep(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
            failures += 1

    async def _listen(self) -> None:
        """LISTEN on one connection of its own until it fails (it is never given back)."""
        async with self._engine.connect() as connection:
            try:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection  # an asyncpg connection
                await driver.add_listener(NOTIFY_CHANNEL, self._notified)
                _log.info("listening for changes of other replicas")
                self.wake_all()  # whatever committed while nobody listened
                while True:
                    await asyncio.sleep(LISTEN_CHECK_SECONDS)
                    await driver.fetchval("SELECT 1")
            finally:
                await connection.invalidate()  # never back to the pool with a listener on it

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self.changed(payload)
