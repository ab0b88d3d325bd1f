"""What the auth data layer hands out: plain frozen values, never ORM rows.

Servicers turn these into messages; nothing above the data layer
(`chorus_auth.store`) sees a database session or a mapped row.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserRecord:
    id: str
    email: str
    created_at: datetime


@dataclass(frozen=True)
class TenantRecord:
    id: str
    name: str
    personal: bool
    created_at: datetime


@dataclass(frozen=True)
class MembershipRecord:
    """A tenant and someone's role in it."""

    tenant: TenantRecord
    role: str


@dataclass(frozen=True)
class MemberRecord:
    """A member of a tenant, as its member list shows them."""

    user_id: str
    email: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class InvitationRecord:
    id: str
    tenant: TenantRecord
    email: str
    email_key: str
    role: str
    inviter_email: str
    """Empty if the inviter's account no longer exists."""
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class StoredRefreshToken:
    """A refresh token found by its hash, with the login session it belongs to."""

    token_id: str
    login_id: str
    user_id: str
    tenant_id: str
    expires_at: datetime
    session_revoked: bool
