"""Transactions scoped to the caller's tenant, handing out `TenantStore`s.

Every transaction first tells PostgreSQL whose it is
(`set_config('app.tenant_id', …, true)`: transaction-local, so it never
outlives the transaction on a pooled connection); row-level security then
hides other tenants' rows even from a query that forgot its filter. SQLite
has no row-level security: there the store's filter is the only wall.

Writes need a role that may change resources (owner, admin or editor);
viewers get PERMISSION_DENIED.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_core.caller import Caller, current_caller
from chorus_core.database import Database
from chorus_core.errors import PermissionDenied
from chorus_resource.scoped import TenantScoped
from chorus_resource.store import TenantStore

M = TypeVar("M", bound=TenantScoped)

WRITER_ROLES = frozenset({"owner", "admin", "editor"})
TENANT_SETTING = "app.tenant_id"


class TenantDatabase:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._row_level_security = db.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def read(self, model: type[M]) -> AsyncIterator[TenantStore[M]]:
        """A read transaction on `model` within the caller's tenant."""
        caller = current_caller()
        async with self._db.read() as session:
            await self._bind(session, caller)
            yield TenantStore(session, model, caller)

    @asynccontextmanager
    async def write(self, model: type[M]) -> AsyncIterator[TenantStore[M]]:
        """A write transaction on `model` within the caller's tenant."""
        caller = current_caller()
        if caller.role not in WRITER_ROLES:
            raise PermissionDenied(
                f"your role in this tenant ({caller.role}) can read but not change resources"
            )
        async with self._db.write() as session:
            await self._bind(session, caller)
            yield TenantStore(session, model, caller, for_update=True)

    async def _bind(self, session: AsyncSession, caller: Caller) -> None:
        if self._row_level_security:
            await declare_tenant(session, caller.tenant_id)


async def declare_tenant(session: AsyncSession, tenant_id: str) -> None:
    """Tell PostgreSQL whose transaction this is, until it ends (commit or rollback).

    The row-level security policies read it; `is_local` = true keeps it from
    reaching the next transaction on the same pooled connection.
    """
    await session.execute(
        text("SELECT set_config(:name, :tenant, true)"),
        {"name": TENANT_SETTING, "tenant": tenant_id},
    )
