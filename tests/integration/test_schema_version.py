"""A service refuses to start on a database its migrations have not reached (code upgraded,
`migrate` forgotten), saying to run it; a newer migration than it knows only warns.

Each test makes its own databases, on SQLite and on PostgreSQL (where the
resource service reads the version as its own role, which owns nothing).
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL

from chorus_auth.app import build_auth_server
from chorus_core.database import Database, create_engine
from chorus_core.migrations import alembic_config
from chorus_core.server import GrpcServer, ServerSettings
from chorus_devtools.suite import run_command
from chorus_resource.app import build_resource_server
from chorus_resource.settings import ResourceSettings
from tests.support.databases import BACKENDS, fresh_database, resource_service_role
from tests.support.in_process import InProcessSuite, auth_settings
from tests.support.processes import service_env
from tests.support.starting import start_error

SERVICES = ("resource", "auth")

SETTINGS_FROM_ONE_SUITE = pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
"""The suite only lends its settings (keys, the auth service's address): one is enough."""


@pytest.fixture(params=BACKENDS)
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator["Target"]:
    async with (
        resource_service_role(request.param) as roles,
        fresh_database(request.param, tmp_path, "schema") as owner_url,
    ):
        yield Target(owner_url, roles.url(owner_url), roles.app_role)


class Target:
    """A fresh database: the owner's URL (migrations) and the resource service's own."""

    def __init__(self, owner_url: URL, service_url: URL, app_role: str) -> None:
        self.owner_url = owner_url
        self.service_url = service_url
        self.app_role = app_role

    async def migrate(self, service: str, revision: str = "head") -> None:
        config = alembic_config(service, self.owner_url, app_role=self.app_role)
        await asyncio.to_thread(command.upgrade, config, revision)

    async def set_version(self, revision: str) -> None:
        """Write `revision` into the version table, as a database at that migration has it."""
        engine = create_engine(self.owner_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE alembic_version SET version_num = :revision"),
                    {"revision": revision},
                )
        finally:
            await engine.dispose()


def newest_and_previous(service: str) -> tuple[str, str]:
    scripts = ScriptDirectory.from_config(alembic_config(service, URL.create("sqlite")))
    head = scripts.get_revision("head")
    assert head is not None
    assert isinstance(head.down_revision, str)
    return head.revision, head.down_revision


def build(service: str, target: Target, suite: InProcessSuite) -> tuple[GrpcServer, Database]:
    listen = ServerSettings(listen="127.0.0.1:0", shutdown_grace_seconds=1)
    if service == "resource":
        settings: ResourceSettings = replace(
            suite.resource_settings,
            database_url=target.service_url,
            migration_database_url=target.owner_url,
            app_role=target.app_role,
            server=listen,
        )
        return build_resource_server(settings)
    keys = suite.auth_settings.keys_dir
    return build_auth_server(auth_settings(keys, target.owner_url, server=listen, jwks_listen=""))


@SETTINGS_FROM_ONE_SUITE
@pytest.mark.parametrize("service", SERVICES)
async def test_a_database_never_migrated_is_refused(
    service: str, target: Target, suite: InProcessSuite
) -> None:
    message = await start_error(build(service, target, suite))
    assert message == (
        f"the {service} database has no tables yet: run `python -m chorus_{service} migrate` first"
    )


@SETTINGS_FROM_ONE_SUITE
@pytest.mark.parametrize("service", SERVICES)
async def test_a_database_one_migration_behind_is_refused_naming_both(
    service: str, target: Target, suite: InProcessSuite
) -> None:
    newest, previous = newest_and_previous(service)
    await target.migrate(service)
    await target.set_version(previous)
    message = await start_error(build(service, target, suite))
    assert message == (
        f"the {service} database is at migration {previous}; this version needs {newest}: "
        f"run `python -m chorus_{service} migrate` first"
    )


@SETTINGS_FROM_ONE_SUITE
@pytest.mark.parametrize("service", SERVICES)
async def test_a_database_really_left_behind_is_refused_until_migrated(
    service: str, target: Target, suite: InProcessSuite
) -> None:
    """At the previous migration as it was made (on PostgreSQL without the grant the newest
    resource migration adds: the refusal then says so), then migrated: it serves."""
    _newest, previous = newest_and_previous(service)
    await target.migrate(service, previous)
    message = await start_error(build(service, target, suite))
    assert f"run `python -m chorus_{service} migrate`" in message
    await target.migrate(service)
    assert await start_error(build(service, target, suite)) == ""


@SETTINGS_FROM_ONE_SUITE
@pytest.mark.parametrize("service", SERVICES)
async def test_a_newer_migration_than_the_code_knows_serves_with_a_warning(
    service: str,
    target: Target,
    suite: InProcessSuite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Newer code migrated it (an upgrade under way, or the code rolled back)."""
    await target.migrate(service)
    await target.set_version("0123456789ab")
    with caplog.at_level(logging.WARNING, logger="chorus.database"):
        assert await start_error(build(service, target, suite)) == ""
    assert any(
        "at migration 0123456789ab, newer than this version" in record.getMessage()
        for record in caplog.records
    )


async def test_serve_on_an_unmigrated_database_exits_saying_to_migrate(tmp_path: Path) -> None:
    """The real command, as a newcomer who skipped `make migrate` meets it: one line, exit 2."""
    env = service_env(tmp_path, 1)
    keys = await asyncio.to_thread(
        run_command, "chorus_auth", "keys", "generate", env=env, cwd=tmp_path
    )
    assert keys.returncode == 0, keys.stderr
    for service in SERVICES:
        result = await asyncio.to_thread(
            run_command, f"chorus_{service}", "serve", env=env, cwd=tmp_path
        )
        assert result.returncode == 2, result.stderr
        assert f"has no tables yet: run `python -m chorus_{service} migrate` first" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr
