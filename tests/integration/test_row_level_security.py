"""Row-level security, the second wall (PostgreSQL only: SQLite has just the first).

Everything here goes through the resource service's own login role, its
`Database` class and the way it opens a transaction for a caller
(`TenantDatabase.transaction`, which declares the tenant), with queries that
deliberately leave out the tenant filter the `ResourceStore` would add:
whatever they see, the policies let through.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_client import UserSession
from chorus_core.caller import Caller
from chorus_core.database import Database
from chorus_core.sqltypes import utcnow
from chorus_resource.catalog import RESOURCES  # noqa: F401  (every resource's tables)
from chorus_resource.models import Base
from chorus_resource.songs import Song
from chorus_resource.tenant_database import TenantDatabase
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import opened
from tests.support.songs import all_ids, all_songs

TENANT_TABLES = [t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.c]
"""Every table of tenant data, from the models: each must have forced row-level security."""

pytestmark = pytest.mark.parametrize("suite", ["postgresql"], indirect=True)

POLICY_VIOLATION = "violates row-level security policy"


async def tenant_of(user: UserSession) -> str:
    return (await user.who_am_i()).tenant_id


@asynccontextmanager
async def transaction(
    db: Database, tenant_id: str | None, *, write: bool = False
) -> AsyncIterator[AsyncConnection]:
    """A transaction opened the way the service opens one for a caller in `tenant_id`
    (`TenantDatabase.transaction`); None: a bare one that declared no tenant."""
    if tenant_id is None:
        async with db.write_connection() if write else db.read_connection() as connection:
            yield connection
        return
    caller = Caller(user_id=str(uuid.uuid4()), tenant_id=tenant_id, role="viewer", token_id="")
    async with TenantDatabase(db).transaction(caller, write=write) as connection:
        yield connection


async def change_in(
    db: Database, tenant_id: str | None, change: Callable[[AsyncConnection], Awaitable[object]]
) -> None:
    """Run `change` in a write transaction that declared `tenant_id`, and commit."""
    async with transaction(db, tenant_id, write=True) as session:
        await change(session)


async def visible_ids(session: AsyncConnection) -> set[str]:
    """The ids of every song the transaction can see: no tenant filter at all."""
    return set(await session.scalars(select(Song.id)))


async def tenant_setting(session: AsyncConnection) -> str | None:
    setting: str | None = await session.scalar(
        text("SELECT current_setting('app.tenant_id', true)")
    )
    return setting


def plant_song(tenant_id: str) -> Callable[[AsyncConnection], Awaitable[object]]:
    """A change that inserts a song into `tenant_id`."""

    async def plant(session: AsyncConnection) -> None:
        now = utcnow()
        await session.execute(
            insert(Song).values(
                id=str(uuid.uuid4()),
                tenant_id=tenant_id,
                created_by=str(uuid.uuid4()),
                create_time=now,
                update_time=now,
                name="Planted",
                artist="Intruder",
            )
        )

    return plant


async def test_the_service_role_neither_owns_the_tables_nor_bypasses_the_policies(
    suite: InProcessSuite,
) -> None:
    async with suite.resource_db.read() as session:
        user, superuser, bypass = (
            await session.execute(
                text(
                    "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles "
                    "WHERE rolname = current_user"
                )
            )
        ).one()
        tables = (
            await session.execute(
                text(
                    "SELECT c.relname, t.tableowner, c.relrowsecurity, c.relforcerowsecurity,"
                    " pg_has_role(current_user, t.tableowner, 'MEMBER')"
                    " FROM pg_tables t JOIN pg_class c ON c.relname = t.tablename"
                    " JOIN information_schema.columns col ON col.table_name = t.tablename"
                    " WHERE t.schemaname = 'public' AND col.column_name = 'tenant_id'"
                )
            )
        ).all()

    assert user == suite.resource_settings.database_url.username
    assert (superuser, bypass) == (False, False)
    assert sorted(table for table, *_ in tables) == sorted(TENANT_TABLES)
    for table, owner, enabled, forced, owner_member in tables:
        assert owner != user, table
        assert not owner_member, f"{user} is a member of {table}'s owner {owner}"
        assert (enabled, forced) == (True, True), f"{table}: row-level security must be forced"


async def test_an_unscoped_query_sees_only_the_declared_tenants_rows(
    suite: InProcessSuite, jane: UserSession, john: UserSession
) -> None:
    for user in (jane, john):
        async with transaction(suite.resource_db, await tenant_of(user)) as session:
            seen = await visible_ids(session)
            count = await session.scalar(text("SELECT count(*) FROM songs"))

        assert seen == set(await all_ids(user))
        assert count == 2


async def test_with_no_tenant_declared_nothing_is_visible(
    suite: InProcessSuite, jane: UserSession, john: UserSession
) -> None:
    async with transaction(suite.resource_db, None, write=True) as session:
        assert await visible_ids(session) == set()
        assert await session.scalar(select(func.count()).select_from(Song)) == 0
        changed = await session.execute(update(Song).values(name="Nobody's"))
        assert changed.rowcount == 0

    assert len(await all_songs(jane)) == len(await all_songs(john)) == 2


async def test_unscoped_updates_and_deletes_touch_only_the_declared_tenant(
    suite: InProcessSuite, jane: UserSession, john: UserSession
) -> None:
    johns_before = await all_songs(john)

    async with transaction(suite.resource_db, await tenant_of(jane), write=True) as session:
        updated = await session.execute(update(Song).values(artist="Overwritten"))
        await session.execute(delete(Song).where(Song.name == "Aberdeen"))

    assert updated.rowcount == 2
    assert [(s.name, s.artist) for s in await all_songs(jane)] == [
        ("Cigarette Daydreams", "Overwritten")
    ]
    assert await all_songs(john) == johns_before


@pytest.mark.parametrize("declared", [True, False], ids=["another tenant", "no tenant"])
async def test_a_row_for_another_tenant_is_refused(
    suite: InProcessSuite, jane: UserSession, john: UserSession, declared: bool
) -> None:
    declaring = await tenant_of(jane) if declared else None
    plant = plant_song(await tenant_of(john))

    with pytest.raises(DBAPIError, match=POLICY_VIOLATION):
        await change_in(suite.resource_db, declaring, plant)

    assert len(await all_songs(john)) == 2


async def test_a_row_cannot_be_moved_to_another_tenant(
    suite: InProcessSuite, jane: UserSession, john: UserSession
) -> None:
    move = update(Song).values(tenant_id=await tenant_of(john))

    with pytest.raises(DBAPIError, match=POLICY_VIOLATION):
        await change_in(suite.resource_db, await tenant_of(jane), lambda s: s.execute(move))

    assert len(await all_songs(jane)) == len(await all_songs(john)) == 2


@pytest.fixture
async def one_connection(suite: InProcessSuite) -> AsyncIterator[Database]:
    """The service's URL and class, with a pool of exactly one connection."""
    async with opened(suite.resource_settings.database_url, pool_size=1, max_overflow=0) as db:
        yield db


class Aborted(Exception):
    """Raised to roll a transaction back."""


async def abort(session: AsyncConnection) -> None:
    raise Aborted


ROLLED_BACK = "john, rolled back"
"""A step that declares john's tenant, then rolls back."""


async def test_the_tenant_never_outlives_its_transaction_on_a_pooled_connection(
    one_connection: Database, jane: UserSession, john: UserSession
) -> None:
    tenants = {"jane": await tenant_of(jane), "john": await tenant_of(john)}
    songs = {"jane": set(await all_ids(jane)), "john": set(await all_ids(john))}
    steps = ["jane", "john", "jane", None, "john", None, None, "jane", "jane", None]
    steps += [ROLLED_BACK, None, "jane", ROLLED_BACK, "jane", None]
    connections = set()

    for n, step in enumerate(steps):
        if step == ROLLED_BACK:
            with pytest.raises(Aborted):
                await change_in(one_connection, tenants["john"], abort)
            continue
        declared = tenants[step] if step else None
        async with transaction(one_connection, declared) as session:
            connections.add(await session.scalar(text("SELECT pg_backend_pid()")))
            setting = await tenant_setting(session)
            seen = await visible_ids(session)
        if step is None:
            assert setting in ("", None), f"step {n}: {setting!r} is left over from before"
            assert seen == set(), f"step {n}"
        else:
            assert (setting, seen) == (declared, songs[step]), f"step {n}"

    assert len(connections) == 1, "every transaction ran on the one pooled connection"
