"""Shared tenants for tests: teams with members in given roles, joined by invitation."""

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import tenant_service_pb2 as pb
from chorus_client import ChorusClient, UserSession
from chorus_core.roles import ROLE_MESSAGES, Permission, allows
from tests.support.paging import every_item
from tests.support.songs import new_user

ROLES = ROLE_MESSAGES
"""Every role, strongest first, by the name tokens carry in their `role` claim."""
WRITERS = frozenset(role for role in ROLES if allows(role, Permission.CHANGE_RESOURCES))
"""The roles that may change songs."""


def unique_tenant_name(label: str = "Band") -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


async def join(
    inviter: UserSession, invitee: UserSession, tenant_id: str, role: str
) -> pb.TenantMembership:
    """Invite `invitee` by email, and accept as them."""
    invitation = await inviter.tenants.invite(tenant_id, invitee.user.email, ROLES[role])
    return await invitee.tenants.accept(invitation.id)


@dataclass(frozen=True)
class Team:
    """A shared tenant and its members, by label ("owner" created it)."""

    tenant: pb.Tenant
    members: dict[str, UserSession]

    @property
    def id(self) -> str:
        return self.tenant.id

    def __getitem__(self, label: str) -> UserSession:
        return self.members[label]


async def new_team(
    client: ChorusClient, roles: Mapping[str, str] | None = None, *, switched: bool = True
) -> Team:
    """A new shared tenant made by "owner", joined by one new user per `label: role`.

    With `switched`, every member's session acts in the tenant (for song calls).
    """
    roles = roles or {}
    owner = await new_user(client, "owner")
    tenant = await owner.tenants.create(unique_tenant_name())
    users = await asyncio.gather(*(new_user(client, label) for label in roles))
    members = {"owner": owner, **dict(zip(roles, users, strict=True))}
    await asyncio.gather(
        *(join(owner, members[label], tenant.id, role) for label, role in roles.items())
    )
    if switched:
        await asyncio.gather(*(member.tenants.switch(tenant.id) for member in members.values()))
    return Team(tenant, members)


ONE_OF_EACH_ROLE = {role: role for role in ROLES if role != "owner"}
"""`new_team` roles for a member in every role but the creator's, labelled by role."""


async def member_roles(user: UserSession, tenant_id: str) -> dict[str, str]:
    """The tenant's members as `user` sees them: email -> role name."""
    return {
        member.email: auth_pb.Role.Name(member.role).removeprefix("ROLE_").lower()
        for member in await every_item(
            lambda token: user.tenants.members_page(tenant_id, page_token=token)
        )
    }


async def all_memberships(user: UserSession) -> list[pb.TenantMembership]:
    """The user's tenants with their role in each, in the order listed."""
    return await every_item(lambda token: user.tenants.page(page_token=token))


async def my_tenants(user: UserSession) -> dict[str, "auth_pb.Role.ValueType"]:
    """The user's tenants: id -> role, in the order listed."""
    return {membership.tenant.id: membership.role for membership in await all_memberships(user)}


async def pending_invitations(
    user: UserSession, tenant_id: str, page_size: int = 0
) -> list[pb.Invitation]:
    """A tenant's pending invitations as `user` (an owner or admin) sees them."""
    return await every_item(
        lambda token: user.tenants.tenant_invitations_page(tenant_id, page_size, token)
    )
