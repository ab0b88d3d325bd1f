"""Fresh PostgreSQL databases and roles under unique names, dropped afterwards.

For tests and the benchmark: `admin_url` names a server and a role that may
create databases and roles (the local `postgres` superuser, trust auth).
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

CONNECT_SECONDS = 10


def unique(prefix: str) -> str:
    """`prefix` and 12 random hex digits: a name no other run uses."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def fresh_database(admin_url: str, prefix: str) -> AsyncIterator[str]:
    """A new empty database (its name) for the block; dropped even if clients are still on it."""
    name = unique(prefix)
    admin = await asyncpg.connect(admin_url, timeout=CONNECT_SECONDS)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@dataclass(frozen=True)
class ServiceRoles:
    """How a deployment has the resource service connect: as `login`, a member of `group`."""

    group: str
    """NOLOGIN; the migrations grant it the table rights (CHORUS_RESOURCE_APP_ROLE)."""
    login: str
    """LOGIN, neither owner of the tables nor BYPASSRLS: row-level security binds it."""


@asynccontextmanager
async def fresh_role(admin_url: str, prefix: str, options: str) -> AsyncIterator[str]:
    """A new role (its name) made with `options` (`LOGIN NOBYPASSRLS`, ...), dropped afterwards."""
    name = unique(prefix)
    admin = await asyncpg.connect(admin_url, timeout=CONNECT_SECONDS)
    try:
        await admin.execute(f"CREATE ROLE {name} {options}")
        try:
            yield name
        finally:
            await admin.execute(f"DROP ROLE IF EXISTS {name}")
    finally:
        await admin.close()


@asynccontextmanager
async def resource_service_roles(admin_url: str, prefix: str) -> AsyncIterator[ServiceRoles]:
    """The two roles for the block. Drop the databases that grant them rights first."""
    async with (
        fresh_role(admin_url, f"{prefix}_app", "NOLOGIN NOBYPASSRLS") as group,
        fresh_role(admin_url, f"{prefix}_login", f"LOGIN NOBYPASSRLS IN ROLE {group}") as login,
    ):
        yield ServiceRoles(group=group, login=login)
