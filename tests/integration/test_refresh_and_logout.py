"""Refresh-token rotation, reuse detection, logout, expiry, and the client's own refresh."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus_client import ChorusClient, UserSession
from chorus_client.tokens import Metadata
from tests.support.accounts import PASSWORD, unique_email
from tests.support.calls import (
    assert_refresh_fails,
    bearer,
    list_songs,
    refresh,
    rpc_error,
    sleep_past,
)
from tests.support.databases import BACKENDS
from tests.support.forged_tokens import TokenForge, unverified_claims
from tests.support.in_process import InProcessSuite, running_in_process
from tests.support.service_databases import session_revoked
from tests.support.songs import all_songs
from tests.support.tenants import new_team


async def new_session(client: ChorusClient) -> auth_pb.Session:
    response = await client.auth.SignUp(
        auth_pb.SignUpRequest(email=unique_email("session"), password=PASSWORD)
    )
    return response.session


async def logout(client: ChorusClient, refresh_token: str) -> None:
    await client.auth.Logout(auth_pb.LogoutRequest(refresh_token=refresh_token))


async def test_refresh_rotates_both_tokens(client: ChorusClient) -> None:
    first = await new_session(client)
    second = await refresh(client, first.refresh_token)

    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    first_claims = unverified_claims(first.access_token)
    second_claims = unverified_claims(second.access_token)
    assert second_claims["sub"] == first_claims["sub"]
    assert second_claims["tid"] == first_claims["tid"]
    await assert_refresh_fails(client, first.refresh_token)


async def test_refreshed_access_token_is_accepted(client: ChorusClient) -> None:
    session = await refresh(client, (await new_session(client)).refresh_token)
    me = await client.auth.WhoAmI(auth_pb.WhoAmIRequest(), metadata=bearer(session.access_token))
    assert me.role == auth_pb.ROLE_OWNER


async def test_reuse_of_a_rotated_token_revokes_the_whole_family(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    """The refusal and the revocation come from one transaction: this fails if
    the revocation is rolled back with the error it causes."""
    stolen = await new_session(client)
    second = await refresh(client, stolen.refresh_token)
    newest = await refresh(client, second.refresh_token)
    assert not await session_revoked(suite, newest.refresh_token)

    await assert_refresh_fails(client, stolen.refresh_token)

    assert await session_revoked(suite, newest.refresh_token)
    await assert_refresh_fails(client, newest.refresh_token)


async def test_logout_ends_the_session(client: ChorusClient) -> None:
    session = await new_session(client)
    await logout(client, session.refresh_token)
    await assert_refresh_fails(client, session.refresh_token)


async def test_logout_ends_the_session_from_an_older_token(client: ChorusClient) -> None:
    first = await new_session(client)
    newest = await refresh(client, first.refresh_token)
    await logout(client, first.refresh_token)
    await assert_refresh_fails(client, newest.refresh_token)


@pytest.mark.parametrize("token", ["", "never-issued", "x" * 2000])
async def test_logout_of_an_unknown_session_succeeds(client: ChorusClient, token: str) -> None:
    await logout(client, token)


async def test_logout_is_idempotent(client: ChorusClient) -> None:
    session = await new_session(client)
    await logout(client, session.refresh_token)
    await logout(client, session.refresh_token)
    await assert_refresh_fails(client, session.refresh_token)


async def test_logout_leaves_other_sessions_of_the_user_alone(client: ChorusClient) -> None:
    email = unique_email("two-devices")
    laptop = await client.sign_up(email, PASSWORD)
    phone = await client.login(email, PASSWORD)

    await laptop.logout()

    await assert_refresh_fails(client, laptop.tokens.refresh_token)
    await phone.tokens.refresh()
    assert (await phone.who_am_i()).user.id == laptop.user.id


async def test_client_keeps_an_access_token_that_is_far_from_expiry(client: ChorusClient) -> None:
    user = await client.sign_up(unique_email("fresh"), PASSWORD)
    token = user.tokens.access_token
    await user.songs.page()
    await user.who_am_i()
    assert user.tokens.access_token == token


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_expired_refresh_token_fails(backend: str, tmp_path: Path) -> None:
    async with (
        running_in_process(backend, tmp_path, refresh_token_ttl=timedelta(seconds=1)) as suite,
        ChorusClient(suite.auth_target, suite.resource_target) as client,
    ):
        session = await new_session(client)
        await sleep_past(session.refresh_token_expire_time.ToDatetime(tzinfo=UTC))
        await assert_refresh_fails(client, session.refresh_token)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_client_refreshes_an_expired_access_token(backend: str, tmp_path: Path) -> None:
    async with (
        running_in_process(backend, tmp_path, access_token_ttl=timedelta(seconds=2)) as suite,
        ChorusClient(suite.auth_target, suite.resource_target) as client,
    ):
        user = await client.sign_up(unique_email("expiring"), PASSWORD)
        expired = user.tokens.access_token
        expiry = unverified_claims(expired)["exp"]
        await sleep_past(datetime.fromtimestamp(expiry, UTC))
        error = await rpc_error(list_songs(suite, bearer(expired)))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED

        songs, _ = await user.songs.page()

        assert songs == []
        assert user.tokens.access_token != expired


@dataclass(frozen=True)
class _Issued:
    """Stands in for a response that carries a session (for `SessionTokens.rotate`)."""

    session: auth_pb.Session


async def plant_a_refused_access_token(suite: InProcessSuite, user: UserSession) -> str:
    """Make the client trust, for an hour, an access token the server refuses (expired)."""
    me = await user.who_am_i()
    stale = TokenForge.for_suite(suite, user.user.id, me.tenant_id)
    expired_token = stale.token(
        claims=stale.claims(age=timedelta(minutes=10), lifetime=timedelta(minutes=5))
    )
    trusted = auth_pb.Session(
        access_token=expired_token,
        refresh_token=user.tokens.refresh_token,
        access_token_expire_time=Timestamp(seconds=int(datetime.now(UTC).timestamp()) + 3600),
    )

    async def keep_refresh_token(_refresh_token: str, _metadata: Metadata) -> _Issued:
        return _Issued(session=trusted)

    await user.tokens.rotate(keep_refresh_token)
    return expired_token


async def test_client_refreshes_and_retries_once_when_its_token_is_refused(
    suite: InProcessSuite, jane: UserSession
) -> None:
    """The server's clock decides: a token the client still trusts may be refused."""
    expired_token = await plant_a_refused_access_token(suite, jane)

    songs, _ = await jane.songs.page()

    assert [s.name for s in songs] == ["Aberdeen", "Cigarette Daydreams"]
    assert jane.tokens.access_token != expired_token


async def test_switching_refreshes_and_retries_once_when_its_token_is_refused(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    team = await new_team(client, {"editor": "editor"}, switched=False)
    editor = team["editor"]
    expired_token = await plant_a_refused_access_token(suite, editor)

    membership = await editor.tenants.switch(team.id)

    assert (membership.tenant.id, membership.role) == (team.id, auth_pb.ROLE_EDITOR)
    assert unverified_claims(editor.tokens.access_token)["tid"] == team.id
    assert editor.tokens.access_token != expired_token
    assert await all_songs(editor) == []
