"""TenantEventsService: which tenants were deleted, for the other services' clean-up.

Internal (the gateway does not route it) and callable without a token, like
the public keys: it names deleted tenants by id and nothing else.
"""

from typing import Any

import grpc
from google.protobuf import timestamp_pb2

from chorus.auth.v1 import tenant_events_service_pb2 as pb
from chorus.auth.v1 import tenant_events_service_pb2_grpc as pb_grpc
from chorus_auth.store import AuthDatabase

SERVICE = pb.DESCRIPTOR.services_by_name["TenantEventsService"].full_name
DEFAULT_PAGE = 100


class TenantEventsServicer(pb_grpc.TenantEventsServiceServicer):
    def __init__(self, db: AuthDatabase) -> None:
        self._db = db

    async def ListDeletedTenants(
        self, request: pb.ListDeletedTenantsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListDeletedTenantsResponse:
        async with self._db.read() as store:
            found = await store.deleted_tenants(request.after, request.page_size or DEFAULT_PAGE)
        tenants = []
        for deleted in found:
            when = timestamp_pb2.Timestamp()
            when.FromDatetime(deleted.deleted_at)
            tenants.append(
                pb.DeletedTenant(
                    tenant_id=deleted.tenant_id, position=deleted.position, delete_time=when
                )
            )
        return pb.ListDeletedTenantsResponse(tenants=tenants)
