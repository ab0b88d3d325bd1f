"""chorus.auth.v1.TenantService: translates messages to and from `Tenants`."""

from typing import Any

import grpc

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import tenant_service_pb2 as pb
from chorus.auth.v1 import tenant_service_pb2_grpc as pb_grpc
from chorus_auth.messages import session_message, timestamp
from chorus_auth.records import InvitationRecord, MemberRecord, MembershipRecord, TenantRecord
from chorus_auth.sessions import Sessions
from chorus_auth.store import Page
from chorus_auth.tenants import Tenants
from chorus_core.caller import current_caller
from chorus_core.errors import Violations
from chorus_core.roles import ROLE_NAMES, role_message

Context = grpc.aio.ServicerContext[Any, Any]

SERVICE = pb.DESCRIPTOR.services_by_name["TenantService"].full_name


class TenantServicer(pb_grpc.TenantServiceServicer):
    def __init__(self, tenants: Tenants, sessions: Sessions) -> None:
        self._tenants = tenants
        self._sessions = sessions

    async def CreateTenant(
        self, request: pb.CreateTenantRequest, context: Context
    ) -> pb.CreateTenantResponse:
        tenant = await self._tenants.create(current_caller(), request.name)
        return pb.CreateTenantResponse(tenant=_tenant(tenant))

    async def ListMyTenants(
        self, request: pb.ListMyTenantsRequest, context: Context
    ) -> pb.ListMyTenantsResponse:
        page = Page(request.page_size, request.page_token)
        memberships, next_token = await self._tenants.mine(current_caller(), page)
        return pb.ListMyTenantsResponse(
            memberships=[_membership(m) for m in memberships],
            next_page_token=next_token,
        )

    async def ListMembers(
        self, request: pb.ListMembersRequest, context: Context
    ) -> pb.ListMembersResponse:
        page = Page(request.page_size, request.page_token)
        members, next_token = await self._tenants.members(current_caller(), request.tenant_id, page)
        return pb.ListMembersResponse(
            members=[_member(m) for m in members], next_page_token=next_token
        )

    async def InviteMember(
        self, request: pb.InviteMemberRequest, context: Context
    ) -> pb.InviteMemberResponse:
        role = _role(request.role)
        invitation = await self._tenants.invite(
            current_caller(), request.tenant_id, request.email, role
        )
        return pb.InviteMemberResponse(invitation=_invitation(invitation))

    async def ListInvitations(
        self, request: pb.ListInvitationsRequest, context: Context
    ) -> pb.ListInvitationsResponse:
        page = Page(request.page_size, request.page_token)
        invitations, next_token = await self._tenants.invitations(
            current_caller(), request.tenant_id, page
        )
        return pb.ListInvitationsResponse(
            invitations=[_invitation(i) for i in invitations], next_page_token=next_token
        )

    async def RevokeInvitation(
        self, request: pb.RevokeInvitationRequest, context: Context
    ) -> pb.RevokeInvitationResponse:
        await self._tenants.revoke_invitation(
            current_caller(), request.tenant_id, request.invitation_id
        )
        return pb.RevokeInvitationResponse()

    async def ListMyInvitations(
        self, request: pb.ListMyInvitationsRequest, context: Context
    ) -> pb.ListMyInvitationsResponse:
        invitations = await self._tenants.my_invitations(current_caller())
        return pb.ListMyInvitationsResponse(invitations=[_invitation(i) for i in invitations])

    async def AcceptInvitation(
        self, request: pb.AcceptInvitationRequest, context: Context
    ) -> pb.AcceptInvitationResponse:
        membership = await self._tenants.accept(current_caller(), request.invitation_id)
        return pb.AcceptInvitationResponse(membership=_membership(membership))

    async def ChangeMemberRole(
        self, request: pb.ChangeMemberRoleRequest, context: Context
    ) -> pb.ChangeMemberRoleResponse:
        role = _role(request.role)
        member = await self._tenants.change_role(
            current_caller(), request.tenant_id, request.user_id, role
        )
        return pb.ChangeMemberRoleResponse(member=_member(member))

    async def RemoveMember(
        self, request: pb.RemoveMemberRequest, context: Context
    ) -> pb.RemoveMemberResponse:
        await self._tenants.remove(current_caller(), request.tenant_id, request.user_id)
        return pb.RemoveMemberResponse()

    async def LeaveTenant(
        self, request: pb.LeaveTenantRequest, context: Context
    ) -> pb.LeaveTenantResponse:
        await self._tenants.leave(current_caller(), request.tenant_id)
        return pb.LeaveTenantResponse()

    async def SwitchTenant(
        self, request: pb.SwitchTenantRequest, context: Context
    ) -> pb.SwitchTenantResponse:
        issued, membership = await self._sessions.switch(
            current_caller(), request.tenant_id, request.refresh_token
        )
        return pb.SwitchTenantResponse(
            session=session_message(issued), membership=_membership(membership)
        )

    async def DeleteTenant(
        self, request: pb.DeleteTenantRequest, context: Context
    ) -> pb.DeleteTenantResponse:
        await self._tenants.delete(current_caller(), request.tenant_id)
        return pb.DeleteTenantResponse()


def _role(value: "auth_pb.Role.ValueType") -> str:
    name = ROLE_NAMES.get(value)
    if name is None:
        violations = Violations()
        violations.add("role", "must be ROLE_OWNER, ROLE_ADMIN, ROLE_EDITOR or ROLE_VIEWER")
        violations.raise_if_any()
    return str(name)


def _tenant(tenant: TenantRecord) -> pb.Tenant:
    return pb.Tenant(
        id=tenant.id,
        name=tenant.name,
        personal=tenant.personal,
        create_time=timestamp(tenant.created_at),
    )


def _membership(membership: MembershipRecord) -> pb.TenantMembership:
    return pb.TenantMembership(
        tenant=_tenant(membership.tenant), role=role_message(membership.role)
    )


def _member(member: MemberRecord) -> pb.Member:
    return pb.Member(
        user_id=member.user_id,
        email=member.email,
        role=role_message(member.role),
        join_time=timestamp(member.joined_at),
    )


def _invitation(invitation: InvitationRecord) -> pb.Invitation:
    return pb.Invitation(
        id=invitation.id,
        tenant=_tenant(invitation.tenant),
        email=invitation.email,
        role=role_message(invitation.role),
        expire_time=timestamp(invitation.expires_at),
        create_time=timestamp(invitation.created_at),
        inviter_email=invitation.inviter_email,
    )
