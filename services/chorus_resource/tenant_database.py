"""Transactions scoped to the caller's tenant, handing out `ResourceStore`s.

Every transaction first tells PostgreSQL whose it is
(`set_config('app.tenant_id', …, true)`: transaction-local, so it never
outlives the transaction on a pooled connection); row-level security then
hides other tenants' rows even from a query that forgot its filter. SQLite
has no row-level security: there the store's filter is the only wall.

Writes need a role that may change resources (owner, admin or editor);
viewers get PERMISSION_DENIED. After a write commits, `committed` hears the
tenant's id (the watch streams of this process then look for new events).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from chorus_core.caller import Caller, current_caller
from chorus_core.database import Database
from chorus_core.errors import PermissionDenied
from chorus_core.roles import Permission, allows
from chorus_resource.messages import MessageCodec
from chorus_resource.store import ResourceStore

TENANT_SETTING = "app.tenant_id"


class TenantDatabase:
    def __init__(self, db: Database, committed: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._row_level_security = db.engine.dialect.name == "postgresql"
        self._committed = committed or (lambda _tenant_id: None)

    @asynccontextmanager
    async def read(self, codec: MessageCodec) -> AsyncIterator[ResourceStore]:
        """A read transaction on one resource within the caller's tenant."""
        caller = current_caller()
        async with self.transaction(caller) as connection:
            yield ResourceStore(connection, codec, caller)

    @asynccontextmanager
    async def write(self, codec: MessageCodec) -> AsyncIterator[ResourceStore]:
        """A write transaction on one resource within the caller's tenant."""
        caller = current_caller()
        if not allows(caller.role, Permission.CHANGE_RESOURCES):
            raise PermissionDenied(
                f"your role in this tenant ({caller.role}) can read but not change resources"
            )
        async with self.transaction(caller, write=True) as connection:
            yield ResourceStore(connection, codec, caller)
        self._committed(caller.tenant_id)

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
        row-level security tests go through it too.
        """
        opening = self._db.write_connection() if write else self._db.read_connection()
        async with opening as connection:
            if self._row_level_security:
                await declare_tenant(connection, caller.tenant_id)
            yield connection


async def declare_tenant(connection: AsyncConnection | AsyncSession, tenant_id: str) -> None:
    """Tell PostgreSQL whose transaction this is, until it ends (commit or rollback).

    The row-level security policies read it; `is_local` = true keeps it from
    reaching the next transaction on the same pooled connection.
    """
    await connection.execute(
        text("SELECT set_config(:name, :tenant, true)"),
        {"name": TENANT_SETTING, "tenant": tenant_id},
    )
