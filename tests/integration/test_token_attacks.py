"""Forged, tampered and misplaced tokens: every protected method refuses every one
with UNAUTHENTICATED.

Each attack is the call metadata it sends, usually an `authorization` header,
and is made against every protected method the servers register (found by
reflection, so new services and RPCs are covered without a change here).
The forged tokens name a real user, so only the flaw under test can make the
service refuse them; `test_a_correctly_forged_token_is_accepted` proves that.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chorus_client import ChorusClient, UserSession
from tests.support.accounts import PASSWORD, unique_email
from tests.support.calls import (
    Metadata,
    authorization,
    bearer,
    list_songs,
    sleep_past,
    status_of,
    who_am_i,
)
from tests.support.forged_tokens import TokenForge, hs256_signer, no_signature
from tests.support.in_process import InProcessSuite
from tests.support.protected_methods import Method, protected_methods


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
async def victim(suite: InProcessSuite, user: UserSession) -> Victim:
    me = await user.who_am_i()
    forge = TokenForge.for_suite(suite, user_id=me.user.id, tenant_id=me.tenant_id)
    return Victim(forge, user.tokens.refresh_token)


UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture
async def methods(suite: InProcessSuite) -> list[Method]:
    return await protected_methods(suite.auth_target, suite.resource_target)


async def codes(methods: list[Method], metadata: Metadata) -> dict[str, grpc.StatusCode]:
    """The status each method ends with, called with `metadata`."""
    return {method.path: await status_of(method.call(metadata)) for method in methods}


async def test_every_service_has_protected_methods(methods: list[Method]) -> None:
    services = {method.path.split("/")[1] for method in methods}
    assert {
        "chorus.auth.v1.AuthService",
        "chorus.auth.v1.TenantService",
        "chorus.resource.v1.SongService",
    } <= services
    assert "/chorus.auth.v1.AuthService/Login" not in {method.path for method in methods}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
async def test_attack_is_unauthenticated_on_every_protected_method(
    victim: Victim, methods: list[Method], attack: Attack
) -> None:
    assert await codes(methods, attack(victim)) == dict.fromkeys(
        (method.path for method in methods), UNAUTHENTICATED
    )


async def test_a_correctly_forged_token_is_accepted(victim: Victim, methods: list[Method]) -> None:
    refused = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.UNIMPLEMENTED}
    outcomes = await codes(methods, bearer(victim.forge.token()))
    assert {path: code for path, code in outcomes.items() if code in refused} == {}


async def test_a_cached_token_is_refused_once_past_its_exp(
    suite: InProcessSuite, victim: Victim, methods: list[Method]
) -> None:
    """Each server caches the tokens it verified; the cache must still honour `exp`."""
    claims = victim.forge.claims(lifetime=timedelta(seconds=3))
    token = bearer(victim.forge.token(claims=claims))
    for _ in range(2):  # the second time from each server's cache
        await who_am_i(suite, token)
        await list_songs(suite, token)

    await sleep_past(datetime.fromtimestamp(claims["exp"], UTC))

    assert await codes(methods, token) == dict.fromkeys(
        (method.path for method in methods), UNAUTHENTICATED
    )


async def test_a_forged_token_speaks_for_the_user_it_names(
    suite: InProcessSuite, victim: Victim
) -> None:
    me = await who_am_i(suite, bearer(victim.forge.token()))
    assert (me.user.id, me.tenant_id) == (victim.forge.user_id, victim.forge.tenant_id)
