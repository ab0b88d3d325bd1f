"""JSON Web Keys: export P-256 public keys, and read them back from a JWKS."""

import json
from collections.abc import Mapping
from hashlib import sha256
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from jwt.algorithms import ECAlgorithm

from chorus_core.tokens import ALGORITHM


def public_jwk(key: EllipticCurvePublicKey, kid: str) -> dict[str, str]:
    """The public JWK of a key, with kid, alg and use."""
    jwk: dict[str, str] = ECAlgorithm.to_jwk(key, as_dict=True)
    return {**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"}


def thumbprint(key: EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): a stable key id."""
    jwk = ECAlgorithm.to_jwk(key, as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    digest = jwt.utils.base64url_encode(sha256(canonical.encode()).digest())
    return digest.decode()


def keys_from_jwks(jwks: Mapping[str, Any]) -> dict[str, EllipticCurvePublicKey]:
    """The ES256 signing keys of a JWKS by kid; other keys are ignored."""
    keys: dict[str, EllipticCurvePublicKey] = {}
    for entry in jwks.get("keys", []):
        if entry.get("alg", ALGORITHM) != ALGORITHM or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        key = jwt.PyJWK(dict(entry), algorithm=ALGORITHM).key
        if isinstance(key, EllipticCurvePublicKey):
            keys[kid] = key
    return keys
