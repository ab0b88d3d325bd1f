"""Signing keys on disk: file modes, which key signs, rotation, and missing keys."""

import stat
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chorus_auth.signing_keys import SigningKeys, generate_signing_key, load_signing_keys
from chorus_auth.token_issuer import AccessTokenIssuer
from chorus_core.config import ConfigError
from chorus_core.errors import Unauthenticated
from chorus_core.sqltypes import utcnow
from chorus_core.tokens import AccessTokenVerifier, StaticKeys
from tests.support.in_process import AUDIENCE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def private_numbers(path: Path) -> ec.EllipticCurvePrivateNumbers:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.private_numbers()


def issue_token(keys: SigningKeys) -> str:
    issuer = AccessTokenIssuer(keys, AUDIENCE, timedelta(minutes=5))
    return issuer.issue(user_id="user-1", tenant_id="tenant-1", role="owner", now=utcnow()).token


@pytest.mark.parametrize("existing_mode", [None, 0o755], ids=["new-folder", "open-folder"])
def test_keys_are_readable_by_their_owner_only(tmp_path: Path, existing_mode: int | None) -> None:
    folder = tmp_path / "var" / "keys"
    if existing_mode is not None:
        folder.mkdir(parents=True)
        folder.chmod(existing_mode)

    path = generate_signing_key(folder)

    assert path.parent == folder
    assert path.name.startswith("es256-")
    assert path.suffix == ".pem"
    assert mode(path) == 0o600
    assert mode(folder) == 0o700
    assert private_numbers(path).public_numbers.curve.name == "secp256r1"


def test_the_newest_key_signs_and_every_key_is_published(tmp_path: Path) -> None:
    old_path = generate_signing_key(tmp_path)
    old_kid = load_signing_keys(tmp_path).current.kid
    new_path = generate_signing_key(tmp_path)

    keys = load_signing_keys(tmp_path)

    assert new_path.name > old_path.name
    assert keys.current.private_key.private_numbers() == private_numbers(new_path)
    assert keys.current.kid != old_kid
    assert [jwk["kid"] for jwk in keys.jwks()] == [keys.current.kid, old_kid]
    assert set(keys.public_keys()) == {keys.current.kid, old_kid}


def test_the_current_key_signs_new_tokens(tmp_path: Path) -> None:
    generate_signing_key(tmp_path)
    keys = load_signing_keys(tmp_path)
    assert jwt.get_unverified_header(issue_token(keys))["kid"] == keys.current.kid


async def test_tokens_of_the_old_key_verify_until_its_file_is_removed(tmp_path: Path) -> None:
    old_path = generate_signing_key(tmp_path)
    old_token = issue_token(load_signing_keys(tmp_path))
    generate_signing_key(tmp_path)
    rotated = load_signing_keys(tmp_path)
    new_token = issue_token(rotated)
    verifier = AccessTokenVerifier(StaticKeys(rotated.public_keys()), AUDIENCE)

    for token in (old_token, new_token):
        assert (await verifier.verify(token)).user_id == "user-1"

    old_path.unlink()
    retired = AccessTokenVerifier(StaticKeys(load_signing_keys(tmp_path).public_keys()), AUDIENCE)
    assert (await retired.verify(new_token)).user_id == "user-1"
    with pytest.raises(Unauthenticated):
        await retired.verify(old_token)


@pytest.mark.parametrize("make_folder", [False, True], ids=["no-folder", "no-key-file"])
def test_no_key_is_a_config_error_that_says_what_to_do(tmp_path: Path, make_folder: bool) -> None:
    folder = tmp_path / "keys"
    if make_folder:
        folder.mkdir()
        (folder / "README.txt").write_text("not a key")

    with pytest.raises(ConfigError) as caught:
        load_signing_keys(folder)

    message = str(caught.value)
    assert str(folder) in message
    assert "python -m chorus_auth keys generate" in message


def p384_pem() -> bytes:
    return ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n", "cannot load"),
        (p384_pem(), "not a P-256"),
    ],
    ids=["garbage", "wrong-curve"],
)
def test_a_bad_key_file_is_a_config_error_that_keeps_it_secret(
    tmp_path: Path, content: bytes, complaint: str
) -> None:
    bad = tmp_path / "es256-20990101T000000000000Z.pem"
    bad.write_bytes(content)

    with pytest.raises(ConfigError) as caught:
        load_signing_keys(tmp_path)

    message = str(caught.value)
    assert complaint in message
    assert bad.name in message
    for secret_line in content.decode().splitlines()[1:-1]:
        assert secret_line not in message
