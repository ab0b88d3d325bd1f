"""Access tokens built by hand, byte by byte, to attack the verifiers with.

Nothing here goes through PyJWT's encoder: its safety checks (no `alg: none`,
no PEM as an HMAC secret) would stop the very tokens the attacks need.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from chorus_auth.signing_keys import load_signing_keys
from chorus_core.tokens import ALGORITHM, TOKEN_TYPE, TokenAudience
from tests.support.in_process import InProcessSuite

Signer = Callable[[bytes], bytes]
"""Signs a JWS signing input (`header.payload`), returns the raw signature."""


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a token, read without any check: for looking, never for trusting."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact_jws(header: dict[str, Any], claims: dict[str, Any], sign: Signer) -> str:
    """A JWS in compact form: base64url(header).base64url(claims).base64url(signature)."""
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    return f"{signing_input}.{b64url(sign(signing_input.encode()))}"


def es256_signer(key: ec.EllipticCurvePrivateKey) -> Signer:
    """ES256 as JWS wants it: the raw 64-byte r || s, not DER."""

    def sign(data: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign


def hs256_signer(secret: bytes) -> Signer:
    def sign(data: bytes) -> bytes:
        return hmac.new(secret, data, hashlib.sha256).digest()

    return sign


def no_signature(data: bytes) -> bytes:
    """What `alg: none` tokens carry: an empty signature."""
    return b""


@dataclass(frozen=True)
class TokenForge:
    """Makes access tokens for one user with the auth service's own signing key."""

    kid: str
    key: ec.EllipticCurvePrivateKey
    audience: TokenAudience
    user_id: str
    tenant_id: str

    @classmethod
    def for_suite(cls, suite: InProcessSuite, user_id: str, tenant_id: str) -> "TokenForge":
        current = load_signing_keys(suite.auth_settings.keys_dir).current
        return cls(
            current.kid, current.private_key, suite.auth_settings.audience, user_id, tenant_id
        )

    def header(self, *, drop: Collection[str] = (), **overrides: Any) -> dict[str, Any]:
        header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": self.kid, **overrides}
        return {name: value for name, value in header.items() if name not in drop}

    def claims(
        self,
        *,
        age: timedelta = timedelta(0),
        lifetime: timedelta = timedelta(minutes=5),
        drop: Collection[str] = (),
        **overrides: Any,
    ) -> dict[str, Any]:
        """The claims the auth service would have issued `age` ago, minus `drop`."""
        issued_at = int(time.time() - age.total_seconds())
        claims = {
            "iss": self.audience.issuer,
            "aud": self.audience.audience,
            "sub": self.user_id,
            "tid": self.tenant_id,
            "role": "owner",
            "iat": issued_at,
            "exp": issued_at + int(lifetime.total_seconds()),
            "jti": str(uuid.uuid4()),
            **overrides,
        }
        return {name: value for name, value in claims.items() if name not in drop}

    def token(
        self,
        *,
        header: dict[str, Any] | None = None,
        claims: dict[str, Any] | None = None,
        sign: Signer | None = None,
    ) -> str:
        """A token signed with the real key unless told otherwise."""
        return compact_jws(
            self.header() if header is None else header,
            self.claims() if claims is None else claims,
            es256_signer(self.key) if sign is None else sign,
        )
