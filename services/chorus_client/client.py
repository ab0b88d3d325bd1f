"""Entry point of the client: channels to both services, and user sessions."""

from types import TracebackType

import grpc

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus_client.user_session import UserSession


class ChorusClient:
    """Plaintext channels to the auth and resource services (or one gateway)."""

    def __init__(self, auth_target: str, resource_target: str, *, timeout: float = 10.0) -> None:
        self._channels = [grpc.aio.insecure_channel(auth_target)]
        if resource_target != auth_target:
            self._channels.append(grpc.aio.insecure_channel(resource_target))
        self.auth = auth_grpc.AuthServiceStub(self._channels[0])
        self._tenants = tenant_grpc.TenantServiceStub(self._channels[0])
        self._timeout = timeout

    async def sign_up(self, email: str, password: str) -> UserSession:
        response = await self.auth.SignUp(
            auth_pb.SignUpRequest(email=email, password=password), timeout=self._timeout
        )
        return self._user(response.user, response.session)

    async def login(self, email: str, password: str) -> UserSession:
        response = await self.auth.Login(
            auth_pb.LoginRequest(email=email, password=password), timeout=self._timeout
        )
        return self._user(response.user, response.session)

    async def user(self, email: str, password: str) -> UserSession:
        """Just name the user: log in, signing up first if there is no such account."""
        try:
            return await self.login(email, password)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                raise
        return await self.sign_up(email, password)

    def _user(self, user: auth_pb.User, session: auth_pb.Session) -> UserSession:
        return UserSession(
            user, session, self.auth, self._tenants, self._channels[-1], timeout=self._timeout
        )

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()

    async def __aenter__(self) -> "ChorusClient":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
