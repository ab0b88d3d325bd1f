"""The resource service refuses a PostgreSQL role that row-level security does
not bind (issue 14, failure 9): a superuser, a BYPASSRLS role, or the tables'
owner; CHORUS_RESOURCE_ALLOW_RLS_BYPASS turns the refusal into a warning."""

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL

from chorus_core.migrations import upgrade_to_head
from chorus_core.server import ServerSettings
from chorus_devtools.databases import fresh_role
from chorus_devtools.suite import run_command
from chorus_resource.app import build_resource_server
from chorus_resource.settings import ResourceSettings
from tests.support.databases import POSTGRES_URL, fresh_database
from tests.support.in_process import InProcessSuite
from tests.support.processes import service_env
from tests.support.starting import start_error

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)


def as_role(suite: InProcessSuite, url: URL, **overrides: object) -> ResourceSettings:
    return replace(
        suite.resource_settings,
        database_url=url,
        server=ServerSettings(listen="127.0.0.1:0", shutdown_grace_seconds=1),
        **overrides,  # type: ignore[arg-type]
    )


async def refusal(settings: ResourceSettings) -> str:
    """The message the resource service with `settings` refuses to start with ("" if it starts)."""
    return await start_error(build_resource_server(settings))


def login_role(options: str) -> AbstractAsyncContextManager[str]:
    return fresh_role(POSTGRES_URL, "chorus_test", f"LOGIN {options}")


async def test_a_superuser_is_refused_with_what_to_grant_instead(suite: InProcessSuite) -> None:
    superuser = suite.resource_settings.migration_database_url  # the tests' postgres role
    message = await refusal(as_role(suite, superuser))
    assert "is a superuser" in message
    assert f"IN ROLE {suite.resource_settings.app_role}" in message
    assert "CHORUS_RESOURCE_ALLOW_RLS_BYPASS" in message
    assert await refusal(as_role(suite, superuser, allow_rls_bypass=True)) == ""


async def test_a_bypassrls_role_is_refused(suite: InProcessSuite) -> None:
    app_role = suite.resource_settings.app_role
    async with login_role(f"BYPASSRLS IN ROLE {app_role}") as name:
        url = suite.resource_settings.database_url.set(username=name)
        assert "has BYPASSRLS" in await refusal(as_role(suite, url))


async def test_the_tables_owner_is_refused(suite: InProcessSuite, tmp_path: Path) -> None:
    app_role = suite.resource_settings.app_role
    async with (
        login_role("NOBYPASSRLS") as owner,
        fresh_database("postgresql", tmp_path, "owned") as database,
    ):
        admin = await asyncpg.connect(POSTGRES_URL)
        try:
            await admin.execute(f'ALTER DATABASE "{database.database}" OWNER TO {owner}')
        finally:
            await admin.close()
        owned = database.set(username=owner)
        await asyncio.to_thread(upgrade_to_head, "resource", owned, app_role=app_role)
        assert "owns tables with row-level security" in await refusal(as_role(suite, owned))


async def test_serve_exits_with_the_message(suite: InProcessSuite, tmp_path: Path) -> None:
    superuser = suite.resource_settings.migration_database_url
    env = service_env(
        tmp_path,
        1,
        CHORUS_RESOURCE_DATABASE_URL=superuser.render_as_string(hide_password=False),
        CHORUS_RESOURCE_APP_ROLE=suite.resource_settings.app_role,
    )
    result = await asyncio.to_thread(run_command, "chorus_resource", "serve", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "row-level security would not bind" in result.stderr
    assert "Traceback" not in result.stderr
