"""Straight into the services' databases, for what no RPC shows (or may change).

Through the services' own handles (`InProcessSuite.auth_db`, `InProcessSuite.resource_db`): the
resource database is read as the resource service reads it, as its login
role (no ownership, no BYPASSRLS) and, on PostgreSQL, with the tenant
declared for the transaction, so row-level security applies.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import URL

from chorus_auth.models import Invitation, LoginSession, Membership, RefreshToken, Tenant
from chorus_auth.token_issuer import refresh_token_hash
from chorus_core.database import Database, create_engine
from chorus_core.sqltypes import utcnow
from chorus_resource.songs import Song
from chorus_resource.tenant_database import declare_tenant
from tests.support.in_process import InProcessSuite


@asynccontextmanager
async def opened(url: URL, **engine_options: Any) -> AsyncIterator[Database]:
    """A `Database` on `url` (the services' own class), disposed of afterwards."""
    db = Database(create_engine(url, **engine_options))
    try:
        yield db
    finally:
        await db.close()


async def expire_invitation(suite: InProcessSuite, invitation_id: str) -> None:
    """Make an invitation a minute past its expiry, as if 7 days had gone by."""
    async with suite.auth_db.write() as session:
        await session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )


async def session_revoked(suite: InProcessSuite, refresh_token: str) -> bool:
    """Whether the login session of a refresh token is revoked, as stored."""
    async with suite.auth_db.read() as session:
        revoked_at = await session.scalar(
            select(LoginSession.revoked_at)
            .join(RefreshToken, RefreshToken.session_id == LoginSession.id)
            .where(RefreshToken.token_hash == refresh_token_hash(refresh_token))
        )
    return revoked_at is not None


@dataclass(frozen=True)
class TenantState:
    """What the auth database holds about a tenant."""

    exists: bool
    roles: dict[str, str]
    """user id -> role of every member."""
    invitations: frozenset[tuple[str, str]]
    """(email, role) of every invitation not yet accepted."""


async def tenant_state(suite: InProcessSuite, tenant_id: str) -> TenantState:
    async with suite.auth_db.read() as session:
        tenant = await session.get(Tenant, tenant_id)
        members = await session.execute(
            select(Membership.user_id, Membership.role).where(Membership.tenant_id == tenant_id)
        )
        invitations = await session.execute(
            select(Invitation.email, Invitation.role).where(
                Invitation.tenant_id == tenant_id, Invitation.accepted_at.is_(None)
            )
        )
        return TenantState(
            exists=tenant is not None,
            roles=dict(members.all()),
            invitations=frozenset((email, role) for email, role in invitations),
        )


@dataclass(frozen=True)
class StoredSong:
    """A song row, detached from any session: comparable, printable."""

    id: str
    tenant_id: str
    created_by: str
    name: str
    artist: str
    year: int | None
    update_time: datetime


async def stored_songs(suite: InProcessSuite, tenant_id: str) -> dict[str, StoredSong]:
    """A tenant's song rows by id, read through the resource service's own role."""
    async with suite.resource_db.read() as session:
        if suite.backend == "postgresql":
            await declare_tenant(session, tenant_id)
        songs = await session.scalars(select(Song).where(Song.tenant_id == tenant_id))
        return {
            song.id: StoredSong(
                song.id,
                song.tenant_id,
                song.created_by,
                song.name,
                song.artist,
                song.year,
                song.update_time,
            )
            for song in songs
        }
