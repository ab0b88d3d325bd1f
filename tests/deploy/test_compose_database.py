"""The compose PostgreSQL setup, run for real against the test PostgreSQL.

deploy/compose/postgres/init-chorus-databases.sh (what the postgres container
runs on its first start) is run with psql under unique names, with passwords
from files made by init_secrets.py; then the migrations run as the owners and
both services as their login roles, exactly as compose.yaml configures them,
and a user signs up and stores a song. This is what `docker compose up` would
do, minus the containers.
"""

import asyncio
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from chorus_client import ChorusClient
from chorus_devtools.processes import clean_env
from chorus_devtools.suite import run_command
from deploy.compose.init_secrets import KEYS_DIR, init_secrets
from tests.support.accounts import PASSWORD, unique_email
from tests.support.databases import POSTGRES_URL, require_postgres
from tests.support.deploy_tools import ROOT
from tests.support.processes import running_service
from tests.support.required import require

INIT_SCRIPT = ROOT / "deploy/compose/postgres/init-chorus-databases.sh"


@dataclass(frozen=True)
class Names:
    auth_db: str
    resource_db: str
    resource_owner: str
    resource_app: str
    resource_login: str

    def env(self) -> dict[str, str]:
        return {
            "CHORUS_AUTH_DB": self.auth_db,
            "CHORUS_RESOURCE_DB": self.resource_db,
            "CHORUS_RESOURCE_OWNER": self.resource_owner,
            "CHORUS_RESOURCE_APP_ROLE": self.resource_app,
            "CHORUS_RESOURCE_LOGIN": self.resource_login,
        }


@pytest.fixture
async def names() -> AsyncIterator[Names]:
    """Unique names; the databases and roles are dropped afterwards."""
    await require_postgres()
    require(shutil.which("psql") is not None, "psql (PostgreSQL's client) is not installed")
    tag = uuid.uuid4().hex[:8]
    made = Names(
        auth_db=f"t_auth_{tag}",
        resource_db=f"t_res_{tag}",
        resource_owner=f"t_res_owner_{tag}",
        resource_app=f"t_res_app_{tag}",
        resource_login=f"t_res_{tag}",
    )
    try:
        yield made
    finally:
        admin = await asyncpg.connect(POSTGRES_URL)
        try:
            for database in (made.auth_db, made.resource_db):
                await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            for role in (made.resource_login, made.resource_app, made.resource_owner, made.auth_db):
                await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            await admin.close()


def url(role: str, database: str) -> str:
    server = make_url(POSTGRES_URL)
    return f"postgresql://{role}@{server.host}:{server.port or 5432}/{database}"


async def test_compose_database_setup_runs_the_suite(names: Names, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    init_secrets(secrets)
    server = make_url(POSTGRES_URL)
    script_env = {
        **os.environ,
        **names.env(),
        "CHORUS_SECRETS_DIR": str(secrets),
        "PGHOST": str(server.host),
        "PGPORT": str(server.port or 5432),
        "POSTGRES_USER": str(server.username or "postgres"),
    }
    result = await asyncio.to_thread(
        subprocess.run,
        ["bash", str(INIT_SCRIPT)],
        env=script_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        roles = {
            row["rolname"]: row
            for row in await admin.fetch(
                "SELECT rolname, rolcanlogin, rolbypassrls, rolsuper, rolpassword "
                "FROM pg_authid WHERE rolname = ANY($1)",
                [names.auth_db, names.resource_owner, names.resource_app, names.resource_login],
            )
        }
        owners = dict(
            await admin.fetch(
                "SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = ANY($1)",
                [names.auth_db, names.resource_db],
            )
        )
        member = await admin.fetchval(
            "SELECT pg_has_role($1, $2, 'MEMBER')", names.resource_login, names.resource_app
        )
    finally:
        await admin.close()
    login = roles[names.resource_login]
    assert login["rolcanlogin"] is True
    assert login["rolbypassrls"] is False
    assert login["rolsuper"] is False
    assert roles[names.resource_app]["rolcanlogin"] is False
    assert member is True
    assert owners == {names.auth_db: names.auth_db, names.resource_db: names.resource_owner}
    for role in (names.auth_db, names.resource_owner, names.resource_login):
        assert str(roles[role]["rolpassword"]).startswith("SCRAM-SHA-256$"), role

    # The migrations, as compose's auth-migrate and resource-migrate run them.
    auth_env = clean_env(
        CHORUS_AUTH_LISTEN="127.0.0.1:0",
        CHORUS_AUTH_DATABASE_URL=url(names.auth_db, names.auth_db),
        CHORUS_AUTH_DATABASE_PASSWORD_FILE=str(secrets / "auth-db-password"),
        CHORUS_AUTH_KEYS_DIR=str(secrets / KEYS_DIR),
        CHORUS_AUTH_ARGON2_MEMORY_KIB="1024",
        CHORUS_AUTH_ARGON2_TIME_COST="1",
    )
    resource_settings = {
        "CHORUS_RESOURCE_DATABASE_URL": url(names.resource_login, names.resource_db),
        "CHORUS_RESOURCE_DATABASE_PASSWORD_FILE": str(secrets / "resource-db-password"),
        "CHORUS_RESOURCE_APP_ROLE": names.resource_app,
    }
    migrate_env = clean_env(
        **resource_settings,
        CHORUS_RESOURCE_MIGRATION_DATABASE_URL=url(names.resource_owner, names.resource_db),
        CHORUS_RESOURCE_MIGRATION_DATABASE_PASSWORD_FILE=str(
            secrets / "resource-owner-db-password"
        ),
    )
    for package, env in (("chorus_auth", auth_env), ("chorus_resource", migrate_env)):
        migrated = await asyncio.to_thread(run_command, package, "migrate", env=env, cwd=tmp_path)
        assert migrated.returncode == 0, migrated.stderr

    # Both services as their login roles, a user and a song through them.
    async with running_service("chorus_auth", auth_env, tmp_path) as auth:
        resource_env = clean_env(
            **resource_settings,
            CHORUS_RESOURCE_LISTEN="127.0.0.1:0",
            CHORUS_RESOURCE_JWKS=f"grpc://{auth.target}",
        )
        async with (
            running_service("chorus_resource", resource_env, tmp_path) as resource,
            ChorusClient(auth.target, resource.target) as client,
        ):
            jane = await client.sign_up(unique_email("compose"), PASSWORD)
            song = await jane.songs.create("Aberdeen", "Cage the Elephant", year=2011)
            listed = [s.id async for s in jane.songs.all()]
    assert listed == [song.id]
