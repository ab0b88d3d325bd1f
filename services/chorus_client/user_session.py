"""One logged-in user: who they are, their resources (songs, playlists…), tenants and session."""

from __future__ import annotations  # the Async stubs exist in type stubs only

import grpc

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus.resource.v1 import operation_service_pb2_grpc as operation_grpc
from chorus_client.operations import OperationsClient
from chorus_client.resources import ResourceClient, resource_services
from chorus_client.tenants import TenantsClient
from chorus_client.tokens import SessionTokens


class UserSession:
    def __init__(
        self,
        user: auth_pb.User,
        session: auth_pb.Session,
        auth: auth_grpc.AuthServiceAsyncStub,
        tenants: tenant_grpc.TenantServiceAsyncStub,
        resource_channel: grpc.aio.Channel,
        *,
        timeout: float,
    ) -> None:
        self.user = user
        self._auth = auth
        self._timeout = timeout
        self.tokens = SessionTokens(session, self._refresh)
        self.tenants = TenantsClient(tenants, self.tokens, timeout)
        self.resources = {
            name: ResourceClient(resource_channel, service, self.tokens, timeout)
            for name, service in resource_services().items()
        }
        """Every resource of the active tenant by name: `songs`, `playlists`…"""
        self.operations = OperationsClient(
            operation_grpc.OperationServiceStub(resource_channel), self.tokens, timeout
        )
        """Long-running operations (imports) of the active tenant."""

    def __getattr__(self, name: str) -> ResourceClient:
        """`jane.songs`, `jane.playlists`: the resources of the active tenant."""
        try:
            return self.__dict__["resources"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}") from None

    async def who_am_i(self) -> auth_pb.WhoAmIResponse:
        return await self.tokens.call(self._auth.WhoAmI, auth_pb.WhoAmIRequest(), self._timeout)

    async def logout(self) -> None:
        await self._auth.Logout(
            auth_pb.LogoutRequest(refresh_token=self.tokens.refresh_token), timeout=self._timeout
        )

    async def _refresh(self, refresh_token: str) -> auth_pb.Session:
        response = await self._auth.Refresh(
            auth_pb.RefreshRequest(refresh_token=refresh_token), timeout=self._timeout
        )
        return response.session
