"""Offline verification of access tokens (ES256 JWTs) against public keys.

A client sends the same access token with every call until it expires, so
the verifier keeps a bounded cache of tokens that passed every check: a token
seen again skips the signature check (the costliest part of a call here) but
is still refused once past its `exp`, and is checked from scratch if the key
that verified it is no longer the key of its `kid`. Only successful
verifications are cached; failures are never remembered.
"""

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from chorus_core.caller import Caller
from chorus_core.errors import Unauthenticated

ALGORITHM = "ES256"
"""The one signing algorithm: the cheapest verify here, and Envoy supports it."""

TOKEN_TYPE = "at+jwt"  # noqa: S105 (a token type, not a secret)
"""`typ` header of access tokens (RFC 9068), so no other JWT passes for one."""

REQUIRED_CLAIMS = ("iss", "aud", "sub", "tid", "role", "iat", "exp", "jti")

DEFAULT_CACHE_SIZE = 4096
"""Verified tokens kept per process (about 1 KiB each)."""


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


@dataclass(frozen=True)
class VerifiedToken:
    """What a successful verification established, and until when it holds."""

    caller: Caller
    kid: str
    key: EllipticCurvePublicKey
    """The key that verified the signature."""
    valid_from: float
    """`iat` (and `nbf`, if later) minus the leeway, in seconds since the epoch."""
    valid_until: float
    """`exp` plus the leeway: from then on the token is expired."""


class VerifiedTokenCache:
    """The most recently used verified tokens, at most `max_entries` of them."""

    def __init__(self, max_entries: int = DEFAULT_CACHE_SIZE) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, VerifiedToken] = OrderedDict()

    def get(self, token: str) -> VerifiedToken | None:
        entry = self._entries.get(token)
        if entry is not None:
            self._entries.move_to_end(token)
        return entry

    def put(self, token: str, entry: VerifiedToken) -> None:
        self._entries[token] = entry
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def discard(self, token: str) -> None:
        self._entries.pop(token, None)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, token: object) -> bool:
        return token in self._entries


class AccessTokenVerifier:
    """Checks signature (pinned ES256), kid, typ, issuer, audience and expiry.

    `cache_size` verified tokens are remembered (0: none); `clock` (seconds
    since the epoch) is what cached tokens' times are compared with.
    """

    def __init__(
        self,
        keys: KeySource,
        expected: TokenAudience,
        leeway_seconds: int = 0,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._expected = expected
        self._leeway = leeway_seconds
        self._clock = clock
        self.cache = VerifiedTokenCache(cache_size) if cache_size > 0 else None

    async def verify(self, token: str) -> Caller:
        cached = self.cache.get(token) if self.cache is not None else None
        if cached is not None:
            caller = await self._from_cache(token, cached)
            if caller is not None:
                return caller
        header = _header(token)
        # Before any key lookup: an unknown kid makes the key source fetch the
        # keys again, and only tokens that claim our issuer may cause that.
        if _unverified_issuer(token) != self._expected.issuer:
            raise Unauthenticated("the access token is not from this issuer")
        kid = header.get("kid")
        key = await self._keys.key_for(kid) if isinstance(kid, str) else None
        if key is None or not isinstance(kid, str):
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
        caller = _caller_from(claims)
        if self.cache is not None:
            self.cache.put(token, self._verified(caller, kid, key, claims))
        return caller

    async def _from_cache(self, token: str, cached: VerifiedToken) -> Caller | None:
        """The cached caller if the token still holds; None to verify it from scratch."""
        key = await self._keys.key_for(cached.kid)
        if key is None:  # the key was retired: as for any token of an unknown key
            self._discard(token)
            raise Unauthenticated("the access token is signed by an unknown key")
        now = self._clock()
        if now >= cached.valid_until:
            self._discard(token)
            raise Unauthenticated("the access token has expired")
        if now < cached.valid_from or not (key is cached.key or key == cached.key):
            self._discard(token)
            return None
        return cached.caller

    def _discard(self, token: str) -> None:
        if self.cache is not None:
            self.cache.discard(token)

    def _verified(
        self, caller: Caller, kid: str, key: EllipticCurvePublicKey, claims: Mapping[str, Any]
    ) -> VerifiedToken:
        # As PyJWT reads them (it has checked them): int(exp), int(iat), int(nbf) if present.
        starts = [int(claims[name]) for name in ("iat", "nbf") if name in claims]
        return VerifiedToken(
            caller=caller,
            kid=kid,
            key=key,
            valid_from=max(starts) - self._leeway,
            valid_until=int(claims["exp"]) + self._leeway,
        )


def _header(token: str) -> dict[str, object]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise Unauthenticated("the access token is malformed") from None
    if header.get("alg") != ALGORITHM or header.get("typ") != TOKEN_TYPE:
        raise Unauthenticated("the token is not an access token of this issuer")
    return header


def _unverified_issuer(token: str) -> object:
    """The `iss` a token claims, read without any check (to decide whether to look further)."""
    try:
        claims = json.loads(jwt.utils.base64url_decode(token.split(".")[1]))
    except (IndexError, ValueError, TypeError, RecursionError):
        raise Unauthenticated("the access token is malformed") from None
    return claims.get("iss") if isinstance(claims, dict) else None


def _caller_from(claims: Mapping[str, object]) -> Caller:
    values = {name: claims.get(name) for name in ("sub", "tid", "role", "jti")}
    expires = claims.get("exp")
    if not all(isinstance(v, str) and v for v in values.values()) or not isinstance(
        expires, int | float
    ):
        raise Unauthenticated("the access token is invalid")
    return Caller(
        user_id=str(values["sub"]),
        tenant_id=str(values["tid"]),
        role=str(values["role"]),
        token_id=str(values["jti"]),
        expires_at=float(expires),
    )
