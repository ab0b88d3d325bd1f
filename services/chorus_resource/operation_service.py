"""OperationService (Get, List, Watch, Cancel) and the Import… method of any resource.

Operations are read and cancelled in the caller's tenant only (another
tenant's is NOT_FOUND); starting or cancelling one needs a role that may
change resources. The work itself runs in `chorus_resource.import_runner`.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, cast

from google.protobuf import message_factory

from chorus.resource.v1 import operation_service_pb2 as operation_pb
from chorus.resource.v1 import operation_service_pb2_grpc as operation_grpc
from chorus_core import keyset
from chorus_core.caller import current_caller
from chorus_core.server import ServiceRegistration
from chorus_resource import operations
from chorus_resource.filtering import parse_filter
from chorus_resource.import_document import read_rows
from chorus_resource.import_runner import Imports
from chorus_resource.resource import Resource
from chorus_resource.tenant_database import TenantDatabase, may_change
from chorus_resource.watchers import Watchers


class ResourceImport:
    """The Import… method of one resource (ImportSongs): check the document, start the work."""

    def __init__(self, resource: Resource, tenants: TenantDatabase, imports: Imports) -> None:
        if resource.references:
            raise ValueError(f"{resource.singular}: resources with references cannot be imported")
        self._resource = resource
        self._tenants = tenants
        self._imports = imports
        self._kind = f"Import{resource.plural}"
        self._response = message_factory.GetMessageClass(resource.method("Import").output_type)

    async def start(self, request: Any, _context: object) -> Any:
        caller = current_caller()
        may_change(caller, "cannot import")
        # Up to seconds of CPU for a large document: in a thread, so the server's other calls
        # and streams go on meanwhile (the GIL is shared, the event loop is not blocked).
        rows = await asyncio.to_thread(read_rows, self._resource, request.document, request.format)
        async with self._tenants.transaction(caller, write=True) as connection:
            operation_id, started = await operations.start(
                connection,
                tenant_id=caller.tenant_id,
                created_by=caller.user_id,
                creator_role=caller.role,
                kind=self._kind,
                resource=self._resource.singular,
                document=request.document,
                document_format=request.format,
                rows_total=len(rows),
                owner=self._imports.owner,
                request_id=request.request_id,
            )
        if started:  # (a retry's operation runs where it was started)
            self._imports.run(caller.tenant_id, operation_id)
        async with self._tenants.transaction(caller) as connection:
            row = await operations.get(connection, caller.tenant_id, operation_id)
        return self._response(operation=operations.message(row))


class OperationService(operation_grpc.OperationServiceServicer):
    def __init__(self, tenants: TenantDatabase, watchers: Watchers) -> None:
        self._tenants = tenants
        self._watchers = watchers

    async def _get(self, name: str) -> operation_pb.Operation:
        caller = current_caller()
        item_id = operations.operation_id(name)
        async with self._tenants.transaction(caller) as connection:
            return operations.message(await operations.get(connection, caller.tenant_id, item_id))

    async def GetOperation(
        self, request: operation_pb.GetOperationRequest, context: object
    ) -> operation_pb.GetOperationResponse:
        return operation_pb.GetOperationResponse(operation=await self._get(request.name))

    async def ListOperations(
        self, request: operation_pb.ListOperationsRequest, context: object
    ) -> operation_pb.ListOperationsResponse:
        caller = current_caller()
        size = min(request.page_size or operations.LISTED, operations.LISTED)
        condition = parse_filter(request.filter, operations.operations, operations.FILTERABLE)
        fingerprint = keyset.query_fingerprint("Operation", condition.text)
        after = None
        if request.page_token:  # (create_time, id) of the last one listed; decode checks kinds
            key = keyset.decode(request.page_token, fingerprint, (datetime, str))
            after = cast(tuple[datetime, str], key)
        async with self._tenants.transaction(caller) as connection:
            rows, total = await operations.page(
                connection, caller.tenant_id, condition.condition, size + 1, after
            )
        next_token = ""
        if len(rows) > size:
            rows = rows[:size]
            next_token = keyset.encode((rows[-1].create_time, rows[-1].id), fingerprint)
        return operation_pb.ListOperationsResponse(
            operations=[operations.message(row) for row in rows],
            next_page_token=next_token,
            total_size=total,
        )

    async def WatchOperation(
        self, request: operation_pb.WatchOperationRequest, context: object
    ) -> AsyncIterator[operation_pb.WatchOperationResponse]:
        """Woken like the watch streams (`chorus_resource.watchers`): by a change of the
        tenant committed in this process, by NOTIFY from another replica (PostgreSQL), and
        at the latest every `poll_seconds` (whichever server runs the operation)."""
        caller = current_caller()
        last = None
        with self._watchers.watching(caller.tenant_id) as wake:
            while True:
                wake.clear()  # a change committed from here on wakes the stream again
                current = await self._get(request.name)
                if current != last:
                    yield operation_pb.WatchOperationResponse(operation=current)
                    last = current
                if current.done:
                    return
                await self._watchers.wait_for_news(
                    wake,
                    caller.expires_at,
                    "the access token has expired: watch again with a fresh one",
                )

    async def CancelOperation(
        self, request: operation_pb.CancelOperationRequest, context: object
    ) -> operation_pb.CancelOperationResponse:
        caller = current_caller()
        may_change(caller, "cannot cancel operations")
        item_id = operations.operation_id(request.name)
        async with self._tenants.transaction(caller, write=True) as connection:
            await operations.get(connection, caller.tenant_id, item_id)  # NOT_FOUND first
            await operations.request_cancel(connection, caller.tenant_id, item_id)
        self._watchers.changed(caller.tenant_id)
        return operation_pb.CancelOperationResponse(operation=await self._get(request.name))

    def registration(self) -> ServiceRegistration:
        return ServiceRegistration(
            operation_pb.DESCRIPTOR.services_by_name["OperationService"].full_name,
            self,
            operation_grpc.add_OperationServiceServicer_to_server,
        )
