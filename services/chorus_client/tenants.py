"""Tenant calls of one user session: shared tenants, members, invitations, switching.

Roles are `chorus.auth.v1` enum values (`auth_pb.ROLE_EDITOR`...). Tenants the
user does not belong to fail with NOT_FOUND, as if they did not exist.
"""

from __future__ import annotations  # the Async stubs exist in type stubs only

from collections.abc import AsyncIterator
from typing import TypeAlias

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import tenant_service_pb2 as pb
from chorus.auth.v1 import tenant_service_pb2_grpc as pb_grpc
from chorus_client.tokens import Metadata, SessionTokens

Role: TypeAlias = "auth_pb.Role.ValueType"


class TenantsClient:
    def __init__(
        self, stub: pb_grpc.TenantServiceAsyncStub, tokens: SessionTokens, timeout: float
    ) -> None:
        self._stub = stub
        self._tokens = tokens
        self._timeout = timeout

    async def create(self, name: str) -> pb.Tenant:
        """A new shared tenant, owned by this user."""
        response = await self._tokens.call(
            self._stub.CreateTenant, pb.CreateTenantRequest(name=name), self._timeout
        )
        return response.tenant

    async def page(
        self, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[pb.TenantMembership], str]:
        """One page of this user's tenants with their role in each, and the next page's token."""
        response = await self._tokens.call(
            self._stub.ListMyTenants,
            pb.ListMyTenantsRequest(page_size=page_size, page_token=page_token),
            self._timeout,
        )
        return list(response.memberships), response.next_page_token

    async def all(self, page_size: int = 0) -> AsyncIterator[pb.TenantMembership]:
        """Every tenant of this user (personal first, then in the order joined)."""
        token = ""
        while True:
            memberships, token = await self.page(page_size, token)
            for membership in memberships:
                yield membership
            if not token:
                return

    async def members_page(
        self, tenant_id: str, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[pb.Member], str]:
        """One page of a tenant's members, and the next page's token ("" after the last)."""
        response = await self._tokens.call(
            self._stub.ListMembers,
            pb.ListMembersRequest(tenant_id=tenant_id, page_size=page_size, page_token=page_token),
            self._timeout,
        )
        return list(response.members), response.next_page_token

    async def members(self, tenant_id: str, page_size: int = 0) -> AsyncIterator[pb.Member]:
        """Every member of a tenant, in the order they joined."""
        token = ""
        while True:
            members, token = await self.members_page(tenant_id, page_size, token)
            for member in members:
                yield member
            if not token:
                return

    async def invite(self, tenant_id: str, email: str, role: Role) -> pb.Invitation:
        """Invite an email (which may have no account yet) to a shared tenant."""
        response = await self._tokens.call(
            self._stub.InviteMember,
            pb.InviteMemberRequest(tenant_id=tenant_id, email=email, role=role),
            self._timeout,
        )
        return response.invitation

    async def tenant_invitations_page(
        self, tenant_id: str, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[pb.Invitation], str]:
        """One page of a tenant's pending invitations (owners and admins), oldest first."""
        response = await self._tokens.call(
            self._stub.ListInvitations,
            pb.ListInvitationsRequest(
                tenant_id=tenant_id, page_size=page_size, page_token=page_token
            ),
            self._timeout,
        )
        return list(response.invitations), response.next_page_token

    async def revoke_invitation(self, tenant_id: str, invitation_id: str) -> None:
        """Revoke a pending invitation of a tenant: it can no longer be accepted."""
        await self._tokens.call(
            self._stub.RevokeInvitation,
            pb.RevokeInvitationRequest(tenant_id=tenant_id, invitation_id=invitation_id),
            self._timeout,
        )

    async def invitations(self) -> list[pb.Invitation]:
        """The open invitations made to this user's email, oldest first."""
        response = await self._tokens.call(
            self._stub.ListMyInvitations, pb.ListMyInvitationsRequest(), self._timeout
        )
        return list(response.invitations)

    async def accept(self, invitation_id: str) -> pb.TenantMembership:
        """Join the tenant of an invitation; the active tenant stays as it is."""
        response = await self._tokens.call(
            self._stub.AcceptInvitation,
            pb.AcceptInvitationRequest(invitation_id=invitation_id),
            self._timeout,
        )
        return response.membership

    async def change_role(self, tenant_id: str, user_id: str, role: Role) -> pb.Member:
        """Give a member another role; they get it with their next token refresh."""
        response = await self._tokens.call(
            self._stub.ChangeMemberRole,
            pb.ChangeMemberRoleRequest(tenant_id=tenant_id, user_id=user_id, role=role),
            self._timeout,
        )
        return response.member

    async def remove(self, tenant_id: str, user_id: str) -> None:
        """Remove a member; their sessions acting in the tenant end."""
        await self._tokens.call(
            self._stub.RemoveMember,
            pb.RemoveMemberRequest(tenant_id=tenant_id, user_id=user_id),
            self._timeout,
        )

    async def leave(self, tenant_id: str) -> None:
        """Leave a shared tenant (not as its last owner)."""
        await self._tokens.call(
            self._stub.LeaveTenant, pb.LeaveTenantRequest(tenant_id=tenant_id), self._timeout
        )

    async def switch(self, tenant_id: str) -> pb.TenantMembership:
        """Act in another of this user's tenants from now on.

        The session's tokens are replaced by ones for that tenant, so every
        later call of this session (songs included) acts in it. On failure
        (NOT_FOUND for a tenant the user is not in) the session is unchanged.
        """

        async def switch_with(refresh_token: str, metadata: Metadata) -> pb.SwitchTenantResponse:
            request = pb.SwitchTenantRequest(tenant_id=tenant_id, refresh_token=refresh_token)
            return await self._stub.SwitchTenant(request, metadata=metadata, timeout=self._timeout)

        response = await self._tokens.rotate(switch_with)
        return response.membership

    async def delete(self, tenant_id: str) -> None:
        """Delete a shared tenant with its memberships and invitations (owners only)."""
        await self._tokens.call(
            self._stub.DeleteTenant, pb.DeleteTenantRequest(tenant_id=tenant_id), self._timeout
        )
