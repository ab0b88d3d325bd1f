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

Live streams of one tenant share their reads (`recent_after`): after a
change, the first stream to look reads the tenant's new events once, and
the others take them from the tenant's recent events kept here (the last
`RECENT_KEPT`); a stream further behind reads the outbox itself. Streams
are bounded per tenant and per process (RESOURCE_EXHAUSTED past either),
and at most `reads_at_once` of them read the database at a time, so many
watchers never take the connection pool away from writers.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from chorus_core.errors import ResourceExhausted, Unauthenticated, Unavailable
from chorus_resource.change_log import NOTIFY_CHANNEL
from chorus_resource.watch_limits import WatchLimits

_log = logging.getLogger("chorus.watch")

RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Waits between attempts to listen again after the database went away."""
LISTEN_CHECK_SECONDS = 15.0
"""How often the listening connection is checked to still be there."""
RECENT_KEPT = 2000
"""A tenant's most recent events kept for its live streams."""
FETCH_LIMIT = 500
"""Events one `Fetch` returns at most."""

Fetch = Callable[[str, int], Awaitable[list[Any]]]
"""Reads the tenant's events (every resource) after a seq: (tenant_id, seq) -> rows."""


@dataclass
class _Tenant:
    streams: set[asyncio.Event] = field(default_factory=set)
    generation: int = 0
    """Bumped by every change notified: reads older than this may miss events."""
    read_generation: int = -1
    read_at: float = 0.0
    start: int | None = None
    """`recent` holds every event of the tenant in (start, upto]."""
    upto: int = 0
    recent: list[Any] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Watchers:
    def __init__(self, limits: WatchLimits, engine: AsyncEngine) -> None:
        self.limits = limits
        self._engine = engine
        postgresql = engine.dialect.name == "postgresql"
        self.poll_seconds = 10.0 if postgresql else 2.0
        self._listens = postgresql
        self._by_tenant: dict[str, _Tenant] = {}
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
        tenant = self._by_tenant.setdefault(tenant_id, _Tenant())
        if len(tenant.streams) >= self.limits.per_tenant:
            raise ResourceExhausted(
                f"this tenant has {len(tenant.streams)} open watch streams on this server, "
                "its limit: close one first"
            )
        wake = asyncio.Event()
        tenant.streams.add(wake)
        self._count += 1
        try:
            yield wake
        finally:
            self._count -= 1
            tenant.streams.discard(wake)
            if not tenant.streams:
                del self._by_tenant[tenant_id]

    async def recent_after(
        self, tenant_id: str, seq: int, resource: str, fetch: Fetch
    ) -> list[Any] | None:
        """The tenant's events of `resource` after `seq`, read once for all its streams.

        None when `seq` is older than the recent events kept: the stream then
        reads the outbox itself.
        """
        tenant = self._by_tenant[tenant_id]
        async with tenant.lock:
            if time.monotonic() - tenant.read_at > self.poll_seconds:
                tenant.generation += 1  # nothing heard for a while: look anyway
            if tenant.start is None:
                tenant.start = tenant.upto = seq
            if tenant.read_generation < tenant.generation:
                generation = tenant.generation
                while True:
                    async with self.reads:
                        rows = await fetch(tenant_id, tenant.upto)
                    if rows:
                        tenant.recent.extend(rows)
                        tenant.upto = rows[-1].seq
                    if len(rows) < FETCH_LIMIT:
                        break
                if len(tenant.recent) > RECENT_KEPT:
                    dropped = tenant.recent[: len(tenant.recent) - RECENT_KEPT]
                    tenant.recent = tenant.recent[len(dropped) :]
                    tenant.start = dropped[-1].seq
                tenant.read_generation = generation
                tenant.read_at = time.monotonic()
            if seq < tenant.start:
                return None
            return [row for row in tenant.recent if row.seq > seq and row.resource == resource]

    async def wait_for_news(self, wake: asyncio.Event, expires_at: float, expired: str) -> None:
        """Wait until `wake` is set or `poll_seconds` pass, within the caller's token lifetime.

        UNAUTHENTICATED (`expired` says what to do) once the access token has
        expired; UNAVAILABLE once the server is stopping.
        """
        remaining = expires_at - time.time()
        if remaining <= 0:
            raise Unauthenticated(expired)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), min(remaining, self.poll_seconds))
        self.check_open()

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
        tenant = self._by_tenant.get(tenant_id)
        if tenant is not None:
            tenant.generation += 1
            for wake in tenant.streams:
                wake.set()

    def wake_all(self) -> None:
        for tenant_id in list(self._by_tenant):
            self.changed(tenant_id)

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
