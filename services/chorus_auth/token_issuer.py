"""Minting tokens: signed access JWTs and opaque refresh tokens."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from chorus_auth.signing_keys import SigningKeys
from chorus_core.tokens import ALGORITHM, TOKEN_TYPE, TokenAudience


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class AccessTokenIssuer:
    def __init__(self, keys: SigningKeys, audience: TokenAudience, ttl: timedelta) -> None:
        self._keys = keys
        self._audience = audience
        self._ttl = ttl

    def issue(self, *, user_id: str, tenant_id: str, role: str, now: datetime) -> AccessToken:
        expires_at = now + self._ttl
        claims = {
            "iss": self._audience.issuer,
            "aud": self._audience.audience,
            "sub": user_id,
            "tid": tenant_id,
            "role": role,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": str(uuid.uuid4()),
        }
        key = self._keys.current
        token = jwt.encode(
            claims,
            key.private_key,
            algorithm=ALGORITHM,
            headers={"kid": key.kid, "typ": TOKEN_TYPE},
        )
        return AccessToken(token=token, expires_at=expires_at.replace(microsecond=0))


def new_refresh_token() -> str:
    """256 random bits, URL-safe; only its hash is stored."""
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    """SHA-256 is enough here: the token is random, not a guessable password."""
    return hashlib.sha256(token.encode()).hexdigest()
