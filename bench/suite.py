"""The suite as deployed, on fresh databases: auth, resource, Envoy, and the two ceilings.

The services are the real commands (`python -m chorus_auth serve`, ...) with
their production defaults (argon2id 64 MiB x 3 passes, 5-minute access
tokens, INFO access logs), configured by env values only. PostgreSQL
databases are created under unique names and dropped afterwards; SQLite files
live in the run folder.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.processes import Running, run_command, start_envoy, start_listening, stop
from chorus_devtools.processes import clean_env
from scripts.render_envoy_config import render

PYTHON = sys.executable
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Suite:
    auth: Running
    resource: Running
    envoy: Running
    echo: Running
    reference: Running | None
    """The bare grpc.aio + asyncpg ListSongs and GetSong (PostgreSQL only)."""
    db: str
    auth_workers: int
    resource_workers: int


@dataclass(frozen=True)
class Databases:
    auth: str
    resource: str
    """The resource service's own URL: on PostgreSQL a login role subject to row-level security."""
    resource_owner: str
    """The tables' owner, for migrations."""
    app_role: str


@asynccontextmanager
async def databases(db: str, folder: Path, postgres_url: str) -> AsyncIterator[Databases]:
    """Two new empty databases (auth, resource), removed afterwards.

    On PostgreSQL the resource service connects as a deployment has it (see
    the README, "Row-level security"): a login role that neither owns the
    tables nor bypasses row-level security, member of the group role the
    migrations grant table rights to. Roles and databases get unique names.
    """
    if db == "sqlite":
        resource = f"sqlite:///{folder / 'resource.db'}"
        yield Databases(
            f"sqlite:///{folder / 'auth.db'}", resource, resource, "chorus_resource_app"
        )
        return
    base = make_url(postgres_url)
    if (base.host or "") not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError(f"the benchmark only talks to loopback databases, not {base.host!r}")
    stamp = uuid.uuid4().hex[:12]
    auth_name, resource_name = f"chorus_bench_auth_{stamp}", f"chorus_bench_resource_{stamp}"
    app_role, login_role = f"chorus_bench_app_{stamp}", f"chorus_bench_login_{stamp}"
    admin = await asyncpg.connect(postgres_url, timeout=10)
    try:
        await admin.execute(f"CREATE ROLE {app_role} NOLOGIN NOBYPASSRLS")
        await admin.execute(f"CREATE ROLE {login_role} LOGIN NOBYPASSRLS IN ROLE {app_role}")
        try:
            for name in (auth_name, resource_name):
                await admin.execute(f'CREATE DATABASE "{name}"')
            try:

                def url(database: str, user: str | None = None) -> str:
                    changed = base.set(database=database)
                    if user is not None:
                        changed = changed.set(username=user, password=None)
                    return changed.render_as_string(hide_password=False)

                yield Databases(
                    auth=url(auth_name),
                    resource=url(resource_name, login_role),
                    resource_owner=url(resource_name),
                    app_role=app_role,
                )
            finally:
                for name in (auth_name, resource_name):
                    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.execute(f"DROP ROLE IF EXISTS {login_role}")
            await admin.execute(f"DROP ROLE IF EXISTS {app_role}")
    finally:
        await admin.close()


async def settle(resource_owner_url: str) -> None:
    """VACUUM ANALYZE the freshly seeded resource tables, as autovacuum would within minutes.

    Without it the planner knows nothing of the 10,000 rows just added
    (it estimates one row per tenant and picks plans for that) and counts
    visit the heap for every row (no visibility map yet): a state a running
    deployment is only in right after a bulk load.
    """
    connection = await asyncpg.connect(resource_owner_url, timeout=10)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def postgres_version(postgres_url: str) -> str:
    connection = await asyncpg.connect(postgres_url, timeout=10)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


@asynccontextmanager
async def running_suite(
    folder: Path,
    *,
    db: str,
    urls: Databases,
    auth_workers: int,
    resource_workers: int,
) -> AsyncIterator[Suite]:
    """Keys, migrations, then auth, resource, Envoy and the echo server, all serving."""
    settings = {
        "CHORUS_AUTH_KEYS_DIR": str(folder / "keys"),
        "CHORUS_AUTH_DATABASE_URL": urls.auth,
        "CHORUS_RESOURCE_DATABASE_URL": urls.resource,
        "CHORUS_RESOURCE_MIGRATION_DATABASE_URL": urls.resource_owner,
        "CHORUS_RESOURCE_APP_ROLE": urls.app_role,
    }
    env = clean_env(**settings)
    await run_command([PYTHON, "-m", "chorus_auth", "keys", "generate"], env)
    await run_command([PYTHON, "-m", "chorus_auth", "migrate"], env)
    await run_command([PYTHON, "-m", "chorus_resource", "migrate"], env)
    started: list[Running] = []
    try:
        auth = await start_listening(
            "auth",
            [PYTHON, "-m", "chorus_auth", "serve"],
            clean_env(
                **settings,
                CHORUS_AUTH_LISTEN="127.0.0.1:0",
                CHORUS_WORKERS=str(auth_workers),
            ),
            folder,
        )
        started.append(auth)
        resource = await start_listening(
            "resource",
            [PYTHON, "-m", "chorus_resource", "serve"],
            clean_env(
                **settings,
                CHORUS_RESOURCE_LISTEN="127.0.0.1:0",
                CHORUS_RESOURCE_JWKS=f"grpc://{auth.target}",
                CHORUS_WORKERS=str(resource_workers),
            ),
            folder,
        )
        started.append(resource)
        jwks = folder / "jwks.json"
        await run_command([PYTHON, "-m", "chorus_auth", "keys", "jwks"], env, out=jwks)
        config = folder / "envoy.yaml"
        config.write_text(
            render(
                jwks=jwks,
                listen="127.0.0.1:0",
                admin="127.0.0.1:0",
                auth=auth.target,
                resource=resource.target,
            )
        )
        envoy = await start_envoy(config, folder)
        started.append(envoy)
        echo = await start_listening("echo", [PYTHON, "-m", "bench.echo"], clean_env(), folder)
        started.append(echo)
        reference = None
        if db == "postgresql":
            reference = await start_listening(
                "reference",
                [
                    *(PYTHON, "-m", "bench.reference", "--database-url", urls.resource_owner),
                    *("--workers", str(resource_workers)),
                ],
                clean_env(),
                folder,
            )
            started.append(reference)
        yield Suite(auth, resource, envoy, echo, reference, db, auth_workers, resource_workers)
    finally:
        for running in reversed(started):
            await stop(running)
