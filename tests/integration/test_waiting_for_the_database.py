"""`serve` and `migrate` started before their database wait for it, for a while.

A migration Job or a service started beside its database (Kubernetes, compose)
may find it not listening yet, or its name not resolvable yet (one lost DNS
packet costs the resolver's 5 s timeout): each try is a warning line, and the
command goes on once the database takes a connection, or exits 1 with one
line when CHORUS_DATABASE_WAIT_SECONDS has passed. A database that answers
"no" (no such database) ends it at once: waiting would not help.
"""

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from chorus_devtools.suite import run_command
from tests.support import processes
from tests.support.databases import fresh_database
from tests.support.service_databases import opened
from tests.support.tcp_proxy import tcp_proxy

NOT_UP_YET = "is not reachable yet"


def env_for(folder: Path, url: str, wait_seconds: int) -> dict[str, str]:
    return processes.service_env(
        folder,
        5,
        CHORUS_AUTH_DATABASE_URL=url,
        CHORUS_DATABASE_WAIT_SECONDS=str(wait_seconds),
    )


def with_a_signing_key(env: dict[str, str], folder: Path) -> dict[str, str]:
    """What `serve` reads before it connects."""
    made = run_command("chorus_auth", "keys", "generate", env=env, cwd=folder)
    assert made.returncode == 0, made.stderr
    return env


def plain(url: URL) -> str:
    """As an operator writes it in CHORUS_AUTH_DATABASE_URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def test_migrate_waits_for_a_database_that_comes_up(tmp_path: Path) -> None:
    async with (
        fresh_database("postgresql", tmp_path, "waited_for") as url,
        tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy,
    ):
        await proxy.cut()  # the database is "not up yet": nothing listens on its port
        env = env_for(tmp_path, plain(url.set(port=proxy.port)), wait_seconds=60)
        migrating = asyncio.create_task(
            asyncio.to_thread(run_command, "chorus_auth", "migrate", env=env, cwd=tmp_path)
        )
        await asyncio.sleep(2.5)
        assert not migrating.done(), "migrate gave up before its wait was over"
        await proxy.restore()
        result = await migrating
        assert result.returncode == 0, result.stderr
        assert NOT_UP_YET in result.stderr
        assert "Traceback" not in result.stderr
        async with opened(url) as db, db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert "users" in tables


async def test_a_database_that_never_comes_up_ends_it_after_the_wait(tmp_path: Path) -> None:
    async with tcp_proxy("127.0.0.1", 5432) as proxy:
        await proxy.cut()
        url = f"postgresql://chorus:hunter2@127.0.0.1:{proxy.port}/chorus"
        started = time.monotonic()
        result = await asyncio.to_thread(
            run_command,
            "chorus_auth",
            "serve",
            env=with_a_signing_key(env_for(tmp_path, url, wait_seconds=3), tmp_path),
            cwd=tmp_path,
            timeout=30,
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert elapsed >= 3
    lines = result.stderr.splitlines()
    assert len(lines) >= 2, "a warning line for each try"
    assert all(NOT_UP_YET in line for line in lines[:-1]), lines
    assert lines[-1].startswith("chorus_auth: cannot connect to the database postgresql")
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


async def test_a_database_that_says_no_ends_it_at_once(tmp_path: Path) -> None:
    async with fresh_database("postgresql", tmp_path, "said_no") as url:
        missing = plain(url.set(database=f"{url.database}_missing"))
    started = time.monotonic()
    result = await asyncio.to_thread(
        run_command,
        "chorus_auth",
        "migrate",
        env=env_for(tmp_path, missing, wait_seconds=60),
        cwd=tmp_path,
        timeout=50,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert NOT_UP_YET not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("chorus_auth: cannot connect to the database postgresql"), line
    assert "does not exist" in line
    assert elapsed < 30


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_the_wait_is_a_setting(tmp_path: Path, command: str) -> None:
    env = with_a_signing_key(env_for(tmp_path, "sqlite:///x.db", 0), tmp_path)
    env["CHORUS_DATABASE_WAIT_SECONDS"] = "-1"
    result = run_command("chorus_auth", command, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "CHORUS_DATABASE_WAIT_SECONDS" in result.stderr
