"""Account logic: sign-up, login, refresh rotation, logout and who-am-i.

No gRPC here: the servicer translates messages, this module decides.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chorus_auth.credentials import check_new_password, email_key, normalized_email
from chorus_auth.models import LoginSession, Membership, RefreshToken, Tenant, User
from chorus_auth.passwords import PasswordHashing
from chorus_auth.roles import OWNER
from chorus_auth.token_issuer import (
    AccessToken,
    AccessTokenIssuer,
    new_refresh_token,
    refresh_token_hash,
)
from chorus_core.caller import Caller
from chorus_core.database import Database
from chorus_core.errors import AlreadyExists, NotFound, Unauthenticated, Violations
from chorus_core.sqltypes import utcnow

BAD_CREDENTIALS = "wrong email or password"
BAD_REFRESH = "the refresh token is invalid, expired or revoked: log in again"


@dataclass(frozen=True)
class IssuedSession:
    access: AccessToken
    refresh_token: str
    refresh_expires_at: datetime


class Accounts:
    def __init__(
        self,
        db: Database,
        passwords: PasswordHashing,
        issuer: AccessTokenIssuer,
        refresh_ttl: timedelta,
    ) -> None:
        self._db = db
        self._passwords = passwords
        self._issuer = issuer
        self._refresh_ttl = refresh_ttl

    async def sign_up(self, raw_email: str, password: str) -> tuple[User, IssuedSession]:
        violations = Violations()
        email = normalized_email(raw_email, violations)
        check_new_password(password, violations)
        violations.raise_if_any()
        password_hash = await self._passwords.hash(password)
        now = utcnow()
        user = User(
            id=str(uuid.uuid4()),
            email=email,
            email_key=email_key(email),
            password_hash=password_hash,
            created_at=now,
        )
        tenant = Tenant(id=str(uuid.uuid4()), name=email, personal=True, created_at=now)
        try:
            async with self._db.write() as session:
                session.add_all([user, tenant])
                await session.flush()
                session.add(
                    Membership(tenant_id=tenant.id, user_id=user.id, role=OWNER, created_at=now)
                )
                issued = await self._start_session(session, user.id, tenant.id, OWNER, now)
        except IntegrityError:
            raise AlreadyExists("an account with this email already exists") from None
        return user, issued

    async def login(self, raw_email: str, password: str) -> tuple[User, IssuedSession]:
        # The same normal form as at sign-up (NFC, IDNA domain), not just the
        # same case: an email must log in exactly as it was typed to sign up.
        key = email_key(normalized_email(raw_email, Violations()))
        async with self._db.read() as session:
            user = await session.scalar(select(User).where(User.email_key == key))
        verified = await self._passwords.verify(user.password_hash if user else None, password)
        if user is None or not verified:
            raise Unauthenticated(BAD_CREDENTIALS)
        now = utcnow()
        async with self._db.write() as session:
            tenant_id, role = await _personal_membership(session, user.id)
            issued = await self._start_session(session, user.id, tenant_id, role, now)
        return user, issued

    async def refresh(
        self, token: str, *, switch_to: str | None = None, for_user: str | None = None
    ) -> IssuedSession:
        """Rotate a refresh token; with `switch_to`, the session moves to that tenant.

        The new tokens carry the user's current role in the session's tenant,
        so role changes arrive with the next refresh; a user no longer in the
        tenant loses the session.
        """
        now = utcnow()
        async with self._db.write() as session:
            row = await session.scalar(
                select(RefreshToken).where(RefreshToken.token_hash == refresh_token_hash(token))
            )
            login = await session.get(LoginSession, row.session_id) if row else None
            if (
                row is None
                or login is None
                or login.revoked_at is not None
                or row.expires_at <= now
                or (for_user is not None and login.user_id != for_user)
            ):
                raise Unauthenticated(BAD_REFRESH)
            rotated = await session.execute(
                update(RefreshToken)
                .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
                .values(used_at=now)
            )
            if rotated.rowcount != 1:  # type: ignore[attr-defined]
                # Reuse of a rotated token: someone else may hold the family.
                login.revoked_at = now
            else:
                if switch_to is not None:
                    login.tenant_id = switch_to
                role = await _role(session, login.user_id, login.tenant_id)
                if role is not None:
                    return await self._next_token(session, login, role, now)
                login.revoked_at = now
        raise Unauthenticated(BAD_REFRESH)

    async def logout(self, token: str) -> None:
        now = utcnow()
        async with self._db.write() as session:
            row = await session.scalar(
                select(RefreshToken).where(RefreshToken.token_hash == refresh_token_hash(token))
            )
            if row is not None:
                await session.execute(
                    update(LoginSession)
                    .where(LoginSession.id == row.session_id, LoginSession.revoked_at.is_(None))
                    .values(revoked_at=now)
                )

    async def who_am_i(self, caller: Caller) -> User:
        async with self._db.read() as session:
            user = await session.get(User, caller.user_id)
        if user is None:
            raise NotFound("the user of this access token no longer exists")
        return user

    async def _start_session(
        self, session: AsyncSession, user_id: str, tenant_id: str, role: str, now: datetime
    ) -> IssuedSession:
        login = LoginSession(
            id=str(uuid.uuid4()), user_id=user_id, tenant_id=tenant_id, created_at=now
        )
        session.add(login)
        await session.flush()
        return await self._next_token(session, login, role, now)

    async def _next_token(
        self, session: AsyncSession, login: LoginSession, role: str, now: datetime
    ) -> IssuedSession:
        refresh = new_refresh_token()
        expires_at = now + self._refresh_ttl
        session.add(
            RefreshToken(
                id=str(uuid.uuid4()),
                session_id=login.id,
                token_hash=refresh_token_hash(refresh),
                created_at=now,
                expires_at=expires_at,
            )
        )
        access = self._issuer.issue(
            user_id=login.user_id, tenant_id=login.tenant_id, role=role, now=now
        )
        return IssuedSession(access=access, refresh_token=refresh, refresh_expires_at=expires_at)


async def _personal_membership(session: AsyncSession, user_id: str) -> tuple[str, str]:
    row = (
        await session.execute(
            select(Membership.tenant_id, Membership.role)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user_id, Tenant.personal.is_(True))
        )
    ).first()
    if row is None:
        raise Unauthenticated(BAD_CREDENTIALS)
    return row[0], row[1]


async def _role(session: AsyncSession, user_id: str, tenant_id: str) -> str | None:
    return await session.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.tenant_id == tenant_id
        )
    )
