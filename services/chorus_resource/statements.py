"""Statements built and compiled once per shape, run with each call's values.

Building a SQLAlchemy statement (selects, derived tables and their column
proxies) and generating its cache key cost more CPU here than PostgreSQL
takes to answer it, so the store builds each *shape* of statement once (the
resource, the kind of statement, the filter text, the order, whether a page
token is given, ...) with bind parameters for each call's own values
(tenant, ids, page size, the token's key values), and keeps the most recently
used shapes.

On PostgreSQL a statement goes straight to asyncpg as the SQL compiled once
(asyncpg keeps it prepared on each connection), on a connection either
without an explicit transaction or inside one that SQLAlchemy has already
begun (`TenantDatabase` declares the tenant first, through SQLAlchemy, which
sends the BEGIN); without one, the pooled connection comes without a
SQLAlchemy Connection around it (`Database.statement_connection`).

On SQLite a statement without a transaction goes straight to aiosqlite too
(one hand-over to its thread for the statement and all its rows, where
SQLAlchemy's cursor takes four), its values turned into Python's as
SQLAlchemy would (dates are text in SQLite); inside a transaction it goes
through SQLAlchemy (its compiled cache then skips the compiling).
"""

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from chorus_core.database import DriverConnection, StatementConnection, connection_lost

CACHED_SHAPES = 256
"""Statement shapes kept per service process (filters are clients' text: bounded)."""

Rows = list[Sequence[Any]]


class Statement:
    """One statement shape: the SQLAlchemy statement and its SQL, compiled once."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        """`statement`: a SELECT or an INSERT (anything SQLAlchemy executes and compiles)."""
        self.statement = statement
        self._sqlite = dialect.name == "sqlite"
        compiled = statement.compile(dialect=dialect)
        self._sql = compiled.string
        self._compiled = compiled
        self._names = list(compiled.positiontup or [])
        self._process = {
            name: processor
            for name in self._names
            if (processor := compiled.binds[name].type.bind_processor(dialect)) is not None
        }
        # SQLite hands back text for dates and times: SQLAlchemy's types make them Python's.
        self._results = (
            [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in statement.exported_columns
            ]
            if self._sqlite
            else []
        )

    async def rows(self, connection: StatementConnection, values: Mapping[str, Any]) -> Rows:
        """Every row, as tuples (see above for the transaction a connection may be in)."""
        if self._sqlite and isinstance(connection, AsyncConnection):
            return list((await connection.execute(self.statement, dict(values))).all())
        params = self._compiled.construct_params(dict(values))
        process = self._process
        arguments = [
            process[name](params[name]) if name in process else params[name] for name in self._names
        ]
        if isinstance(connection, DriverConnection):
            driver = connection.driver
        else:
            driver = (await connection.get_raw_connection()).driver_connection
        if self._sqlite:
            return await self._sqlite_rows(connection, driver, arguments)
        try:
            records = await driver.fetch(self._sql, *arguments)
        except asyncio.CancelledError:
            # Cancelled mid-statement (the client gave up): the connection may still be
            # busy with it, so it must not go back to the pool as it is.
            await connection.invalidate()
            raise
        except Exception as error:
            lost = connection_lost(driver, error, self._sql)
            if lost is None:
                raise
            # What SQLAlchemy does with a lost connection: the pool replaces it.
            await connection.invalidate()
            raise lost from error
        return [tuple(record) for record in records]

    async def _sqlite_rows(
        self, connection: StatementConnection, driver: Any, arguments: list[Any]
    ) -> Rows:
        try:
            records = await driver.execute_fetchall(self._sql, arguments)
        except asyncio.CancelledError:
            await connection.invalidate()  # its thread may still be running the statement
            raise
        except sqlite3.OperationalError as error:  # locked, I/O: as SQLAlchemy raises it
            raise exc.OperationalError(self._sql, None, error) from error
        results = self._results
        return [
            tuple(
                value if process is None or value is None else process(value)
                for process, value in zip(results, record, strict=True)
            )
            for record in records
        ]


class StatementCache:
    """The most recently used statement shapes, built on first use."""

    def __init__(self, dialect: Dialect, size: int = CACHED_SHAPES) -> None:
        self.dialect = dialect
        self._size = size
        self._shapes: OrderedDict[Hashable, Statement] = OrderedDict()

    def get(self, shape: Hashable, build: Callable[[], Any]) -> Statement:
        found = self._shapes.get(shape)
        if found is None:
            found = self._shapes[shape] = Statement(build(), self.dialect)
            while len(self._shapes) > self._size:
                self._shapes.popitem(last=False)
        else:
            self._shapes.move_to_end(shape)
        return found
