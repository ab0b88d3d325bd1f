"""Async SQLAlchemy access with explicit read and write transactions.

PostgreSQL goes through asyncpg; the embedded default is SQLite through
aiosqlite, in WAL mode with a busy timeout, where write transactions start
with BEGIN IMMEDIATE so concurrent writers queue instead of failing with
"database is locked".
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from chorus_core.config import ConfigError, read_secret_file

_BEGIN_OPTION = "chorus_sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 5000


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


def create_engine(url: URL, **engine_options: Any) -> AsyncEngine:
    """An async engine; SQLite files get their folder, WAL and a busy timeout."""
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **engine_options)
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


class Database:
    """Hands out sessions, each inside one transaction that commits on success."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = async_sessionmaker(engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}), expire_on_commit=False
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader.begin() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self._writer.begin() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
