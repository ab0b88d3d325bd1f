"""Purging what the resource database keeps of tenants deleted in the auth service.

The auth service writes a tombstone in the same transaction as the deletion
and lists them in order (`TenantEventsService.ListDeletedTenants`, internal,
no token). Every `every_seconds` each resource server asks for the
deletions after the last one it handled and deletes, per deleted tenant and
in one transaction declared as that tenant (so row-level security applies as
to any other write), its rows of every tenant table: resources, references,
change history, operations, and its operation leases.

Why a periodic reconcile against the auth service rather than a shared
table or a push: the resource service never reads the auth database, the
auth service needs to know nothing of its consumers, a resource server that
was down catches up by itself, and purging twice is harmless (several
replicas may do it; the position starts at 0 when a server starts). A
deleted tenant's data is gone at most `every_seconds` after the deletion
(plus the purge); its access tokens already stop working within their
lifetime.
"""

from __future__ import annotations  # the Async stubs exist in type stubs only

import asyncio
import logging

import grpc
from sqlalchemy import delete

from chorus.auth.v1 import tenant_events_service_pb2 as events_pb
from chorus.auth.v1 import tenant_events_service_pb2_grpc as events_grpc
from chorus_core.caller import Caller
from chorus_resource.models import Base
from chorus_resource.operations import operation_leases, operations
from chorus_resource.tenant_database import TenantDatabase

_log = logging.getLogger("chorus.tenant_cleanup")

PAGE = 100


class TenantCleanup:
    def __init__(self, tenants: TenantDatabase, jwks_source: str, every_seconds: float) -> None:
        self._tenants = tenants
        # The auth service is where the keys come from (grpc://host:port); a
        # file of keys means no auth service to ask.
        self._target = (
            jwks_source.removeprefix("grpc://") if jwks_source.startswith("grpc://") else None
        )
        self._every = every_seconds
        self._position = 0

    async def keep_clean(self) -> None:
        """Purge deleted tenants, then again every `every_seconds`, until cancelled."""
        if self._target is None:
            _log.info("deleted tenants are not purged: CHORUS_RESOURCE_JWKS names no auth service")
            return
        async with grpc.aio.insecure_channel(self._target) as channel:
            stub = events_grpc.TenantEventsServiceStub(channel)
            while True:
                try:
                    await self.catch_up(stub)
                except Exception as error:  # auth or the database away: next time
                    _log.warning("deleted tenants not purged yet: %s", type(error).__name__)
                await asyncio.sleep(self._every)

    async def catch_up(self, stub: events_grpc.TenantEventsServiceAsyncStub) -> None:
        while True:
            response = await stub.ListDeletedTenants(
                events_pb.ListDeletedTenantsRequest(after=self._position, page_size=PAGE),
                timeout=10,
            )
            for deleted in response.tenants:
                await self.purge(deleted.tenant_id)
                self._position = deleted.position
            if len(response.tenants) < PAGE:
                return

    async def purge(self, tenant_id: str) -> int:
        """Delete every row of the tenant; how many there were."""
        removed = 0
        as_tenant = Caller(user_id="", tenant_id=tenant_id, role="", token_id="")
        # Operations first: an import's batch holds its operation's row until it commits,
        # so once they are deleted no batch is half-way (its rows are seen and deleted
        # below) and none comes after (it finds its operation gone and stops).
        children_first = reversed(Base.metadata.sorted_tables)
        tables = [operations, *(table for table in children_first if table is not operations)]
        async with self._tenants.transaction(as_tenant, write=True) as connection:
            for table in tables:
                if "tenant_id" in table.c:
                    result = await connection.execute(
                        delete(table).where(table.c.tenant_id == tenant_id)
                    )
                    removed += result.rowcount
            await connection.execute(
                delete(operation_leases).where(operation_leases.c.tenant == tenant_id)
            )
        if removed:
            _log.info("purged deleted tenant %s: %d rows", tenant_id, removed)
        return removed
