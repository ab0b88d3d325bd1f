"""ES256 signing keys kept as PEM files in one folder (mode 0600).

Every key in the folder is published in the JWKS; the newest one (by file
name, which starts with its creation time) signs new tokens. Rotate by adding
a key, and delete the old file once the tokens it signed have expired and
verifiers have refetched the JWKS.
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chorus_core.config import ConfigError
from chorus_core.jwks import public_jwk, thumbprint

KEY_GLOB = "es256-*.pem"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey


class SigningKeys:
    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ConfigError("no signing keys")
        self._keys = keys

    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens."""
        return self._keys[0]

    def public_keys(self) -> dict[str, ec.EllipticCurvePublicKey]:
        return {k.kid: k.private_key.public_key() for k in self._keys}

    def jwks(self) -> list[dict[str, str]]:
        """Public JWKs, newest first."""
        return [public_jwk(k.private_key.public_key(), k.kid) for k in self._keys]


def load_signing_keys(folder: Path) -> SigningKeys:
    """Load every key in `folder`, newest first."""
    paths = sorted(folder.glob(KEY_GLOB), reverse=True)
    if not paths:
        raise ConfigError(
            f"no signing key in {folder}: create one with `python -m chorus_auth keys generate`"
        )
    keys = []
    for path in paths:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load signing key {path}: {type(exc).__name__}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ConfigError(f"signing key {path} is not a P-256 (ES256) key")
        keys.append(SigningKey(kid=thumbprint(key.public_key()), private_key=key))
    return SigningKeys(keys)


def generate_signing_key(folder: Path) -> Path:
    """Write a new P-256 key to `folder` (created 0700), readable by its owner only."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"es256-{stamp}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return path
