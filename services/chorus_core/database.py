"""Async SQLAlchemy access with explicit read and write transactions.

PostgreSQL goes through asyncpg; the embedded default is SQLite through
aiosqlite, in WAL mode with a busy timeout, where write transactions start
with BEGIN IMMEDIATE so concurrent writers queue instead of failing with
"database is locked".

A pooled PostgreSQL connection is checked before every use without a round
trip: one whose socket the database closed while it sat in the pool (a
restart, an administrator's `pg_terminate_backend`, `idle_session_timeout`)
is replaced before any call sees it (`CheckoutCheck`). It is pinged only
when it has sat idle for PING_AFTER_IDLE_SECONDS, which finds connections
that died without their socket saying so (a firewall that forgot them);
SQLAlchemy's `pool_pre_ping` would ping before every use: three extra round
trips a call, BEGIN, `;` and ROLLBACK. A connection that dies while in use
fails that call (UNAVAILABLE), and the pool heals.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InvalidatePoolError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from chorus_core.config import ConfigError, read_secret_file
from chorus_core.database_outage import OutageWatch, is_outage
from chorus_core.errors import DatabaseUnavailable, ServiceError
from chorus_core.readiness import Readiness

_log = logging.getLogger("chorus")

_BEGIN_OPTION = "chorus_sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 5000
PING_AFTER_IDLE_SECONDS = 10.0
POOL_SIZE = 10
"""PostgreSQL connections each process keeps open, and at most uses: a call finding all of
them busy waits for one (an event loop's statements are short)."""
MAX_OVERFLOW = 0
"""Connections a burst may open beyond POOL_SIZE. None: on two cores with two workers, 10 more
a process (the earlier setting) put 40 backends beside the services on the same CPUs, and
calls at 64 concurrent went slower than with 20 (`bench/README.md`: GetSong 1,658 -> 1,952,
CreateSong 828 -> 1,231 calls/s). A larger database server wants a larger pool
(`CHORUS_RESOURCE_DATABASE_POOL_SIZE`)."""
CONNECT_TIMEOUT_SECONDS = 5
"""How long opening a PostgreSQL connection may take before the call is UNAVAILABLE."""


def database_url(
    url: str, password_file: Path | None = None, *, setting: str = "database URL"
) -> URL:
    """Parse a database URL, pick the async driver, and add a password from a file.

    `postgresql://` becomes `postgresql+asyncpg://` and `sqlite://` becomes
    `sqlite+aiosqlite://`. A password never needs to be in the URL itself.
    Errors start with `setting`, the name of the variable the URL came from.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"{setting}: malformed database URL {_redacted(url)!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        raise ConfigError(
            f"{setting}: unsupported database {parsed.drivername!r}: use postgresql or sqlite"
        )
    if password_file is not None:
        parsed = parsed.set(password=read_secret_file(password_file))
    return parsed


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable>"


class CheckoutCheck:
    """Checks a pooled connection before use: closed already (free), or dead after idling (a ping).

    `closed` tells, without a round trip, that the database closed the
    connection while it sat in the pool: its driver saw the socket close. Only
    that connection is replaced (each other one is found the same way, for
    free). `ping` is sent only after the connection sat idle `idle_seconds`; a
    failed ping replaces every connection of the pool.
    """

    KEY = "chorus_idle_since"

    def __init__(
        self,
        ping: Callable[[Any], object],
        idle_seconds: float = PING_AFTER_IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        closed: Callable[[Any], bool] = lambda _connection: False,
    ) -> None:
        self._ping = ping
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._closed = closed

    def checked_in(self, info: MutableMapping[str, Any]) -> None:
        info[self.KEY] = self._clock()

    def checking_out(self, dbapi_connection: Any, info: MutableMapping[str, Any]) -> None:
        """Replace a closed connection; ping one idle for long enough.

        A connection just opened has no idle time and is not pinged. Either
        error makes the pool open a new connection and try again (up to 3 times).
        """
        idle_since = info.pop(self.KEY, None)
        if self._closed(dbapi_connection):
            raise DisconnectionError("the database closed this pooled connection")
        if idle_since is None or self._clock() - idle_since < self._idle_seconds:
            return
        try:
            self._ping(dbapi_connection)
        except Exception as error:
            raise InvalidatePoolError(f"idle connection is gone: {type(error).__name__}") from None

    def listen(self, engine: AsyncEngine) -> None:
        @event.listens_for(engine.sync_engine, "checkin")
        def _checkin(_dbapi_connection: Any, record: Any) -> None:
            self.checked_in(record.info)

        @event.listens_for(engine.sync_engine, "checkout")
        def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            self.checking_out(dbapi_connection, record.info)


def _driver_closed(dbapi_connection: Any) -> bool:
    """Whether asyncpg saw the connection's socket close (no round trip)."""
    return bool(dbapi_connection.driver_connection.is_closed())


def create_engine(
    url: URL,
    *,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
    pool_size: int = POOL_SIZE,
    **engine_options: Any,
) -> AsyncEngine:
    """An async engine; SQLite files get their folder, WAL and a busy timeout.

    `pool_size`: PostgreSQL connections kept (and, without `max_overflow`, the most used).
    """
    if url.get_backend_name() != "sqlite":
        options = {"connect_args": {"timeout": CONNECT_TIMEOUT_SECONDS}, **engine_options}
        if "poolclass" not in options:  # the default queue pool: our sizes
            options = {"pool_size": pool_size, "max_overflow": MAX_OVERFLOW, **options}
        engine = create_async_engine(url, **options)
        if not options.get("pool_pre_ping"):
            check = CheckoutCheck(
                engine.dialect.do_ping, ping_after_idle_seconds, closed=_driver_closed
            )
            check.listen(engine)
        return engine
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **engine_options)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (pysqlite's own transaction handling
        # cannot start IMMEDIATE transactions).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


class DatabaseUnreachable(Exception):
    """A first connection failed (down, unknown host, wrong password): where and why, one line."""


STARTING_UP_SQLSTATES = frozenset({"57P03", "53300"})
"""PostgreSQL refusing connections for now: starting up or shutting down, too many connections."""


@asynccontextmanager
async def connect_when_reachable(
    engine: AsyncEngine, *, wait_seconds: float
) -> AsyncIterator[AsyncConnection]:
    """A connection, once the database takes one; DatabaseUnreachable after `wait_seconds`.

    A database that is not up yet (connection refused, its name not resolved
    yet, a timeout, PostgreSQL still starting) is tried again, one warning
    line a try, for up to `wait_seconds`: a service or a migration started
    beside its database (a Kubernetes Job, a compose stack) waits for it
    instead of dying on the first lost DNS packet. A database that answers
    "no" (wrong password, no such database) ends it at once. The failure is
    one line without the password.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    where = engine.url.render_as_string(hide_password=True)
    pause = 0.5
    while True:
        try:
            connection = await engine.connect()
            break
        except (OSError, DBAPIError) as error:
            reason = error_line(error)
            left = deadline - loop.time()
            if not _not_up_yet(error) or left <= 0:
                raise DatabaseUnreachable(
                    f"cannot connect to the database {where}: {reason}"
                ) from None
            _log.warning(
                "the database %s is not reachable yet (%s): trying again for %.0f s more",
                where,
                reason,
                left,
            )
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, 5.0)
    try:
        yield connection
    finally:
        await connection.close()


async def check_reachable(engine: AsyncEngine, *, wait_seconds: float = 0) -> None:
    """Connect and run SELECT 1, or raise DatabaseUnreachable saying why.

    A service does this before it serves, so a database that does not come
    up in time, or a wrong password, ends the process with one clear line
    (and a container restarts it) instead of a process that serves but fails
    every call.
    """
    async with connect_when_reachable(engine, wait_seconds=wait_seconds) as connection:
        try:
            await connection.execute(text("SELECT 1"))
        except (OSError, DBAPIError) as error:
            where = engine.url.render_as_string(hide_password=True)
            raise DatabaseUnreachable(
                f"cannot use the database {where}: {error_line(error)}"
            ) from None


def error_line(error: BaseException) -> str:
    """A database error's first line, the driver's own words (never a password: not in it)."""
    reason = getattr(error, "orig", None) or error
    return (str(reason).strip().splitlines() or [type(reason).__name__])[0]


def _not_up_yet(error: BaseException) -> bool:
    """Whether a failed connect may succeed later: nothing listening or answering yet."""
    seen: BaseException | None = error
    for _ in range(8):  # the error, the driver's, its cause: never a long chain
        if seen is None:
            break
        if isinstance(seen, OSError) or getattr(seen, "sqlstate", None) in STARTING_UP_SQLSTATES:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


class DriverConnection:
    """A pooled connection handed out as its driver's own (asyncpg's, aiosqlite's), without a
    SQLAlchemy Connection.

    For single statements without an explicit transaction (the driver runs
    each in its own). Checking a SQLAlchemy Connection out and in again costs
    about three times the CPU of taking the pooled connection alone (three
    greenlet switches, isolation level juggling): a third of a one-row read.
    """

    def __init__(self, pooled: PoolProxiedConnection) -> None:
        self._pooled = pooled
        self._invalidated = False
        self.driver: Any = pooled.driver_connection
        """The asyncpg or aiosqlite connection."""

    async def invalidate(self) -> None:
        """Drop it (lost, or busy with a cancelled statement): the pool opens a new one."""
        if not self._invalidated:
            self._invalidated = True
            await greenlet_spawn(self._pooled.invalidate)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """BEGIN, then COMMIT if the block ends well.

        If the block refuses the call (a `ServiceError`, such as NOT_FOUND,
        after its statements ran well), ROLLBACK, and the connection goes back
        to the pool. On any other error, or if cancelled, the connection is
        dropped instead: it never goes back to the pool inside a transaction
        (which would keep its locks and its tenant's declaration). A lost
        connection (the database restarted) is reported as SQLAlchemy reports
        one, which `Database` turns into an outage (UNAVAILABLE), as for any
        statement.
        """
        try:
            await self.driver.execute("BEGIN")
            try:
                yield
            except ServiceError:
                await self.driver.execute("ROLLBACK")
                raise
            await self.driver.execute("COMMIT")
        except ServiceError:
            raise
        except BaseException as error:
            await self.invalidate()
            # An error of a statement in the block arrives already as SQLAlchemy's.
            lost = (
                None
                if isinstance(error, DBAPIError)
                else connection_lost(self.driver, error, "BEGIN")
            )
            if lost is not None:
                raise lost from error
            raise


def connection_lost(driver: Any, error: BaseException, statement: str) -> OperationalError | None:
    """`error` of an asyncpg connection running `statement`, as SQLAlchemy raises a lost
    connection (`Database` reports it as an outage: UNAVAILABLE, NOT_SERVING); None if the
    connection is not lost (a bad statement, say, or a cancellation)."""
    if not isinstance(error, Exception) or not (driver.is_closed() or is_outage(error)):
        return None
    return OperationalError(statement, None, error, connection_invalidated=True)


StatementConnection = AsyncConnection | DriverConnection
"""A connection statements run on: in a transaction (SQLAlchemy's), or without (the driver's)."""


class Database:
    """Hands out sessions, each inside one transaction that commits on success.

    A database outage met inside a session (connecting, a statement, the
    commit) is raised as `DatabaseUnavailable`, and `readiness` reports the
    database condition failing until the database answers again.
    """

    def __init__(self, engine: AsyncEngine, readiness: Readiness | None = None) -> None:
        self.engine = engine
        self.readiness = readiness or Readiness()
        self._outages = OutageWatch(engine, self.readiness)
        self._reader = async_sessionmaker(engine, expire_on_commit=False)
        self._write_engine = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        # SQLite runs one write transaction at a time, and its busy handler lets waiting
        # writers poll in growing sleeps, first come not first served: under many
        # concurrent writes some waited past the busy timeout (UNAVAILABLE). So this
        # process's writers queue here, in order, and only one at a time asks SQLite.
        self._writers = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._writer = async_sessionmaker(self._write_engine, expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._outage_guard(), self._reader.begin() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self._turn_to_write(), self._outage_guard(), self._writer.begin() as session:
            yield session

    @asynccontextmanager
    async def _turn_to_write(self) -> AsyncIterator[None]:
        """SQLite: this process's turn among its writers, in order of arrival.

        Waited for at most the busy timeout, then UNAVAILABLE, as SQLite's own
        wait ends: while another program holds the file's write lock, every
        writer ahead waits out its busy timeout, and one queued behind several
        would otherwise wait for all of them. A write so waits at most twice
        the busy timeout (its turn, then SQLite's lock).
        """
        if self._writers is None:
            yield
            return
        try:
            await asyncio.wait_for(self._writers.acquire(), SQLITE_BUSY_TIMEOUT_MS / 1000)
        except TimeoutError:
            raise DatabaseUnavailable() from None
        try:
            yield
        finally:
            self._writers.release()

    @asynccontextmanager
    async def _outage_guard(self) -> AsyncIterator[None]:
        try:
            yield
        except Exception as error:
            if not is_outage(error):
                raise
            self._outages.outage(error)
            raise DatabaseUnavailable() from error

    @asynccontextmanager
    async def statement_connection(self) -> AsyncIterator[DriverConnection]:
        """A bare connection without an explicit transaction: each statement is its own.

        No BEGIN and no COMMIT: a single-statement call costs one round trip.
        The pooled connection comes as the driver's own (`DriverConnection`).
        """
        async with self._outage_guard():
            pooled = await self.engine.raw_connection()
            try:
                yield DriverConnection(pooled)
            finally:
                await greenlet_spawn(pooled.close)  # back to the pool (if not invalidated)

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[AsyncConnection]:
        """A bare connection in a read transaction (SQLAlchemy Core, no ORM session)."""
        async with self._outage_guard(), self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def write_connection(self) -> AsyncIterator[AsyncConnection]:
        """A bare connection in a write transaction (on SQLite: BEGIN IMMEDIATE)."""
        async with (
            self._turn_to_write(),
            self._outage_guard(),
            self._write_engine.begin() as connection,
        ):
            yield connection

    async def close(self) -> None:
        await self._outages.stop()
        await self.engine.dispose()
