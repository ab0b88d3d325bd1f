"""Shared tenants: creating, membership, invitations, deleting.

No gRPC and no SQL here: the servicer translates messages, the data layer
(`chorus_auth.store`) reads and writes, this module decides. Each operation
is one transaction. Each reads the caller's role from the database (not
from the token), and changes to one tenant's members are serialised by
locking its row, so two owners demoting each other at once cannot leave a
tenant without an owner.
"""

from datetime import datetime, timedelta

from chorus_auth.credentials import email_key, normalized_email
from chorus_auth.records import InvitationRecord, MemberRecord, MembershipRecord, TenantRecord
from chorus_auth.store import AuthDatabase, AuthStore, Page
from chorus_core.caller import Caller
from chorus_core.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    Violations,
)
from chorus_core.roles import OWNER, Permission, require, require_manager
from chorus_core.sqltypes import utcnow

INVITATION_TTL = timedelta(days=7)


class Tenants:
    def __init__(self, db: AuthDatabase) -> None:
        self._db = db

    async def create(self, caller: Caller, raw_name: str) -> TenantRecord:
        name = raw_name.strip()  # the contract's rules (length, not blank) were checked
        now = utcnow()
        async with self._db.write() as store:
            tenant = await store.add_tenant(name, personal=False, now=now)
            await store.add_member(tenant.id, caller.user_id, OWNER, now)
        return tenant

    async def mine(self, caller: Caller, page: Page) -> tuple[list[MembershipRecord], str]:
        async with self._db.read() as store:
            return await store.memberships_page(caller.user_id, page)

    async def members(
        self, caller: Caller, tenant_id: str, page: Page
    ) -> tuple[list[MemberRecord], str]:
        async with self._db.read() as store:
            await _membership(store, caller, tenant_id)
            return await store.members_page(tenant_id, page)

    async def invite(
        self, caller: Caller, tenant_id: str, raw_email: str, role: str
    ) -> InvitationRecord:
        violations = Violations()
        email = normalized_email(raw_email, violations)
        violations.raise_if_any()
        key = email_key(email)
        now = utcnow()
        async with self._db.write() as store:
            tenant, actor = await _membership(store, caller, tenant_id, lock=True)
            _shared(tenant)
            require_manager(actor, role)
            if await store.has_member_with_email(tenant_id, key):
                raise AlreadyExists(f"{email} is already a member of this tenant")
            invitation_id = await store.open_invitation_id(tenant_id, key, now)
            if invitation_id is not None:
                # Inviting again renews the open invitation (with the new role).
                await store.renew_invitation(
                    invitation_id, role, caller.user_id, now + INVITATION_TTL
                )
            else:
                invitation_id = await store.add_invitation(
                    tenant_id=tenant_id,
                    email=email,
                    email_key=key,
                    role=role,
                    invited_by=caller.user_id,
                    now=now,
                    expires_at=now + INVITATION_TTL,
                )
            return await _pending(store, invitation_id, now)

    async def invitations(
        self, caller: Caller, tenant_id: str, page: Page
    ) -> tuple[list[InvitationRecord], str]:
        """The pending invitations of a tenant, for its owners and admins."""
        async with self._db.read() as store:
            _, actor = await _membership(store, caller, tenant_id)
            require_manager(actor)
            return await store.pending_invitations_page(tenant_id, page, utcnow())

    async def revoke_invitation(self, caller: Caller, tenant_id: str, invitation_id: str) -> None:
        """Delete a pending invitation of the tenant: it can no longer be accepted."""
        now = utcnow()
        async with self._db.write() as store:
            _, actor = await _membership(store, caller, tenant_id, lock=True)
            require_manager(actor)
            invitation = await store.pending_invitation(invitation_id, now)
            if invitation is None or invitation.tenant.id != tenant_id:
                raise NotFound(f"invitation {invitation_id} not found (or expired)")
            require_manager(actor, invitation.role)
            await store.delete_invitation(invitation_id)

    async def my_invitations(self, caller: Caller) -> list[InvitationRecord]:
        async with self._db.read() as store:
            key = await store.email_key_of(caller.user_id)
            if key is None:
                raise NotFound("the user of this access token no longer exists")
            return await store.pending_invitations_for(key, utcnow())

    async def accept(self, caller: Caller, invitation_id: str) -> MembershipRecord:
        now = utcnow()
        async with self._db.write() as store:
            key = await store.email_key_of(caller.user_id)
            if key is None:
                raise NotFound("the user of this access token no longer exists")
            invitation = await store.pending_invitation(invitation_id, now)
            if invitation is None or invitation.email_key != key:
                raise NotFound(f"invitation {invitation_id} not found (or expired)")
            tenant = await store.tenant(invitation.tenant.id, lock=True)
            if tenant is None:
                raise NotFound(f"invitation {invitation_id} not found (or expired)")
            if await store.role(caller.user_id, tenant.id) is not None:
                raise AlreadyExists("you are already a member of this tenant")
            await store.mark_accepted(invitation_id, now)
            await store.add_member(tenant.id, caller.user_id, invitation.role, now)
        return MembershipRecord(tenant, invitation.role)

    async def change_role(
        self, caller: Caller, tenant_id: str, user_id: str, role: str
    ) -> MemberRecord:
        async with self._db.write() as store:
            tenant, actor = await _membership(store, caller, tenant_id, lock=True)
            _shared(tenant)
            member = await _member(store, tenant_id, user_id)
            require_manager(actor, member.role, role)
            if member.role == OWNER and role != OWNER:
                await _not_last_owner(store, tenant_id, "demoted")
            await store.set_role(tenant_id, user_id, role)
            return MemberRecord(member.user_id, member.email, role, member.joined_at)

    async def remove(self, caller: Caller, tenant_id: str, user_id: str) -> None:
        async with self._db.write() as store:
            tenant, actor = await _membership(store, caller, tenant_id, lock=True)
            _shared(tenant)
            member = await _member(store, tenant_id, user_id)
            require_manager(actor, member.role)
            await _drop_member(store, tenant_id, member)

    async def leave(self, caller: Caller, tenant_id: str) -> None:
        async with self._db.write() as store:
            tenant, _ = await _membership(store, caller, tenant_id, lock=True)
            _shared(tenant)
            await _drop_member(store, tenant_id, await _member(store, tenant_id, caller.user_id))

    async def delete(self, caller: Caller, tenant_id: str) -> None:
        async with self._db.write() as store:
            tenant, actor = await _membership(store, caller, tenant_id, lock=True)
            _shared(tenant)
            require(actor, Permission.DELETE_TENANT)
            await store.delete_tenant(tenant_id)


async def _membership(
    store: AuthStore, caller: Caller, tenant_id: str, *, lock: bool = False
) -> tuple[TenantRecord, str]:
    """The tenant and the caller's role in it; NOT_FOUND for non-members."""
    tenant = await store.tenant(tenant_id, lock=lock)
    role = await store.role(caller.user_id, tenant_id) if tenant else None
    if tenant is None or role is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return tenant, role


async def _member(store: AuthStore, tenant_id: str, user_id: str) -> MemberRecord:
    member = await store.member(tenant_id, user_id)
    if member is None:
        raise NotFound(f"user {user_id} is not a member of this tenant")
    return member


async def _pending(store: AuthStore, invitation_id: str, now: datetime) -> InvitationRecord:
    invitation = await store.pending_invitation(invitation_id, now)
    if invitation is None:  # made or renewed in this very transaction
        raise AssertionError(f"invitation {invitation_id} vanished")
    return invitation


async def _drop_member(store: AuthStore, tenant_id: str, member: MemberRecord) -> None:
    """Remove a member and end their sessions acting in the tenant."""
    if member.role == OWNER:
        await _not_last_owner(store, tenant_id, "removed")
    await store.remove_member(tenant_id, member.user_id)
    await store.revoke_logins_in(member.user_id, tenant_id, utcnow())


async def _not_last_owner(store: AuthStore, tenant_id: str, verb: str) -> None:
    if await store.owner_count(tenant_id) <= 1:
        raise FailedPrecondition(f"the last owner cannot be {verb}: make someone else owner first")


def _shared(tenant: TenantRecord) -> None:
    if tenant.personal:
        raise FailedPrecondition(
            "a personal tenant has exactly one member: create a shared tenant to work with others"
        )
