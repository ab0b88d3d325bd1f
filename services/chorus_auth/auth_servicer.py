"""chorus.auth.v1.AuthService: translates messages to and from `Accounts`."""

from typing import Any

import grpc

from chorus.auth.v1 import auth_service_pb2 as pb
from chorus.auth.v1 import auth_service_pb2_grpc as pb_grpc
from chorus_auth.accounts import Accounts
from chorus_auth.messages import session_message, user_message
from chorus_auth.sessions import Sessions
from chorus_auth.signing_keys import SigningKeys
from chorus_core.caller import current_caller
from chorus_core.roles import role_message

Context = grpc.aio.ServicerContext[Any, Any]

SERVICE = pb.DESCRIPTOR.services_by_name["AuthService"].full_name
PUBLIC_METHODS = frozenset(
    {
        *(f"/{SERVICE}/{m}" for m in ("SignUp", "Login", "Refresh", "Logout", "GetJwks")),
        # For the other services (internal: the gateway does not route it).
        "/chorus.auth.v1.TenantEventsService/ListDeletedTenants",
    }
)
"""Methods callable without an access token; every other method needs one."""


class AuthServicer(pb_grpc.AuthServiceServicer):
    def __init__(self, accounts: Accounts, sessions: Sessions, keys: SigningKeys) -> None:
        self._accounts = accounts
        self._sessions = sessions
        self._jwks = pb.GetJwksResponse(keys=[pb.JsonWebKey(**jwk) for jwk in keys.jwks()])

    async def SignUp(self, request: pb.SignUpRequest, context: Context) -> pb.SignUpResponse:
        user, issued = await self._accounts.sign_up(request.email, request.password)
        return pb.SignUpResponse(user=user_message(user), session=session_message(issued))

    async def Login(self, request: pb.LoginRequest, context: Context) -> pb.LoginResponse:
        user, issued = await self._accounts.login(request.email, request.password)
        return pb.LoginResponse(user=user_message(user), session=session_message(issued))

    async def Refresh(self, request: pb.RefreshRequest, context: Context) -> pb.RefreshResponse:
        issued = await self._sessions.refresh(request.refresh_token)
        return pb.RefreshResponse(session=session_message(issued))

    async def Logout(self, request: pb.LogoutRequest, context: Context) -> pb.LogoutResponse:
        await self._sessions.logout(request.refresh_token)
        return pb.LogoutResponse()

    async def WhoAmI(self, request: pb.WhoAmIRequest, context: Context) -> pb.WhoAmIResponse:
        caller = current_caller()
        user = await self._accounts.who_am_i(caller)
        return pb.WhoAmIResponse(
            user=user_message(user),
            tenant_id=caller.tenant_id,
            role=role_message(caller.role),
        )

    async def GetJwks(self, request: pb.GetJwksRequest, context: Context) -> pb.GetJwksResponse:
        return self._jwks
