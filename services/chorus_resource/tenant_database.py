"""Connections scoped to the caller's tenant, handing out `ResourceStore`s.

On PostgreSQL row-level security hides other tenants' rows even from a query
that forgot its filter, once the tenant is declared
(`set_config('app.tenant_id', …, true)`: local to a transaction, so it never
outlives it on a pooled connection). Two ways (`TenantScope`):

- reads and creates of a resource without reference fields run as single
  statements without an explicit transaction, each declaring its tenant
  itself: one round trip (a create's event is recorded in its statement);
- updates, deletes, and reads and creates of resources with reference
  fields (several statements), run in a transaction that declares the
  tenant first (an update of a resource without them as one statement
  after the declaration, its event recorded in it).

SQLite has no row-level security: there the store's filter is the only wall.

Writes need a role that may change resources (owner, admin or editor);
viewers get PERMISSION_DENIED. After a write commits, `committed` hears the
tenant's id (the watch streams of this process then look for new events).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import String, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from chorus_core.caller import Caller, current_caller
from chorus_core.database import Database, StatementConnection
from chorus_core.errors import PermissionDenied
from chorus_core.roles import Permission, allows
from chorus_resource.change_log import prune_due
from chorus_resource.messages import MessageCodec
from chorus_resource.statements import Statement, StatementCache
from chorus_resource.store import ResourceStore
from chorus_resource.tenant_scope import TENANT, TENANT_SETTING, TenantScope, tenant_values
from chorus_resource.totals import Totals


class TenantDatabase:
    def __init__(self, db: Database, committed: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._row_level_security = db.engine.dialect.name == "postgresql"
        self._committed = committed or (lambda _tenant_id: None)
        self._statements = StatementCache(db.engine.dialect)
        self._totals = Totals()
        self._declaring = TenantScope(declare=self._row_level_security)
        self._declared = TenantScope(declare=False)
        self._declaration = Statement(
            select(func.set_config(TENANT_SETTING, bindparam(TENANT, type_=String), True)),
            db.engine.dialect,
        )

    @asynccontextmanager
    async def read(self, codec: MessageCodec) -> AsyncIterator[ResourceStore]:
        """Reads of one resource within the caller's tenant."""
        caller = current_caller()
        if codec.resource.references:  # several statements: one transaction
            async with self.transaction(caller) as connection:
                yield self._store(connection, codec, caller, self._declared)
            return
        async with self._db.statement_connection() as connection:
            yield self._store(connection, codec, caller, self._declaring)

    @asynccontextmanager
    async def write(self, codec: MessageCodec) -> AsyncIterator[ResourceStore]:
        """A write transaction on one resource within the caller's tenant."""
        caller = may_change(current_caller())
        async with self.transaction(caller, write=True) as connection:
            yield self._store(connection, codec, caller, self._declared)
        self._committed(caller.tenant_id)

    @asynccontextmanager
    async def creating(self, codec: MessageCodec) -> AsyncIterator[ResourceStore]:
        """A store for one create within the caller's tenant.

        On PostgreSQL, for a resource without reference fields, the create is
        one statement without an explicit transaction (`ResourceStore.create`),
        except when the tenant's old events are due for removal; otherwise a
        write transaction as `write`.
        """
        caller = may_change(current_caller())
        if not self._in_one_statement(codec, caller):
            async with self.write(codec) as store:
                yield store
            return
        async with self._db.statement_connection() as connection:
            yield self._store(connection, codec, caller, self._declaring)
        self._committed(caller.tenant_id)

    @asynccontextmanager
    async def updating(self, codec: MessageCodec) -> AsyncIterator[ResourceStore]:
        """A store for one update within the caller's tenant.

        On PostgreSQL, for a resource without reference fields whose message
        PostgreSQL can serialize (`Resource.encoded_in_sql`): a transaction on
        the driver's own connection (no SQLAlchemy Connection, `DriverConnection`)
        that declares the tenant, then runs the update and its event as one
        statement (`ResourceStore.update`); except when the tenant's old events
        are due for removal. Otherwise a write transaction as `write`.
        """
        caller = may_change(current_caller())
        if not (
            self._in_one_statement(codec, caller) and codec.resource.encoded_in_sql is not None
        ):
            async with self.write(codec) as store:
                yield store
            return
        async with self._db.statement_connection() as connection, connection.transaction():
            await self._declaration.rows(connection, tenant_values(caller.tenant_id))
            yield self._store(connection, codec, caller, self._declared)
        self._committed(caller.tenant_id)

    def _in_one_statement(self, codec: MessageCodec, caller: Caller) -> bool:
        """Whether a write of `codec`'s resource may record its event in its own statement."""
        return (
            self._row_level_security
            and not codec.resource.references
            and not prune_due(caller.tenant_id)
        )

    def _store(
        self,
        connection: StatementConnection,
        codec: MessageCodec,
        caller: Caller,
        scope: TenantScope,
    ) -> ResourceStore:
        return ResourceStore(
            connection, codec, caller, scope, self._statements, totals=self._totals
        )

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[AsyncConnection]:
        """A read transaction within the caller's tenant, for tables besides resources'."""
        async with self.transaction(current_caller()) as connection:
            yield connection

    @asynccontextmanager
    async def transaction(
        self, caller: Caller, *, write: bool = False
    ) -> AsyncIterator[AsyncConnection]:
        """A transaction declared as the caller's tenant's (on PostgreSQL) before any query.

        The one way the service opens transactions on tenant data; the
        row-level security tests go through it too. The declaration goes
        through SQLAlchemy, which sends the BEGIN first (`statements` relies
        on that).
        """
        opening = self._db.write_connection() if write else self._db.read_connection()
        async with opening as connection:
            if self._row_level_security:
                await declare_tenant(connection, caller.tenant_id)
            yield connection


def may_change(caller: Caller, refused: str = "can read but not change resources") -> Caller:
    """`caller`, if their role may change resources; PERMISSION_DENIED ("your role in this
    tenant (viewer) <refused>") if not."""
    if not allows(caller.role, Permission.CHANGE_RESOURCES):
        raise PermissionDenied(f"your role in this tenant ({caller.role}) {refused}")
    return caller


async def declare_tenant(connection: AsyncConnection | AsyncSession, tenant_id: str) -> None:
    """Tell PostgreSQL whose transaction this is, until it ends (commit or rollback).

    The row-level security policies read it; `is_local` = true keeps it from
    reaching the next transaction on the same pooled connection.
    """
    await connection.execute(
        text("SELECT set_config(:name, :tenant, true)"),
        {"name": TENANT_SETTING, "tenant": tenant_id},
    )
