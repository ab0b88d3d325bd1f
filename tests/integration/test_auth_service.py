"""AuthService over real sockets: sign-up, login, who-am-i and the JWKS."""

import base64
import hashlib
import json
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import jwt
import pytest
from google.protobuf.json_format import MessageToDict

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus_client import ChorusClient, field_violations
from tests.support.accounts import PASSWORD, unique_email
from tests.support.calls import rpc_error
from tests.support.forged_tokens import unverified_claims
from tests.support.in_process import InProcessSuite
from tests.support.metrics import sample

VERIFICATIONS = "chorus_auth_password_verifications_total"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "tid", "role", "iat", "exp", "jti"]
PASSPHRASE = ("correct horse battery staple, naïvely ümlauted " * 5)[:200]


async def published_keys(client: ChorusClient) -> jwt.PyJWKSet:
    response = await client.auth.GetJwks(auth_pb.GetJwksRequest())
    return jwt.PyJWKSet.from_dict(MessageToDict(response))


async def verified_token(
    suite: InProcessSuite, client: ChorusClient, token: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of an access token, checked against the published JWKS."""
    header = jwt.get_unverified_header(token)
    key = (await published_keys(client))[header["kid"]]
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["ES256"],
        issuer=suite.auth_settings.audience.issuer,
        audience=suite.auth_settings.audience.audience,
        options={"require": REQUIRED_CLAIMS},
    )
    return header, claims


async def sign_up(client: ChorusClient, email: str, password: str) -> auth_pb.SignUpResponse:
    return await client.auth.SignUp(auth_pb.SignUpRequest(email=email, password=password))


def close_to(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) < timedelta(seconds=5)


def unique_local(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}"


async def test_sign_up_returns_the_user_and_a_session(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    email = unique_email("new")
    response = await sign_up(client, email, PASSWORD)
    now = datetime.now(UTC)

    user, session = response.user, response.session
    assert uuid.UUID(user.id)
    assert user.email == email
    assert close_to(user.create_time.ToDatetime(tzinfo=UTC), now)
    assert session.token_type == "Bearer"
    access_expires = session.access_token_expire_time.ToDatetime(tzinfo=UTC)
    assert close_to(access_expires, now + suite.auth_settings.access_token_ttl)
    refresh_expires = session.refresh_token_expire_time.ToDatetime(tzinfo=UTC)
    assert close_to(refresh_expires, now + suite.auth_settings.refresh_token_ttl)
    assert len(session.refresh_token) >= 43  # 256 random bits, base64url
    assert "." not in session.refresh_token  # opaque, not a JWT

    header, claims = await verified_token(suite, client, session.access_token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "ES256"
    assert header["kid"]
    assert claims["iss"] == suite.auth_settings.audience.issuer
    assert claims["aud"] == suite.auth_settings.audience.audience
    assert claims["sub"] == user.id
    assert uuid.UUID(claims["tid"]) != uuid.UUID(user.id)
    assert claims["role"] == "owner"
    assert claims["exp"] == session.access_token_expire_time.seconds
    assert claims["exp"] - claims["iat"] == suite.auth_settings.access_token_ttl.total_seconds()
    assert uuid.UUID(claims["jti"])


async def test_each_session_gets_its_own_token_id(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    email = unique_email("twice")
    first = (await sign_up(client, email, PASSWORD)).session.access_token
    second = (await client.login(email, PASSWORD)).tokens.access_token
    first_claims = (await verified_token(suite, client, first))[1]
    second_claims = (await verified_token(suite, client, second))[1]
    assert first_claims["jti"] != second_claims["jti"]
    assert first_claims["sub"] == second_claims["sub"]


async def test_email_is_normalised_and_unique_ignoring_case(client: ChorusClient) -> None:
    local = unique_local("Ann")
    user = await client.sign_up(f"  {local}@Example.com ", PASSWORD)
    assert user.user.email == f"{local}@example.com"

    error = await rpc_error(client.sign_up(f"{local.lower()}@example.COM", PASSWORD))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize(
    ("email", "password", "expected"),
    [
        (unique_email("short"), "7-chars", {"password": "at least 8"}),
        (unique_email("long"), "x" * 1025, {"password": "at most 1024"}),
        ("not-an-email", PASSWORD, {"email": "@"}),
        ("ann@", PASSWORD, {"email": ""}),
        ("", PASSWORD, {"email": "empty"}),
        # The contract's rules (the password's length) are checked before the service
        # reads the email, so a request breaking both hears of the rule first.
        ("nobody", "short", {"password": "at least 8"}),
    ],
    ids=["password-too-short", "password-too-long", "no-at-sign", "no-domain", "empty", "both"],
)
async def test_sign_up_names_each_bad_field(
    client: ChorusClient, email: str, password: str, expected: dict[str, str]
) -> None:
    error = await rpc_error(client.sign_up(email, password))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = field_violations(error)
    assert set(violations) == set(expected)
    for field, fragment in expected.items():
        assert fragment in violations[field]
        assert field in (error.details() or "")


@pytest.mark.parametrize(
    "password",
    ["8 chars!", PASSPHRASE, "p" * 1024],
    ids=["8-chars", "200-char-passphrase", "1024-chars"],
)
async def test_sign_up_accepts_passwords_within_bounds(client: ChorusClient, password: str) -> None:
    email = unique_email("pass")
    signed_up = await client.sign_up(email, password)
    logged_in = await client.login(email, password)
    assert logged_in.user.id == signed_up.user.id


async def test_login_ignores_email_case(client: ChorusClient) -> None:
    local = unique_local("Ann")
    signed_up = await client.sign_up(f"{local}@Example.com", PASSWORD)
    logged_in = await client.login(f"{local.upper()}@EXAMPLE.COM", PASSWORD)
    assert logged_in.user.id == signed_up.user.id
    assert logged_in.user.email == f"{local}@example.com"


@pytest.mark.parametrize(
    "typed",
    [
        "{local}@example.com  ",
        "e\u0301{local}@example.com",  # decomposed é, as some keyboards send it
        "{local}@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",  # full-width "example"
    ],
    ids=["spaces", "decomposed-unicode", "full-width-domain"],
)
async def test_login_with_the_email_as_typed_at_sign_up(client: ChorusClient, typed: str) -> None:
    email = typed.format(local=unique_local("typed"))
    signed_up = await client.sign_up(email, PASSWORD)
    logged_in = await client.login(email, PASSWORD)
    assert logged_in.user.id == signed_up.user.id


async def test_wrong_password_and_unknown_email_fail_alike(client: ChorusClient) -> None:
    email = unique_email("known")
    await client.sign_up(email, PASSWORD)

    wrong_password = await rpc_error(client.login(email, PASSWORD + "?"))
    unknown_email = await rpc_error(client.login(unique_email("unknown"), PASSWORD))

    assert wrong_password.code() == grpc.StatusCode.UNAUTHENTICATED
    assert unknown_email.code() == grpc.StatusCode.UNAUTHENTICATED
    assert wrong_password.details() == unknown_email.details()
    assert wrong_password.details()


async def test_a_login_for_an_unknown_email_verifies_a_password_all_the_same(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    """No timing oracle: without an account to check against, the login still
    runs one argon2id verification (against a dummy hash), like a wrong password."""
    email = unique_email("known")
    await client.sign_up(email, PASSWORD)

    async def verifications_in(login: Awaitable[object]) -> float:
        before = await sample(suite.auth_metrics, VERIFICATIONS)
        error = await rpc_error(login)
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        return await sample(suite.auth_metrics, VERIFICATIONS) - before

    for _ in range(2):  # the first one also makes the dummy hash
        assert await verifications_in(client.login(unique_email("unknown"), PASSWORD)) == 1
    assert await verifications_in(client.login(email, PASSWORD + "?")) == 1


async def test_who_am_i_describes_the_caller(client: ChorusClient) -> None:
    ann = await client.sign_up(unique_email("ann"), PASSWORD)
    bob = await client.sign_up(unique_email("bob"), PASSWORD)

    me = await ann.who_am_i()
    assert me.user == ann.user
    assert me.role == auth_pb.ROLE_OWNER
    assert me.tenant_id == unverified_claims(ann.tokens.access_token)["tid"]
    assert (await bob.who_am_i()).tenant_id != me.tenant_id


def rfc7638_thumbprint(jwk: dict[str, str]) -> str:
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def test_jwks_publishes_the_key_that_signs_tokens(client: ChorusClient) -> None:
    user = await client.sign_up(unique_email("jwks"), PASSWORD)
    response = await client.auth.GetJwks(auth_pb.GetJwksRequest())

    assert len(response.keys) >= 1
    for key in response.keys:
        assert (key.kty, key.crv, key.alg, key.use) == ("EC", "P-256", "ES256", "sig")
        assert len(base64.urlsafe_b64decode(key.x + "=")) == 32
        assert len(base64.urlsafe_b64decode(key.y + "=")) == 32
        assert key.kid == rfc7638_thumbprint(MessageToDict(key))
    token_kid = jwt.get_unverified_header(user.tokens.access_token)["kid"]
    assert response.keys[0].kid == token_kid
