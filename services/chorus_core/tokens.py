"""Offline verification of access tokens (ES256 JWTs) against public keys."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from chorus_core.caller import Caller
from chorus_core.errors import Unauthenticated

ALGORITHM = "ES256"
"""The one signing algorithm: the cheapest verify here, and Envoy supports it."""

TOKEN_TYPE = "at+jwt"  # noqa: S105 (a token type, not a secret)
"""`typ` header of access tokens (RFC 9068), so no other JWT passes for one."""

REQUIRED_CLAIMS = ("iss", "aud", "sub", "tid", "role", "iat", "exp", "jti")


class KeySource(Protocol):
    """Where verifiers find public keys by `kid`."""

    async def key_for(self, kid: str) -> EllipticCurvePublicKey | None: ...


class StaticKeys:
    """A fixed set of public keys by kid."""

    def __init__(self, keys: Mapping[str, EllipticCurvePublicKey]) -> None:
        self._keys = dict(keys)

    async def key_for(self, kid: str) -> EllipticCurvePublicKey | None:
        return self._keys.get(kid)


@dataclass(frozen=True)
class TokenAudience:
    """Who issues access tokens and for whom; both are checked on every token."""

    issuer: str
    audience: str


class AccessTokenVerifier:
    """Checks signature (pinned ES256), kid, typ, issuer, audience and expiry."""

    def __init__(self, keys: KeySource, expected: TokenAudience, leeway_seconds: int = 0) -> None:
        self._keys = keys
        self._expected = expected
        self._leeway = leeway_seconds

    async def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthenticated("the access token is malformed") from None
        if header.get("alg") != ALGORITHM or header.get("typ") != TOKEN_TYPE:
            raise Unauthenticated("the token is not an access token of this issuer")
        kid = header.get("kid")
        key = await self._keys.key_for(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthenticated("the access token is signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self._expected.issuer,
                audience=self._expected.audience,
                leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the access token has expired") from None
        except jwt.InvalidTokenError:
            raise Unauthenticated("the access token is invalid") from None
        return _caller_from(claims)


def _caller_from(claims: Mapping[str, object]) -> Caller:
    values = {name: claims.get(name) for name in ("sub", "tid", "role", "jti")}
    if not all(isinstance(v, str) and v for v in values.values()):
        raise Unauthenticated("the access token is invalid")
    return Caller(
        user_id=str(values["sub"]),
        tenant_id=str(values["tid"]),
        role=str(values["role"]),
        token_id=str(values["jti"]),
    )
