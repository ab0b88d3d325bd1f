"""The servers a run measures, on fresh databases: the suite as deployed, and the two ceilings.

The suite (auth, resource, Envoy) is `chorus_devtools.suite`'s, the one
`make run` starts: the real commands (`python -m chorus_auth serve`, ...)
with their production defaults (argon2id 64 MiB x 3 passes, 5-minute access
tokens, INFO access logs), configured by env values only. Beside it run the
ceilings: a bare grpc.aio echo server, and on PostgreSQL a bare grpc.aio +
asyncpg server of the same reads. PostgreSQL databases are created under
unique names and dropped afterwards; SQLite files live in the run folder.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from chorus_devtools import processes
from chorus_devtools.databases import fresh_database, resource_service_roles
from chorus_devtools.processes import Service, clean_env
from chorus_devtools.suite import Suite, prepare, run_command, running_suite
from scripts.render_envoy_config import render

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
START_SECONDS = 60.0


@dataclass(frozen=True)
class Servers:
    """Every server a run measures."""

    suite: Suite
    echo: Service
    reference: Service | None
    """The bare grpc.aio + asyncpg ListSongs and GetSong (PostgreSQL only)."""
    db: str
    auth_workers: int
    resource_workers: int
    env: Mapping[str, str]
    """The settings the suite's services were started with (`bench.layers` reuses them)."""

    @property
    def auth(self) -> Service:
        return self.suite.auth

    @property
    def resource(self) -> Service:
        return self.suite.resource

    @property
    def envoy(self) -> Service:
        if self.suite.gateway is None:
            raise RuntimeError("the benchmark runs the suite with Envoy in front")
        return self.suite.gateway


async def start_ceiling(name: str, argv: Sequence[str], folder: Path) -> Service:
    """A bare server of the benchmark's own (`python -m bench.echo`, ...), once listening."""
    return await processes.start_listening(
        name, argv, clean_env(), cwd=ROOT, log_file=folder / f"{name}.log", within=START_SECONDS
    )


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

    def url(database: str, user: str | None = None) -> str:
        changed = base.set(database=database)
        if user is not None:
            changed = changed.set(username=user, password=None)
        return changed.render_as_string(hide_password=False)

    async with (
        resource_service_roles(postgres_url, "chorus_bench") as roles,
        fresh_database(postgres_url, "chorus_bench_auth") as auth,
        fresh_database(postgres_url, "chorus_bench_resource") as resource,
    ):
        yield Databases(
            auth=url(auth),
            resource=url(resource, roles.login),
            resource_owner=url(resource),
            app_role=roles.group,
        )


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
async def running_servers(
    folder: Path,
    *,
    db: str,
    urls: Databases,
    auth_workers: int,
    resource_workers: int,
) -> AsyncIterator[Servers]:
    """Keys, migrations, then the suite with Envoy in front, the echo server and the reference."""
    env = clean_env(
        CHORUS_AUTH_KEYS_DIR=str(folder / "keys"),
        CHORUS_AUTH_DATABASE_URL=urls.auth,
        CHORUS_AUTH_LISTEN="127.0.0.1:0",
        CHORUS_RESOURCE_DATABASE_URL=urls.resource,
        CHORUS_RESOURCE_MIGRATION_DATABASE_URL=urls.resource_owner,
        CHORUS_RESOURCE_APP_ROLE=urls.app_role,
        CHORUS_RESOURCE_LISTEN="127.0.0.1:0",
    )
    await asyncio.to_thread(prepare, env, ROOT)
    jwks = await asyncio.to_thread(run_command, "chorus_auth", "keys", "jwks", env=env, cwd=ROOT)
    if jwks.returncode != 0:
        raise RuntimeError(f"chorus_auth keys jwks failed:\n{jwks.stderr}")
    (folder / "jwks.json").write_text(jwks.stdout)

    def gateway_config(auth: Service, resource: Service) -> Path:
        config = folder / "envoy.yaml"
        config.write_text(
            render(
                jwks=folder / "jwks.json",
                listen="127.0.0.1:0",
                admin="127.0.0.1:0",
                auth=auth.target,
                resource=resource.target,
            )
        )
        return config

    async with running_suite(
        env,
        cwd=ROOT,
        logs=folder,
        auth_workers=auth_workers,
        resource_workers=resource_workers,
        gateway=gateway_config,
    ) as suite:
        ceilings: list[Service] = []
        try:
            ceilings.append(await start_ceiling("echo", [PYTHON, "-m", "bench.echo"], folder))
            if db == "postgresql":
                argv = [
                    *(PYTHON, "-m", "bench.reference", "--database-url", urls.resource_owner),
                    *("--workers", str(resource_workers)),
                ]
                ceilings.append(await start_ceiling("reference", argv, folder))
            reference = ceilings[1] if len(ceilings) > 1 else None
            yield Servers(suite, ceilings[0], reference, db, auth_workers, resource_workers, env)
        finally:
            for ceiling in reversed(ceilings):
                await ceiling.stop()
