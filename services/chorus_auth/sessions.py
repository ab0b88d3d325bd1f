"""Login sessions: refresh-token rotation, switching tenant, logging out.

A login session is a family of refresh tokens: each refresh rotates the
token, and presenting a rotated token again (someone else may hold the
family) revokes the whole session. `refresh` and `switch` are separate
operations sharing one rotation step; each runs in one write transaction.
A refusal that revokes the session commits the revocation first and then
fails the call: the revocation must survive the error it causes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from chorus_auth.records import MembershipRecord, StoredRefreshToken
from chorus_auth.store import AuthDatabase, AuthStore
from chorus_auth.token_issuer import (
    AccessToken,
    AccessTokenIssuer,
    new_refresh_token,
    refresh_token_hash,
)
from chorus_core.caller import Caller
from chorus_core.errors import NotFound, Unauthenticated
from chorus_core.sqltypes import utcnow

BAD_REFRESH = "the refresh token is invalid, expired or revoked: log in again"


@dataclass(frozen=True)
class IssuedSession:
    access: AccessToken
    refresh_token: str
    refresh_expires_at: datetime


def _issued_or_refuse(issued: IssuedSession | None) -> IssuedSession:
    """Called after the transaction: a refusal's revocation is committed by then."""
    if issued is None:
        raise Unauthenticated(BAD_REFRESH)
    return issued


class Sessions:
    def __init__(self, db: AuthDatabase, issuer: AccessTokenIssuer, refresh_ttl: timedelta) -> None:
        self._db = db
        self._issuer = issuer
        self._refresh_ttl = refresh_ttl

    async def start(
        self, store: AuthStore, user_id: str, tenant_id: str, role: str, now: datetime
    ) -> IssuedSession:
        """A new login session, in the caller's transaction (sign-up, login)."""
        login_id = await store.add_login(user_id, tenant_id, now)
        return await self._issue(
            store, login_id=login_id, user_id=user_id, tenant_id=tenant_id, role=role, now=now
        )

    async def refresh(self, token: str) -> IssuedSession:
        """Rotate a refresh token; the new access token has the user's current role.

        A user no longer in the session's tenant loses the session.
        """
        now = utcnow()
        async with self._db.write() as store:
            stored = await self._valid(store, token, now)
            issued = await self._rotate(store, stored, stored.tenant_id, now) if stored else None
        return _issued_or_refuse(issued)

    async def switch(
        self, caller: Caller, tenant_id: str, token: str
    ) -> tuple[IssuedSession, MembershipRecord]:
        """Rotate the caller's refresh token into a session acting in another of their tenants.

        NOT_FOUND for a tenant the caller is not in (the session is unchanged);
        UNAUTHENTICATED for a refresh token that is not the caller's.
        """
        now = utcnow()
        async with self._db.write() as store:
            tenant = await store.tenant(tenant_id)
            role = await store.role(caller.user_id, tenant_id) if tenant else None
            if tenant is None or role is None:
                raise NotFound(f"tenant {tenant_id} not found")
            stored = await self._valid(store, token, now)
            if stored is not None and stored.user_id != caller.user_id:
                stored = None
            issued = await self._rotate(store, stored, tenant_id, now) if stored else None
        return _issued_or_refuse(issued), MembershipRecord(tenant, role)

    async def logout(self, token: str) -> None:
        """End the session of a refresh token (any token of the family); unknown tokens: no-op."""
        now = utcnow()
        async with self._db.write() as store:
            stored = await store.refresh_token(refresh_token_hash(token))
            if stored is not None:
                await store.revoke_login(stored.login_id, now)

    async def _valid(
        self, store: AuthStore, token: str, now: datetime
    ) -> StoredRefreshToken | None:
        """The stored token if its session is live and it has not expired."""
        stored = await store.refresh_token(refresh_token_hash(token))
        if stored is None or stored.session_revoked or stored.expires_at <= now:
            return None
        return stored

    async def _rotate(
        self, store: AuthStore, stored: StoredRefreshToken, tenant_id: str, now: datetime
    ) -> IssuedSession | None:
        """Use up `stored` and issue the next tokens, acting in `tenant_id`.

        A token used before, or a user no longer in the tenant, revokes the
        session instead and gives None: the caller lets the transaction
        commit, then refuses the call.
        """
        if not await store.use_refresh_token(stored.token_id, now):
            await store.revoke_login(stored.login_id, now)
            return None
        role = await store.role(stored.user_id, tenant_id)
        if role is None:
            await store.revoke_login(stored.login_id, now)
            return None
        if tenant_id != stored.tenant_id:
            await store.move_login(stored.login_id, tenant_id)
        return await self._issue(
            store,
            login_id=stored.login_id,
            user_id=stored.user_id,
            tenant_id=tenant_id,
            role=role,
            now=now,
        )

    async def _issue(
        self,
        store: AuthStore,
        *,
        login_id: str,
        user_id: str,
        tenant_id: str,
        role: str,
        now: datetime,
    ) -> IssuedSession:
        refresh = new_refresh_token()
        expires_at = now + self._refresh_ttl
        await store.add_refresh_token(login_id, refresh_token_hash(refresh), now, expires_at)
        access = self._issuer.issue(user_id=user_id, tenant_id=tenant_id, role=role, now=now)
        return IssuedSession(access=access, refresh_token=refresh, refresh_expires_at=expires_at)
