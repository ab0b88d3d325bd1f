"""Forged, tampered and misplaced tokens: each service refuses every one with UNAUTHENTICATED.

Each attack is the call metadata it sends, usually an `authorization` header.
The forged tokens name a real user, so only the flaw under test can make the
service refuse them; `test_a_correctly_forged_token_is_accepted` proves that.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chorus_client import ChorusClient, UserSession
from tests.conftest import PASSWORD, unique_email
from tests.support.calls import (
    PROTECTED_CALLS,
    Metadata,
    ProtectedCall,
    authorization,
    bearer,
    rpc_error,
    who_am_i,
)
from tests.support.forged_tokens import TokenForge, hs256_signer, no_signature
from tests.support.suite import Suite


@dataclass(frozen=True)
class Victim:
    """A real user: forged tokens name them, and their refresh token is at hand."""

    forge: TokenForge
    refresh_token: str


def public_key_pem(forge: TokenForge) -> bytes:
    return forge.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def expired(forge: TokenForge) -> str:
    claims = forge.claims(age=timedelta(minutes=10), lifetime=timedelta(minutes=5))
    return forge.token(claims=claims)


def signed_by_another_key(forge: TokenForge) -> str:
    """A fresh P-256 key that claims the real key's kid."""
    return replace(forge, key=ec.generate_private_key(ec.SECP256R1())).token()


def alg_none(forge: TokenForge) -> str:
    return forge.token(header=forge.header(alg="none"), sign=no_signature)


def hs256_with_public_key(forge: TokenForge) -> str:
    """The classic key-confusion attack: the public key PEM as an HMAC secret."""
    return forge.token(header=forge.header(alg="HS256"), sign=hs256_signer(public_key_pem(forge)))


Attack = Callable[[Victim], Metadata]

ATTACKS: dict[str, Attack] = {
    "no-metadata": lambda v: authorization(None),
    "empty-bearer": lambda v: authorization("Bearer "),
    "basic-scheme": lambda v: authorization("Basic xyz"),
    "valid-token-basic-scheme": lambda v: authorization(f"Basic {v.forge.token()}"),
    "valid-token-no-scheme": lambda v: authorization(v.forge.token()),
    "not-a-jwt": lambda v: authorization("Bearer not.a.jwt"),
    "expired": lambda v: bearer(expired(v.forge)),
    "bad-signature": lambda v: bearer(signed_by_another_key(v.forge)),
    "alg-none": lambda v: bearer(alg_none(v.forge)),
    "hs256-with-public-key": lambda v: bearer(hs256_with_public_key(v.forge)),
    "wrong-issuer": lambda v: bearer(v.forge.token(claims=v.forge.claims(iss="evil-auth"))),
    "wrong-audience": lambda v: bearer(v.forge.token(claims=v.forge.claims(aud="other-api"))),
    "refresh-token": lambda v: bearer(v.refresh_token),
    "unknown-kid": lambda v: bearer(v.forge.token(header=v.forge.header(kid="no-such-key"))),
    "typ-missing": lambda v: bearer(v.forge.token(header=v.forge.header(drop=["typ"]))),
    "tid-missing": lambda v: bearer(v.forge.token(claims=v.forge.claims(drop=["tid"]))),
}


@pytest.fixture
async def user(client: ChorusClient) -> UserSession:
    return await client.sign_up(unique_email("victim"), PASSWORD)


@pytest.fixture
async def victim(suite: Suite, user: UserSession) -> Victim:
    me = await user.who_am_i()
    forge = TokenForge.for_suite(suite, user_id=me.user.id, tenant_id=me.tenant_id)
    return Victim(forge, user.tokens.refresh_token)


call_each_service = pytest.mark.parametrize(
    "call", PROTECTED_CALLS.values(), ids=PROTECTED_CALLS.keys()
)


@call_each_service
@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
async def test_attack_is_unauthenticated(
    suite: Suite, victim: Victim, call: ProtectedCall, attack: Attack
) -> None:
    error = await rpc_error(call(suite, attack(victim)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED, error.details()


@call_each_service
async def test_a_correctly_forged_token_is_accepted(
    suite: Suite, victim: Victim, call: ProtectedCall
) -> None:
    await call(suite, bearer(victim.forge.token()))


async def test_a_forged_token_speaks_for_the_user_it_names(suite: Suite, victim: Victim) -> None:
    me = await who_am_i(suite, bearer(victim.forge.token()))
    assert (me.user.id, me.tenant_id) == (victim.forge.user_id, victim.forge.tenant_id)
