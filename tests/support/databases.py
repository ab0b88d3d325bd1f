"""Fresh databases for tests: a SQLite file, or a PostgreSQL database made and
dropped under a unique name on the server at CHORUS_TEST_POSTGRES_URL."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from chorus_devtools import databases
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
    async with databases.fresh_database(POSTGRES_URL, f"chorus_test_{name}") as database:
        yield make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=database)


@dataclass(frozen=True)
class ServiceRole:
    """How the resource service connects: as `login_role`, a member of `app_role`."""

    app_role: str
    login_role: str | None

    def url(self, owner_url: URL) -> URL:
        """The service's URL for a database the owner's URL points at."""
        return owner_url if self.login_role is None else owner_url.set(username=self.login_role)


@asynccontextmanager
async def resource_service_role(backend: str) -> AsyncIterator[ServiceRole]:
    """The roles a deployment gives the resource service, under unique names.

    On PostgreSQL: a NOLOGIN group role (which the migrations grant table
    rights to) and a LOGIN role in it that neither owns the tables nor
    bypasses row-level security, so the service meets the policies. Open the
    database inside this block: it must be dropped before the roles. On
    SQLite there are no roles.
    """
    if backend != "postgresql":
        yield ServiceRole(app_role="chorus_resource_app", login_role=None)
        return
    await require_postgres()
    async with databases.resource_service_roles(POSTGRES_URL, "chorus_test") as roles:
        yield ServiceRole(app_role=roles.group, login_role=roles.login)
