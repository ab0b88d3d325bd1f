"""The verifier's cache of verified access tokens.

A fake clock stands in for time on the cached path, and a spy counts the
signature checks (`jwt.decode`), so every test is about behaviour, never speed.
"""

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chorus_core.errors import Unauthenticated
from chorus_core.tokens import AccessTokenVerifier, TokenAudience, VerifiedTokenCache
from tests.support.forged_tokens import TokenForge, b64url, no_signature

AUDIENCE = TokenAudience(issuer="chorus-auth", audience="chorus")
KID = "key-1"


class Keys:
    """A key source whose keys a test can swap or retire."""

    def __init__(self, keys: dict[str, ec.EllipticCurvePublicKey]) -> None:
        self.keys = keys

    async def key_for(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        return self.keys.get(kid)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def forge() -> TokenForge:
    key = ec.generate_private_key(ec.SECP256R1())
    return TokenForge(KID, key, AUDIENCE, user_id=str(uuid.uuid4()), tenant_id=str(uuid.uuid4()))


@pytest.fixture
def keys(forge: TokenForge) -> Keys:
    return Keys({KID: forge.key.public_key()})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token whose signature and claims PyJWT checked."""
    seen: list[str] = []
    real: Callable[..., Any] = jwt.decode

    def spy(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", spy)
    return seen


def verifier(keys: Keys, clock: Clock, **options: Any) -> AccessTokenVerifier:
    return AccessTokenVerifier(keys, AUDIENCE, clock=clock, **options)


def token_expiring_in(forge: TokenForge, seconds: int) -> tuple[str, int]:
    """A token and its `exp`, `seconds` after its `iat`."""
    claims = forge.claims()
    exp = int(claims["iat"]) + seconds
    return forge.token(claims={**claims, "exp": exp}), exp


async def test_a_token_seen_again_is_answered_from_the_cache(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock)
    claims = forge.claims()
    token = forge.token(claims=claims)
    first = await check.verify(token)
    again = await check.verify(token)
    assert again == first
    assert (again.user_id, again.tenant_id) == (forge.user_id, forge.tenant_id)
    assert (again.role, again.token_id, again.expires_at) == ("owner", claims["jti"], claims["exp"])
    assert decodes == [token], "the signature was checked once"
    assert check.cache is not None
    assert token in check.cache


MALFORMED = "the access token is malformed"
NOT_OURS = "the token is not an access token of this issuer"
INVALID = "the access token is invalid"


def with_payload(forge: TokenForge, payload: bytes) -> str:
    """A token with a proper header whose payload segment is `payload`."""
    header = b64url(json.dumps(forge.header()).encode())
    return f"{header}.{b64url(payload)}.{b64url(b'no signature')}"


BAD_TOKENS: dict[str, tuple[Callable[[TokenForge], str], str]] = {
    "malformed": (lambda f: "not.a.jwt", MALFORMED),
    "claims-not-json": (lambda f: with_payload(f, b"not json"), MALFORMED),
    "claims-a-list": (
        lambda f: with_payload(f, b'["chorus-auth"]'),
        "the access token is not from this issuer",
    ),
    "bad-signature": (
        lambda f: replace(f, key=ec.generate_private_key(ec.SECP256R1())).token(),
        INVALID,
    ),
    "alg-none": (lambda f: f.token(header=f.header(alg="none"), sign=no_signature), NOT_OURS),
    "expired": (
        lambda f: f.token(claims={**f.claims(), "exp": int(time.time()) - 5}),
        "the access token has expired",
    ),
    "not-yet-valid": (
        lambda f: f.token(claims={**f.claims(), "nbf": int(time.time()) + 600}),
        INVALID,
    ),
    "wrong-audience": (lambda f: f.token(claims=f.claims(aud="other-api")), INVALID),
    "wrong-issuer": (
        lambda f: f.token(claims=f.claims(iss="evil-auth")),
        "the access token is not from this issuer",
    ),
    "unknown-kid": (
        lambda f: f.token(header=f.header(kid="no-such-key")),
        "the access token is signed by an unknown key",
    ),
    "typ-missing": (lambda f: f.token(header=f.header(drop=["typ"])), NOT_OURS),
    "tid-missing": (lambda f: f.token(claims=f.claims(drop=["tid"])), INVALID),
    "tid-not-text": (lambda f: f.token(claims=f.claims(tid=12345)), INVALID),
    "exp-missing": (lambda f: f.token(claims=f.claims(drop=["exp"])), INVALID),
    "iat-missing": (lambda f: f.token(claims=f.claims(drop=["iat"])), INVALID),
    "jti-missing": (lambda f: f.token(claims=f.claims(drop=["jti"])), INVALID),
    "role-empty": (lambda f: f.token(claims=f.claims(role="")), INVALID),
    "sub-empty": (lambda f: f.token(claims=f.claims(sub="")), INVALID),
}
"""Each bad token and the reason the caller is told (the status is UNAUTHENTICATED)."""


@pytest.mark.parametrize(("make", "reason"), BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_a_refused_token_is_never_cached_and_refused_every_time(
    forge: TokenForge, keys: Keys, clock: Clock, make: Callable[[TokenForge], str], reason: str
) -> None:
    check = verifier(keys, clock)
    token = make(forge)
    for _ in range(2):
        with pytest.raises(Unauthenticated) as refused:
            await check.verify(token)
        assert refused.value.message == reason
    assert check.cache is not None
    assert len(check.cache) == 0


async def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used(
    forge: TokenForge, keys: Keys, clock: Clock
) -> None:
    check = verifier(keys, clock, cache_size=3)
    tokens = [forge.token() for _ in range(5)]
    for token in tokens[:3]:
        await check.verify(token)
    await check.verify(tokens[0])  # used again: now the most recent
    for token in tokens[3:]:
        await check.verify(token)
    assert check.cache is not None
    assert len(check.cache) == 3
    assert [t in check.cache for t in tokens] == [True, False, False, True, True]


async def test_a_cached_token_is_refused_from_its_exp_on(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock)
    token, exp = token_expiring_in(forge, 60)
    await check.verify(token)
    clock.now = exp - 0.5
    await check.verify(token)
    clock.now = exp  # PyJWT's rule too: expired once exp <= now
    with pytest.raises(Unauthenticated, match=r"^the access token has expired$"):
        await check.verify(token)
    assert check.cache is not None
    assert token not in check.cache
    assert decodes == [token]


async def test_leeway_stretches_a_cached_token_exactly_as_a_fresh_one(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock, leeway_seconds=30)
    token, exp = token_expiring_in(forge, 60)
    await check.verify(token)
    await check.verify(token)  # at once: from the cache, its start stretched back, not forward
    assert decodes == [token]
    clock.now = exp + 29
    await check.verify(token)
    clock.now = exp + 30
    with pytest.raises(Unauthenticated, match="expired"):
        await check.verify(token)


async def test_a_cached_token_is_checked_again_when_its_kid_names_another_key(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock)
    token = forge.token()
    await check.verify(token)
    keys.keys[KID] = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(Unauthenticated, match="invalid"):
        await check.verify(token)
    assert decodes == [token, token]
    assert check.cache is not None
    assert token not in check.cache


async def test_a_refetched_copy_of_the_same_key_keeps_the_cached_token(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock)
    token = forge.token()
    await check.verify(token)
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(forge.key.public_key(), as_dict=True)
    refetched = jwt.algorithms.ECAlgorithm.from_jwk(jwk)
    assert isinstance(refetched, ec.EllipticCurvePublicKey)
    keys.keys[KID] = refetched  # a JWKS refresh makes new objects for the same keys
    await check.verify(token)
    assert decodes == [token]


async def test_a_cached_token_of_a_retired_key_is_refused(
    forge: TokenForge, keys: Keys, clock: Clock
) -> None:
    check = verifier(keys, clock)
    token = forge.token()
    await check.verify(token)
    del keys.keys[KID]
    with pytest.raises(Unauthenticated, match=r"^the access token is signed by an unknown key$"):
        await check.verify(token)
    assert check.cache is not None
    assert token not in check.cache


async def test_a_clock_before_a_cached_tokens_iat_sends_it_to_full_verification(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock)
    token = forge.token()
    await check.verify(token)
    clock.now -= 3600
    await check.verify(token)  # verified from scratch (PyJWT's clock is the real one)
    assert decodes == [token, token]


async def test_cache_size_zero_verifies_every_time(
    forge: TokenForge, keys: Keys, clock: Clock, decodes: list[str]
) -> None:
    check = verifier(keys, clock, cache_size=0)
    token = forge.token()
    await check.verify(token)
    await check.verify(token)
    assert check.cache is None
    assert decodes == [token, token]


async def test_the_leeway_forgives_a_little_clock_skew_and_no_more(
    forge: TokenForge, keys: Keys, clock: Clock
) -> None:
    """A token expired 5 s ago passes with 30 s of leeway, from scratch and from the cache,
    until the leeway too has passed."""
    token, exp = token_expiring_in(forge, -5)
    check = verifier(keys, clock, leeway_seconds=30)
    clock.now = exp + 5
    for _ in range(2):
        assert (await check.verify(token)).user_id == forge.user_id
    clock.now = exp + 30
    with pytest.raises(Unauthenticated):
        await check.verify(token)


async def test_a_cache_holds_at_least_one_token_and_forgets_absent_ones_quietly(
    forge: TokenForge, keys: Keys, clock: Clock
) -> None:
    with pytest.raises(ValueError, match=r"^max_entries must be at least 1$"):
        VerifiedTokenCache(0)
    check = verifier(keys, clock, cache_size=1)
    token = forge.token()
    await check.verify(token)
    assert check.cache is not None
    assert token in check.cache
    check.cache.discard("never-cached")
    assert len(check.cache) == 1
