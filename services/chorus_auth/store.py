"""The auth data layer: every SQL statement of the auth service, and its transactions.

`AuthDatabase.read()` / `.write()` open one transaction and hand out an
`AuthStore` bound to it; each public operation of `Accounts`, `Sessions`
and `Tenants` opens exactly one, so what it checks and what it changes are
one atomic step. The store answers in records (`chorus_auth.records`),
never ORM rows, and makes no decisions: the callers decide, it reads and
writes. A transaction commits when its block ends without an exception and
rolls back otherwise.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import Row, Select, delete, func, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chorus_auth.models import (
    DeletedTenant,
    Invitation,
    LoginSession,
    Membership,
    RefreshToken,
    Tenant,
    User,
)
from chorus_auth.records import (
    InvitationRecord,
    MemberRecord,
    MembershipRecord,
    StoredRefreshToken,
    TenantRecord,
    UserRecord,
)
from chorus_core import keyset
from chorus_core.database import Database
from chorus_core.errors import AlreadyExists
from chorus_core.roles import OWNER
from chorus_core.sqltypes import utcnow

AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"


@dataclass(frozen=True)
class Page:
    """A page asked for: its size (0: the default) and the previous page's token."""

    size: int
    token: str


class AuthDatabase:
    """Transactions on the auth database, each with its `AuthStore`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def read(self) -> AsyncIterator["AuthStore"]:
        async with self._db.read() as session:
            yield AuthStore(session)

    @asynccontextmanager
    async def write(self) -> AsyncIterator["AuthStore"]:
        async with self._db.write() as session:
            yield AuthStore(session)


class AuthStore:
    """Reads and writes of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Users

    async def add_user(
        self, email: str, email_key: str, password_hash: str, now: datetime
    ) -> UserRecord:
        """A new user; ALREADY_EXISTS if the email (case-folded) is taken."""
        user = User(
            id=str(uuid.uuid4()),
            email=email,
            email_key=email_key,
            password_hash=password_hash,
            created_at=now,
        )
        self._session.add(user)
        try:
            await self._session.flush()
        except IntegrityError:
            raise AlreadyExists("an account with this email already exists") from None
        return _user(user)

    async def user(self, user_id: str) -> UserRecord | None:
        user = await self._session.get(User, user_id)
        return _user(user) if user else None

    async def email_key_of(self, user_id: str) -> str | None:
        key: str | None = await self._session.scalar(
            select(User.email_key).where(User.id == user_id)
        )
        return key

    async def credentials(self, email_key: str) -> tuple[UserRecord, str] | None:
        """The user with this email and their password hash."""
        user = await self._session.scalar(select(User).where(User.email_key == email_key))
        return (_user(user), user.password_hash) if user else None

    # Tenants and memberships

    async def add_tenant(self, name: str, *, personal: bool, now: datetime) -> TenantRecord:
        tenant = Tenant(id=str(uuid.uuid4()), name=name, personal=personal, created_at=now)
        self._session.add(tenant)
        await self._session.flush()
        return _tenant(tenant)

    async def add_member(self, tenant_id: str, user_id: str, role: str, now: datetime) -> None:
        self._session.add(
            Membership(tenant_id=tenant_id, user_id=user_id, role=role, created_at=now)
        )
        await self._session.flush()

    async def tenant(self, tenant_id: str, *, lock: bool = False) -> TenantRecord | None:
        """The tenant; with `lock`, its row stays locked until the transaction ends."""
        if not _is_id(tenant_id):
            return None
        tenant = await self._session.get(Tenant, tenant_id, with_for_update=lock)
        return _tenant(tenant) if tenant else None

    async def role(self, user_id: str, tenant_id: str) -> str | None:
        """The user's role in the tenant; None if not a member."""
        role: str | None = await self._session.scalar(
            select(Membership.role).where(
                Membership.user_id == user_id, Membership.tenant_id == tenant_id
            )
        )
        return role

    async def personal_membership(self, user_id: str) -> tuple[str, str] | None:
        """(tenant id, role) of the user's personal tenant."""
        row = (
            await self._session.execute(
                select(Membership.tenant_id, Membership.role)
                .join(Tenant, Tenant.id == Membership.tenant_id)
                .where(Membership.user_id == user_id, Tenant.personal.is_(True))
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def memberships_page(
        self, user_id: str, page: Page
    ) -> tuple[list[MembershipRecord], str]:
        """The user's tenants and roles, in the order joined."""
        query = (
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user_id)
        )
        rows, next_token = await self._page(
            "memberships", query, Membership.created_at, Tenant.id, page
        )
        return [MembershipRecord(_tenant(row[0]), row[1]) for row in rows], next_token

    async def members_page(self, tenant_id: str, page: Page) -> tuple[list[MemberRecord], str]:
        """The tenant's members, in the order they joined."""
        query = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant_id)
        )
        rows, next_token = await self._page("members", query, Membership.created_at, User.id, page)
        return [_member(row[0], row[1]) for row in rows], next_token

    async def member(self, tenant_id: str, user_id: str) -> MemberRecord | None:
        if not _is_id(user_id):
            return None
        row = (
            await self._session.execute(
                select(Membership, User)
                .join(User, User.id == Membership.user_id)
                .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
            )
        ).first()
        return _member(row[0], row[1]) if row else None

    async def has_member_with_email(self, tenant_id: str, email_key: str) -> bool:
        found = await self._session.scalar(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant_id, User.email_key == email_key)
        )
        return found is not None

    async def owner_count(self, tenant_id: str) -> int:
        count = await self._session.scalar(
            select(func.count()).where(Membership.tenant_id == tenant_id, Membership.role == OWNER)
        )
        return int(count or 0)

    async def set_role(self, tenant_id: str, user_id: str, role: str) -> None:
        await self._session.execute(
            update(Membership)
            .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
            .values(role=role)
        )

    async def remove_member(self, tenant_id: str, user_id: str) -> None:
        await self._session.execute(
            delete(Membership).where(
                Membership.tenant_id == tenant_id, Membership.user_id == user_id
            )
        )

    async def delete_tenant(self, tenant_id: str) -> None:
        """The tenant with its memberships, invitations and sessions (ON DELETE CASCADE)."""
        tenant = await self._session.get(Tenant, tenant_id)
        if tenant is not None:
            await self._session.delete(tenant)
            if self._session.get_bind().dialect.name == "postgresql":
                await self._session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext('chorus-deleted-tenants'))")
                )
            self._session.add(DeletedTenant(tenant_id=tenant_id, deleted_at=utcnow()))

    async def deleted_tenants(self, after: int, limit: int) -> list[DeletedTenant]:
        """Deletions after position `after`, oldest first."""
        found = await self._session.scalars(
            select(DeletedTenant)
            .where(DeletedTenant.position > after)
            .order_by(DeletedTenant.position)
            .limit(limit)
        )
        return list(found)

    # Invitations

    async def open_invitation_id(self, tenant_id: str, email_key: str, now: datetime) -> str | None:
        found: str | None = await self._session.scalar(
            select(Invitation.id).where(
                Invitation.tenant_id == tenant_id,
                Invitation.email_key == email_key,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
        )
        return found

    async def add_invitation(
        self,
        *,
        tenant_id: str,
        email: str,
        email_key: str,
        role: str,
        invited_by: str,
        now: datetime,
        expires_at: datetime,
    ) -> str:
        invitation_id = str(uuid.uuid4())
        self._session.add(
            Invitation(
                id=invitation_id,
                tenant_id=tenant_id,
                email=email,
                email_key=email_key,
                role=role,
                invited_by=invited_by,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await self._session.flush()
        return invitation_id

    async def renew_invitation(
        self, invitation_id: str, role: str, invited_by: str, expires_at: datetime
    ) -> None:
        await self._session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(role=role, invited_by=invited_by, expires_at=expires_at)
        )

    async def pending_invitation(
        self, invitation_id: str, now: datetime
    ) -> InvitationRecord | None:
        """The invitation if it is neither accepted nor expired."""
        if not _is_id(invitation_id):
            return None
        row = (
            await self._session.execute(
                _pending_invitations(now).where(Invitation.id == invitation_id)
            )
        ).first()
        return _invitation(row) if row else None

    async def pending_invitations_page(
        self, tenant_id: str, page: Page, now: datetime
    ) -> tuple[list[InvitationRecord], str]:
        query = _pending_invitations(now).where(Invitation.tenant_id == tenant_id)
        rows, next_token = await self._page(
            "invitations", query, Invitation.created_at, Invitation.id, page
        )
        return [_invitation(row) for row in rows], next_token

    async def pending_invitations_for(
        self, email_key: str, now: datetime
    ) -> list[InvitationRecord]:
        rows = await self._session.execute(
            _pending_invitations(now)
            .where(Invitation.email_key == email_key)
            .order_by(Invitation.created_at, Invitation.id)
        )
        return [_invitation(row) for row in rows]

    async def mark_accepted(self, invitation_id: str, now: datetime) -> None:
        await self._session.execute(
            update(Invitation).where(Invitation.id == invitation_id).values(accepted_at=now)
        )

    async def delete_invitation(self, invitation_id: str) -> None:
        await self._session.execute(delete(Invitation).where(Invitation.id == invitation_id))

    async def _page(
        self, listing: str, query: AnySelect, created: Any, item_id: Any, page: Page
    ) -> tuple[list[AnyRow], str]:
        """One page of `query` in (created, item_id) order and the next page's token.

        Tokens are `chorus_core.keyset`'s, as on the resource side; the two
        sort columns are added as the last two columns of every row.
        """
        fingerprint = keyset.query_fingerprint("chorus.auth", listing)
        size = keyset.page_size(page.size)
        query = query.add_columns(created, item_id)
        if page.token:
            after = keyset.decode(page.token, fingerprint, (datetime, str))
            query = query.where(tuple_(created, item_id) > tuple_(*after))
        query = query.order_by(created, item_id).limit(size + 1)
        rows = list((await self._session.execute(query)).all())
        if len(rows) <= size:
            return rows, ""
        last = rows[size - 1]
        return rows[:size], keyset.encode((last[-2], last[-1]), fingerprint)

    # Login sessions and refresh tokens

    async def add_login(self, user_id: str, tenant_id: str, now: datetime) -> str:
        login_id = str(uuid.uuid4())
        self._session.add(
            LoginSession(id=login_id, user_id=user_id, tenant_id=tenant_id, created_at=now)
        )
        await self._session.flush()
        return login_id

    async def add_refresh_token(
        self, login_id: str, token_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        self._session.add(
            RefreshToken(
                id=str(uuid.uuid4()),
                session_id=login_id,
                token_hash=token_hash,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await self._session.flush()

    async def refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        row = (
            await self._session.execute(
                select(RefreshToken, LoginSession)
                .join(LoginSession, LoginSession.id == RefreshToken.session_id)
                .where(RefreshToken.token_hash == token_hash)
            )
        ).first()
        if row is None:
            return None
        token, login = row
        return StoredRefreshToken(
            token_id=token.id,
            login_id=login.id,
            user_id=login.user_id,
            tenant_id=login.tenant_id,
            expires_at=token.expires_at,
            session_revoked=login.revoked_at is not None,
        )

    async def use_refresh_token(self, token_id: str, now: datetime) -> bool:
        """Mark the token used; False if it already was (a reuse)."""
        result = await self._session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def move_login(self, login_id: str, tenant_id: str) -> None:
        await self._session.execute(
            update(LoginSession).where(LoginSession.id == login_id).values(tenant_id=tenant_id)
        )

    async def revoke_login(self, login_id: str, now: datetime) -> None:
        await self._session.execute(
            update(LoginSession)
            .where(LoginSession.id == login_id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_logins_in(self, user_id: str, tenant_id: str, now: datetime) -> None:
        """End the user's login sessions acting in the tenant."""
        await self._session.execute(
            update(LoginSession)
            .where(
                LoginSession.user_id == user_id,
                LoginSession.tenant_id == tenant_id,
                LoginSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )


def _pending_invitations(now: datetime) -> AnySelect:
    """Open invitations with their tenant and the inviter's email (None if gone)."""
    inviter = aliased(User)
    return (
        select(Invitation, Tenant, inviter.email)
        .join(Tenant, Tenant.id == Invitation.tenant_id)
        .outerjoin(inviter, inviter.id == Invitation.invited_by)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > now)
    )


def _user(user: User) -> UserRecord:
    return UserRecord(id=user.id, email=user.email, created_at=user.created_at)


def _tenant(tenant: Tenant) -> TenantRecord:
    return TenantRecord(
        id=tenant.id, name=tenant.name, personal=tenant.personal, created_at=tenant.created_at
    )


def _member(membership: Membership, user: User) -> MemberRecord:
    return MemberRecord(
        user_id=user.id, email=user.email, role=membership.role, joined_at=membership.created_at
    )


def _invitation(row: AnyRow) -> InvitationRecord:
    invitation, tenant, inviter_email = row[0], row[1], row[2]
    return InvitationRecord(
        id=invitation.id,
        tenant=_tenant(tenant),
        email=invitation.email,
        email_key=invitation.email_key,
        role=invitation.role,
        inviter_email=inviter_email or "",
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


def _is_id(value: str) -> bool:
    """Ids are UUIDs in canonical form; anything else names no row."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
