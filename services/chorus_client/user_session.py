"""One logged-in user: who they are, their songs, their tenants, and their session."""

from __future__ import annotations  # the Async stubs exist in type stubs only

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client.songs import SongsClient
from chorus_client.tenants import TenantsClient
from chorus_client.tokens import SessionTokens


class UserSession:
    def __init__(
        self,
        user: auth_pb.User,
        session: auth_pb.Session,
        auth: auth_grpc.AuthServiceAsyncStub,
        tenants: tenant_grpc.TenantServiceAsyncStub,
        songs: song_grpc.SongServiceAsyncStub,
        *,
        timeout: float,
    ) -> None:
        self.user = user
        self._auth = auth
        self._timeout = timeout
        self.tokens = SessionTokens(session, self._refresh)
        self.songs = SongsClient(songs, self.tokens, timeout)
        """Songs of the active tenant (the personal one until `tenants.switch`)."""
        self.tenants = TenantsClient(tenants, self.tokens, timeout)

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
