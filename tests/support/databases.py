"""Fresh databases for tests: a SQLite file, or a PostgreSQL database made and
dropped under a unique name on the server at CHORUS_TEST_POSTGRES_URL."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from tests.support.required import require

POSTGRES_URL = os.environ.get(
    "CHORUS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


async def postgres_available() -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def require_postgres() -> None:
    """Fail in CI, skip elsewhere, when PostgreSQL is not reachable."""
    require(await postgres_available(), f"PostgreSQL is not reachable at {POSTGRES_URL}")


@asynccontextmanager
async def fresh_database(backend: str, folder: Path, name: str) -> AsyncIterator[URL]:
    """A new empty database for the duration of the block."""
    if backend == "sqlite":
        yield make_url(f"sqlite+aiosqlite:///{folder / f'{name}.db'}")
        return
    await require_postgres()
    database = f"chorus_test_{name}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
        try:
            yield make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=database)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()
