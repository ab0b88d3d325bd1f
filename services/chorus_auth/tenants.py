"""Shared tenants: creating, membership, invitations, switching, deleting.

No gRPC here: the servicer translates messages, this module decides. Each
change reads the caller's role from the database (not from the token), and
changes to one tenant's members are serialised by locking its row, so two
owners demoting each other at once cannot leave a tenant without an owner.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeAlias

from sqlalchemy import Row, Select, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chorus_auth.accounts import Accounts, IssuedSession
from chorus_auth.credentials import email_key, normalized_email
from chorus_auth.models import Invitation, LoginSession, Membership, Tenant, User
from chorus_auth.roles import OWNER, require_manager
from chorus_core.caller import Caller
from chorus_core.database import Database
from chorus_core.errors import (
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    PermissionDenied,
    Violations,
)
from chorus_core.pagination import PageRequest, page_token
from chorus_core.sqltypes import utcnow
from chorus_core.validation import required_text

AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"

INVITATION_TTL = timedelta(days=7)
MAX_NAME = 200


@dataclass(frozen=True)
class MemberView:
    membership: Membership
    user: User


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    tenant: Tenant
    inviter_email: str
    """Empty if the inviter's account no longer exists."""


class Tenants:
    def __init__(self, db: Database, accounts: Accounts) -> None:
        self._db = db
        self._accounts = accounts

    async def create(self, caller: Caller, raw_name: str) -> Tenant:
        violations = Violations()
        name = required_text(raw_name, "name", violations, max_length=MAX_NAME)
        violations.raise_if_any()
        now = utcnow()
        tenant = Tenant(id=str(uuid.uuid4()), name=name, personal=False, created_at=now)
        async with self._db.write() as session:
            session.add(tenant)
            await session.flush()
            session.add(
                Membership(tenant_id=tenant.id, user_id=caller.user_id, role=OWNER, created_at=now)
            )
        return tenant

    async def mine(self, caller: Caller, page: PageRequest) -> tuple[list[tuple[Tenant, str]], str]:
        query = (
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == caller.user_id)
        )
        rows, next_token = await self._page(query, Membership.created_at, Tenant.id, page)
        return [(row[0], row[1]) for row in rows], next_token

    async def members(
        self, caller: Caller, tenant_id: str, page: PageRequest
    ) -> tuple[list[MemberView], str]:
        async with self._db.read() as session:
            await _membership(session, caller.user_id, tenant_id)
        query = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant_id)
        )
        rows, next_token = await self._page(query, Membership.created_at, User.id, page)
        return [MemberView(row[0], row[1]) for row in rows], next_token

    async def invite(
        self, caller: Caller, tenant_id: str, raw_email: str, role: str
    ) -> InvitationView:
        violations = Violations()
        email = normalized_email(raw_email, violations)
        violations.raise_if_any()
        now = utcnow()
        async with self._db.write() as session:
            tenant, actor = await _membership(session, caller.user_id, tenant_id, lock=True)
            _shared(tenant)
            require_manager(actor, role)
            member = await session.scalar(
                select(User.id)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.tenant_id == tenant_id, User.email_key == email_key(email))
            )
            if member is not None:
                raise AlreadyExists(f"{email} is already a member of this tenant")
            invitation = await session.scalar(
                select(Invitation).where(
                    Invitation.tenant_id == tenant_id,
                    Invitation.email_key == email_key(email),
                    Invitation.accepted_at.is_(None),
                    Invitation.expires_at > now,
                )
            )
            inviter = await _user(session, caller.user_id)
            if invitation is not None:
                # Inviting again renews the open invitation (with the new role).
                invitation.role, invitation.invited_by = role, caller.user_id
                invitation.expires_at = now + INVITATION_TTL
                return InvitationView(invitation, tenant, inviter.email)
            invitation = Invitation(
                id=str(uuid.uuid4()),
                tenant_id=tenant_id,
                email=email,
                email_key=email_key(email),
                role=role,
                invited_by=caller.user_id,
                created_at=now,
                expires_at=now + INVITATION_TTL,
            )
            session.add(invitation)
        return InvitationView(invitation, tenant, inviter.email)

    async def invitations(
        self, caller: Caller, tenant_id: str, page: PageRequest
    ) -> tuple[list[InvitationView], str]:
        """The pending invitations of a tenant, for its owners and admins."""
        async with self._db.read() as session:
            _, actor = await _membership(session, caller.user_id, tenant_id)
        require_manager(actor)
        query = _pending_invitations().where(Invitation.tenant_id == tenant_id)
        rows, next_token = await self._page(query, Invitation.created_at, Invitation.id, page)
        return [InvitationView(row[0], row[1], row[2] or "") for row in rows], next_token

    async def revoke_invitation(self, caller: Caller, tenant_id: str, invitation_id: str) -> None:
        """Delete a pending invitation of the tenant: it can no longer be accepted."""
        now = utcnow()
        async with self._db.write() as session:
            _, actor = await _membership(session, caller.user_id, tenant_id, lock=True)
            require_manager(actor)
            invitation = (
                await session.get(Invitation, invitation_id) if _is_id(invitation_id) else None
            )
            if (
                invitation is None
                or invitation.tenant_id != tenant_id
                or invitation.accepted_at is not None
                or invitation.expires_at <= now
            ):
                raise NotFound(f"invitation {invitation_id} not found (or expired)")
            require_manager(actor, invitation.role)
            await session.delete(invitation)

    async def my_invitations(self, caller: Caller) -> list[InvitationView]:
        async with self._db.read() as session:
            user = await _user(session, caller.user_id)
            rows = await session.execute(
                _pending_invitations()
                .where(Invitation.email_key == user.email_key)
                .order_by(Invitation.created_at, Invitation.id)
            )
            return [InvitationView(row[0], row[1], row[2] or "") for row in rows]

    async def accept(self, caller: Caller, invitation_id: str) -> tuple[Tenant, str]:
        now = utcnow()
        async with self._db.write() as session:
            user = await _user(session, caller.user_id)
            invitation = await session.get(Invitation, invitation_id)
            if (
                invitation is None
                or invitation.email_key != user.email_key
                or invitation.accepted_at is not None
                or invitation.expires_at <= now
            ):
                raise NotFound(f"invitation {invitation_id} not found (or expired)")
            tenant = await session.get(Tenant, invitation.tenant_id, with_for_update=True)
            if tenant is None:
                raise NotFound(f"invitation {invitation_id} not found (or expired)")
            if await _role(session, user.id, tenant.id) is not None:
                raise AlreadyExists("you are already a member of this tenant")
            invitation.accepted_at = now
            session.add(
                Membership(
                    tenant_id=tenant.id, user_id=user.id, role=invitation.role, created_at=now
                )
            )
        return tenant, invitation.role

    async def change_role(
        self, caller: Caller, tenant_id: str, user_id: str, role: str
    ) -> MemberView:
        async with self._db.write() as session:
            tenant, actor = await _membership(session, caller.user_id, tenant_id, lock=True)
            _shared(tenant)
            member = await _member(session, tenant_id, user_id)
            require_manager(actor, member.role, role)
            if member.role == OWNER and role != OWNER:
                await _not_last_owner(session, tenant_id, "demoted")
            member.role = role
            return MemberView(member, await _user(session, user_id))

    async def remove(self, caller: Caller, tenant_id: str, user_id: str) -> None:
        async with self._db.write() as session:
            tenant, actor = await _membership(session, caller.user_id, tenant_id, lock=True)
            _shared(tenant)
            member = await _member(session, tenant_id, user_id)
            require_manager(actor, member.role)
            await self._drop_member(session, member)

    async def leave(self, caller: Caller, tenant_id: str) -> None:
        async with self._db.write() as session:
            tenant, _ = await _membership(session, caller.user_id, tenant_id, lock=True)
            _shared(tenant)
            await self._drop_member(session, await _member(session, tenant_id, caller.user_id))

    async def switch(
        self, caller: Caller, tenant_id: str, refresh_token: str
    ) -> tuple[IssuedSession, Tenant, str]:
        async with self._db.read() as session:
            tenant, role = await _membership(session, caller.user_id, tenant_id)
        issued = await self._accounts.refresh(
            refresh_token, switch_to=tenant_id, for_user=caller.user_id
        )
        return issued, tenant, role

    async def delete(self, caller: Caller, tenant_id: str) -> None:
        async with self._db.write() as session:
            tenant, actor = await _membership(session, caller.user_id, tenant_id, lock=True)
            _shared(tenant)
            if actor != OWNER:
                raise PermissionDenied("only owners can delete a tenant")
            # Memberships, invitations and sessions go with it (ON DELETE CASCADE).
            await session.delete(tenant)

    async def _drop_member(self, session: AsyncSession, member: Membership) -> None:
        if member.role == OWNER:
            await _not_last_owner(session, member.tenant_id, "removed")
        await session.delete(member)
        await session.execute(
            update(LoginSession)
            .where(
                LoginSession.user_id == member.user_id,
                LoginSession.tenant_id == member.tenant_id,
                LoginSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )

    async def _page(
        self, query: AnySelect, sort_time: Any, sort_id: Any, page: PageRequest
    ) -> tuple[list[AnyRow], str]:
        """One keyset page of `query` ordered by (sort_time, sort_id), which
        are also the last two columns of each row."""
        query = query.add_columns(sort_time, sort_id)
        if page.after is not None:
            query = query.where(tuple_(sort_time, sort_id) > tuple_(*page.after))
        query = query.order_by(sort_time, sort_id).limit(page.size + 1)
        async with self._db.read() as session:
            rows = list((await session.execute(query)).all())
        if len(rows) <= page.size:
            return rows, ""
        last = rows[page.size - 1]
        return rows[: page.size], page_token(last[-2], last[-1])


def _pending_invitations() -> AnySelect:
    """Open invitations with their tenant and the inviter's email (or None)."""
    inviter = aliased(User)
    return (
        select(Invitation, Tenant, inviter.email)
        .join(Tenant, Tenant.id == Invitation.tenant_id)
        .outerjoin(inviter, inviter.id == Invitation.invited_by)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
    )


async def _membership(
    session: AsyncSession, user_id: str, tenant_id: str, *, lock: bool = False
) -> tuple[Tenant, str]:
    """The tenant and the user's role in it; NOT_FOUND for non-members."""
    tenant = (
        await session.get(Tenant, tenant_id, with_for_update=lock) if _is_id(tenant_id) else None
    )
    role = await _role(session, user_id, tenant_id) if tenant else None
    if tenant is None or role is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return tenant, role


async def _role(session: AsyncSession, user_id: str, tenant_id: str) -> str | None:
    return await session.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.tenant_id == tenant_id
        )
    )


async def _member(session: AsyncSession, tenant_id: str, user_id: str) -> Membership:
    member = await session.get(Membership, (tenant_id, user_id)) if _is_id(user_id) else None
    if member is None:
        raise NotFound(f"user {user_id} is not a member of this tenant")
    return member


async def _user(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("the user of this access token no longer exists")
    return user


async def _not_last_owner(session: AsyncSession, tenant_id: str, verb: str) -> None:
    owners = await session.scalar(
        select(func.count()).where(Membership.tenant_id == tenant_id, Membership.role == OWNER)
    )
    if (owners or 0) <= 1:
        raise FailedPrecondition(f"the last owner cannot be {verb}: make someone else owner first")


def _shared(tenant: Tenant) -> None:
    if tenant.personal:
        raise FailedPrecondition(
            "a personal tenant has exactly one member: create a shared tenant to work with others"
        )


def _is_id(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
