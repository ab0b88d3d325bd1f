"""PostgreSQL connections that die in the pool are replaced before use; one that dies in use
fails only its call.

Before each use the pool looks whether the driver saw the connection's socket
close (no round trip), and pings a connection only when it has sat idle (not
before every use, which would cost three round trips a call). These tests kill
the server side of pooled connections and show what a caller then sees.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL

from chorus_core.database import Database, create_engine
from chorus_core.errors import DatabaseUnavailable, NotFound
from chorus_resource.statements import Statement
from tests.support.databases import POSTGRES_URL, fresh_database


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[URL]:
    async with fresh_database("postgresql", tmp_path, "pool") as url:
        yield url


async def backend_pid(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def terminate(pid: int) -> None:
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        # With a timeout, PostgreSQL answers once the backend has gone (not just signalled).
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()


async def test_a_connection_killed_while_idle_is_replaced_before_use(postgres: URL) -> None:
    db = Database(create_engine(postgres, ping_after_idle_seconds=0.0, pool_size=1))
    try:
        first = await backend_pid(db)
        await terminate(first)
        second = await backend_pid(db)  # no error: the ping found the dead connection
        assert second != first
    finally:
        await db.close()


async def test_a_connection_closed_while_idle_is_replaced_without_a_ping(postgres: URL) -> None:
    """Killed moments after use, long before a ping is due: its socket closed, which the
    driver saw, so the pool replaces it before the next call (a database restart)."""
    db = Database(create_engine(postgres, ping_after_idle_seconds=3600.0, pool_size=1))
    try:
        first = await backend_pid(db)
        await terminate(first)
        await asyncio.sleep(0.1)  # the event loop reads the closed socket
        assert await backend_pid(db) != first
    finally:
        await db.close()


async def test_a_connection_killed_while_in_use_fails_that_call_then_the_pool_heals(
    postgres: URL,
) -> None:
    """The call on the connection when it dies is UNAVAILABLE (retry it), never an internal
    error; the next call gets a new connection."""
    db = Database(create_engine(postgres, pool_size=1))
    try:
        first = await backend_pid(db)

        async def sleeping() -> None:
            async with db.read() as session:
                await session.execute(text("SELECT pg_sleep(30)"))

        call = asyncio.create_task(sleeping())
        await asyncio.sleep(0.3)
        await terminate(first)
        with pytest.raises(DatabaseUnavailable) as failed:
            await asyncio.wait_for(call, timeout=5)
        assert failed.value.__cause__ is not None  # the driver's own error stays attached
        assert await backend_pid(db) != first
    finally:
        await db.close()


async def statement_backend_pid(db: Database, *, in_transaction: bool = False) -> int:
    """The backend of a single statement run as the store runs reads: without a transaction,
    or in a short one on the driver's connection (a list trying the tenant's event lock)."""
    async with db.statement_connection() as connection:
        within = connection.transaction() if in_transaction else contextlib.nullcontext()
        async with within:
            rows = await Statement(select(func.pg_backend_pid()), db.engine.dialect).rows(
                connection, {}
            )
    return int(rows[0][0])


@pytest.mark.parametrize("in_transaction", [False, True], ids=["statement", "transaction"])
async def test_single_statements_share_the_pool_and_heal_after_a_killed_connection(
    postgres: URL, in_transaction: bool
) -> None:
    """A connection killed while idle is replaced for a statement, or for the BEGIN of a
    transaction on the driver's connection, as for a SQLAlchemy transaction: no call fails."""
    db = Database(create_engine(postgres, ping_after_idle_seconds=3600.0, pool_size=1))
    try:
        first = await statement_backend_pid(db, in_transaction=in_transaction)
        assert await backend_pid(db) == first, "transactions and statements share one pool"
        await terminate(first)
        await asyncio.sleep(0.1)  # the event loop reads the closed socket
        assert await statement_backend_pid(db, in_transaction=in_transaction) != first
    finally:
        await db.close()


@pytest.mark.parametrize("in_transaction", [False, True], ids=["statement", "transaction"])
async def test_a_statement_on_a_connection_killed_mid_way_is_unavailable(
    postgres: URL, in_transaction: bool
) -> None:
    """Its statement meets the closed connection: UNAVAILABLE (retry it), never internal."""
    db = Database(create_engine(postgres, pool_size=1))
    sleep = Statement(select(func.pg_sleep(30)), db.engine.dialect)
    try:
        first = await statement_backend_pid(db)

        async def sleeping() -> None:
            async with db.statement_connection() as connection:
                within = connection.transaction() if in_transaction else contextlib.nullcontext()
                async with within:
                    await sleep.rows(connection, {})

        call = asyncio.create_task(sleeping())
        await asyncio.sleep(0.3)
        await terminate(first)
        with pytest.raises(DatabaseUnavailable):
            await asyncio.wait_for(call, timeout=5)
        assert await statement_backend_pid(db, in_transaction=in_transaction) != first
    finally:
        await db.close()


async def test_a_statement_cancelled_mid_way_never_returns_its_busy_connection(
    postgres: URL,
) -> None:
    """A client's deadline cancels the read while PostgreSQL still runs it."""
    db = Database(create_engine(postgres, pool_size=1, max_overflow=0))
    try:
        first = await statement_backend_pid(db)
        slow = Statement(select(func.pg_sleep(30)), db.engine.dialect)

        async def sleeping() -> None:
            async with db.statement_connection() as connection:
                await slow.rows(connection, {})

        with pytest.raises(TimeoutError):
            await asyncio.wait_for(sleeping(), timeout=0.3)
        # The only pooled connection was dropped, not handed back mid-statement.
        second = await asyncio.wait_for(statement_backend_pid(db), timeout=5)
        assert second != first
    finally:
        await db.close()


async def test_a_refused_call_rolls_its_transaction_back_and_keeps_the_connection(
    postgres: URL,
) -> None:
    """An update of a missing item: NOT_FOUND after its statement ran in a transaction on the
    driver's connection. Nothing it did stays (a setting made in it is undone, as a commit
    would keep it), and the connection goes back to the pool, not to waste: a caller
    naming missing items must not cost the server a new connection each time."""
    db = Database(create_engine(postgres, pool_size=1, max_overflow=0))
    dialect = db.engine.dialect

    async def refused() -> None:
        async with db.statement_connection() as connection, connection.transaction():
            setting = func.set_config("chorus.test_mark", "set", False)
            await Statement(select(setting), dialect).rows(connection, {})
            raise NotFound("song 1 not found")

    try:
        first = await statement_backend_pid(db)
        with pytest.raises(NotFound):
            await refused()
        assert await statement_backend_pid(db) == first
        async with db.statement_connection() as connection:
            mark = func.current_setting("chorus.test_mark", True)
            [[value]] = await Statement(select(mark), dialect).rows(connection, {})
        assert value in (None, ""), f"the refused transaction's setting stayed: {value!r}"
    finally:
        await db.close()


@pytest.mark.parametrize("where", ["in a statement", "between statements"])
async def test_a_transaction_cancelled_mid_way_never_returns_its_connection(
    postgres: URL, where: str
) -> None:
    """An update's transaction on the driver's connection, its tenant declared, cancelled by
    a client's deadline while PostgreSQL runs its next statement, or before it is sent: the
    connection is dropped, so the open transaction and its declaration never reach the next
    caller (the statement drops it itself; between statements only the transaction can)."""
    db = Database(create_engine(postgres, pool_size=1, max_overflow=0))
    dialect = db.engine.dialect
    declare = Statement(select(func.set_config("app.tenant_id", "tenant-a", True)), dialect)
    slow = Statement(select(func.pg_sleep(30)), dialect)

    async def updating() -> None:
        async with db.statement_connection() as connection, connection.transaction():
            await declare.rows(connection, {})
            if where == "in a statement":
                await slow.rows(connection, {})
            else:
                await asyncio.sleep(30)

    try:
        first = await statement_backend_pid(db)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(updating(), timeout=0.3)
        async with db.statement_connection() as connection:
            tenant = func.current_setting("app.tenant_id", True)
            [[declared]] = await Statement(select(tenant), dialect).rows(connection, {})
        assert declared in (None, ""), f"the next caller inherited tenant {declared!r}"
        assert await asyncio.wait_for(statement_backend_pid(db), timeout=5) != first
    finally:
        await db.close()
