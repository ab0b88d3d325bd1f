"""The tenant declared inside each statement (PostgreSQL): in time, for that call only.

Reads and creates run without an explicit transaction, each statement
declaring its tenant itself (`TenantScope`). These tests would fail if the
declaration came too late (row-level security would hide every row), went to
the wrong statement (another call's tenant), or outlived its statement on a
pooled connection (a later statement declaring nothing would see rows).
"""

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Select, select

from chorus.resource.v1.song_service_pb2 import Song as SongMessage
from chorus_client import ChorusClient, UserSession
from chorus_core.database import Database, DriverConnection, StatementConnection
from chorus_resource.songs import Song
from chorus_resource.statements import Rows, Statement
from chorus_resource.tenant_scope import TenantScope, tenant_values
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened
from tests.support.songs import all_ids

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)

CALLS = 240
"""Concurrent calls of each test: many times the pools' connections."""


async def tenant_of(user: UserSession) -> str:
    return (await user.who_am_i()).tenant_id


def unfiltered(scope: TenantScope) -> Select[Any]:
    """Every song row the policies let through: no tenant filter of our own at all.

    It names the declared tenant only in its select list, which makes the
    song scan depend on the declaration as every store statement does.
    """
    return scope.rows_of(select(Song.id, scope.tenant.label("declared")))


@pytest.fixture
async def small_pool(suite: InProcessSuite) -> AsyncIterator[Database]:
    """The service's URL and class, with two connections for many concurrent statements."""
    async with opened(suite.resource_settings.database_url, pool_size=2, max_overflow=0) as db:
        yield db


async def rows_alone(db: Database, tenant: str, connection: StatementConnection) -> Rows:
    """`unfiltered` as the store runs a statement without a transaction (straight to asyncpg)."""
    statement = Statement(unfiltered(TenantScope(declare=True)), db.engine.dialect)
    return await statement.rows(connection, tenant_values(tenant))


def driver(connection: StatementConnection) -> Any:
    """The asyncpg connection under a statement connection (PostgreSQL)."""
    assert isinstance(connection, DriverConnection)
    return connection.driver


async def test_each_statement_sees_exactly_its_own_tenant_on_shared_connections(
    small_pool: Database, jane: UserSession, john: UserSession
) -> None:
    tenants = {await tenant_of(jane): set(await all_ids(jane))}
    tenants[await tenant_of(john)] = set(await all_ids(john))
    order = [tenant for tenant in tenants for _ in range(CALLS // 2)]
    random.Random(13).shuffle(order)  # noqa: S311 (a fixed interleaving, not a secret)
    backends: set[int] = set()

    async def one(tenant: str) -> None:
        async with small_pool.statement_connection() as connection:
            rows = await rows_alone(small_pool, tenant, connection)
            backends.add(await driver(connection).fetchval("SELECT pg_backend_pid()"))
            left = await driver(connection).fetchval(
                "SELECT current_setting('app.tenant_id', true)"
            )
        assert {song_id for song_id, _ in rows} == tenants[tenant], "declared too late or wrongly"
        assert {declared for _, declared in rows} == {tenant}
        assert left in ("", None), f"{left!r} outlived its statement"

    await asyncio.gather(*(one(tenant) for tenant in order))
    assert len(backends) == 2, "every statement ran on one of the two pooled connections"


async def test_a_statement_that_declares_nothing_sees_nothing_after_declaring_ones(
    small_pool: Database, jane: UserSession
) -> None:
    tenant = await tenant_of(jane)
    for _ in range(5):
        async with small_pool.statement_connection() as connection:
            assert len(await rows_alone(small_pool, tenant, connection)) == 2
            nothing = await driver(connection).fetchval("SELECT id FROM songs LIMIT 1")
        assert nothing is None, "the previous statement's tenant is still declared"


async def test_concurrent_calls_of_many_tenants_each_get_only_their_own(
    client: ChorusClient,
) -> None:
    """Through the service: reads, creates and updates of eight tenants interleaved on its
    pools (an update declares its tenant in a transaction on the driver's connection)."""
    users = await asyncio.gather(
        *(client.sign_up(unique_email(f"t{n}"), PASSWORD) for n in range(8))
    )
    owned: dict[int, set[str]] = {}
    for n, user in enumerate(users):
        created = await asyncio.gather(
            *(user.songs.create(f"Song {i} of {n}", f"Band {n}") for i in range(n + 1))
        )
        owned[n] = {song.id for song in created}
    kinds = ("list", "get", "create", "update")
    rounds = CALLS // (len(kinds) * len(users))
    calls = [(n, kind) for n in range(len(users)) for kind in kinds] * rounds
    random.Random(7).shuffle(calls)  # noqa: S311 (a fixed interleaving, not a secret)

    async def call(n: int, kind: str) -> None:
        user = users[n]
        if kind == "list":
            response = await user.songs.query(100)
            ids = {song.id for song in response.songs}
            assert ids >= owned[n], f"tenant {n} missed its own songs"
            assert all(song.artist == f"Band {n}" for song in response.songs)
            assert response.total_size == len(response.songs)
        elif kind == "get":
            song_id = next(iter(owned[n]))
            assert (await user.songs.get(song_id)).artist == f"Band {n}"
        elif kind == "update":
            song_id = next(iter(owned[n]))
            changed = await user.songs.update(
                SongMessage(id=song_id, name=f"Renamed by {n}"), ["name"]
            )
            assert (changed.id, changed.artist) == (song_id, f"Band {n}")
        else:
            song = await user.songs.create("Added", f"Band {n}")
            assert song.artist == f"Band {n}"

    await asyncio.gather(*(call(n, kind) for n, kind in calls))
    for n, user in enumerate(users):
        response = await user.songs.query(100)
        assert {song.artist for song in response.songs} == {f"Band {n}"}
        assert response.total_size == len(owned[n]) + rounds
