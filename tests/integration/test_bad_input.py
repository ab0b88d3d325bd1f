"""Input the server cannot accept is INVALID_ARGUMENT, never INTERNAL or UNKNOWN
(issue 14, failure 2), on SQLite and PostgreSQL: page tokens that overflow or
nest deeply, NUL bytes where PostgreSQL would refuse them, and bodies that are
not protobuf at all (answered without naming internal classes, logged as one
access line and counted like any other call)."""

from __future__ import annotations  # the Async stubs exist in type stubs only

import base64
import json
import logging
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.auth.v1 import tenant_service_pb2 as tenant_pb
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient, UserSession, field_violations
from chorus_devtools.polling import wait_until
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite


def token_of(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


BAD_PAGE_TOKENS = {
    # moving the time to UTC overflows: datetime.astimezone raises OverflowError
    "overflowing time": token_of(
        json.dumps({"t": "0001-01-01T00:00:00+14:00", "i": "00000000-0000-0000-0000-000000000000"})
    ),
    "deeply nested JSON": token_of("[" * 100_000),
    "JSON that is not an object": token_of("[1, 2]"),
    "too long": "A" * 10_000,
}


@dataclass(frozen=True)
class Stubs:
    auth: auth_grpc.AuthServiceAsyncStub
    tenants: tenant_grpc.TenantServiceAsyncStub
    songs: song_grpc.SongServiceAsyncStub


@pytest.fixture
async def stubs(suite: InProcessSuite) -> AsyncIterator[Stubs]:
    async with (
        grpc.aio.insecure_channel(suite.auth_target) as auth,
        grpc.aio.insecure_channel(suite.resource_target) as resource,
    ):
        yield Stubs(
            auth_grpc.AuthServiceStub(auth),
            tenant_grpc.TenantServiceStub(auth),
            song_grpc.SongServiceStub(resource),
        )


def expect_invalid(call: grpc.aio.AioRpcError, field: str) -> None:
    assert call.code() == grpc.StatusCode.INVALID_ARGUMENT, (call.code(), call.details())
    assert field in field_violations(call), field_violations(call)


@pytest.mark.parametrize("token", BAD_PAGE_TOKENS.values(), ids=BAD_PAGE_TOKENS.keys())
async def test_bad_page_tokens_are_invalid_argument_on_every_list(
    stubs: Stubs, jane: UserSession, token: str
) -> None:
    tenant_id = (await jane.who_am_i()).tenant_id
    metadata = await jane.tokens.metadata()
    with pytest.raises(grpc.aio.AioRpcError) as songs:
        await stubs.songs.ListSongs(song_pb.ListSongsRequest(page_token=token), metadata=metadata)
    expect_invalid(songs.value, "page_token")
    with pytest.raises(grpc.aio.AioRpcError) as tenants:
        await stubs.tenants.ListMyTenants(
            tenant_pb.ListMyTenantsRequest(page_token=token), metadata=metadata
        )
    expect_invalid(tenants.value, "page_token")
    with pytest.raises(grpc.aio.AioRpcError) as members:
        await stubs.tenants.ListMembers(
            tenant_pb.ListMembersRequest(tenant_id=tenant_id, page_token=token), metadata=metadata
        )
    expect_invalid(members.value, "page_token")


async def test_nul_in_a_request_id_is_invalid_argument(stubs: Stubs, jane: UserSession) -> None:
    request = song_pb.CreateSongRequest(
        song=song_pb.Song(name="Trouble", artist="Cage the Elephant"), request_id="a\x00b"
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stubs.songs.CreateSong(request, metadata=await jane.tokens.metadata())
    expect_invalid(refused.value, "request_id")


async def test_nul_in_a_login_email_is_invalid_argument(stubs: Stubs) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stubs.auth.Login(auth_pb.LoginRequest(email="jane\x00@z.co", password=PASSWORD))
    expect_invalid(refused.value, "email")


async def test_nul_in_an_invitation_id_is_invalid_argument(stubs: Stubs, jane: UserSession) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stubs.tenants.AcceptInvitation(
            tenant_pb.AcceptInvitationRequest(invitation_id="\x00"),
            metadata=await jane.tokens.metadata(),
        )
    expect_invalid(refused.value, "invitation_id")


def metric_count(metrics: str, method: str, code: str) -> float:
    """`chorus_grpc_calls_total` for one method and code in a /metrics text ('0' if absent)."""
    with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5) as response:
        text = response.read().decode()
    for line in text.splitlines():
        labels = (f'method="{method}"', f'code="{code}"')
        if line.startswith("chorus_grpc_calls_total{") and all(x in line for x in labels):
            return float(line.rpartition(" ")[2])
    return 0.0


@pytest.mark.parametrize("service", ["auth", "resource"])
async def test_a_body_that_is_not_protobuf_is_invalid_argument_logged_and_counted(
    suite: InProcessSuite, service: str, caplog: pytest.LogCaptureFixture
) -> None:
    target, metrics, path = {
        "auth": (suite.auth_target, suite.auth_metrics, "/chorus.auth.v1.AuthService/Login"),
        "resource": (
            suite.resource_target,
            suite.resource_metrics,
            "/chorus.resource.v1.SongService/ListSongs",
        ),
    }[service]
    method = path.rpartition("/")[2]
    counted = metric_count(metrics, method, "INVALID_ARGUMENT")
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="chorus")
    async with grpc.aio.insecure_channel(target) as channel:
        raw: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(path)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await raw(b"\xff\xff\xff\xff", timeout=10)
    error = refused.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    assert "class" not in (error.details() or "")
    assert "Error" not in (error.details() or "")
    assert "request" in field_violations(error)

    def access() -> list[str]:
        return [
            r.getMessage().split()[1]
            for r in caplog.records
            if r.name == "chorus.access" and path in r.getMessage()
        ]

    async def logged() -> bool:
        return bool(access())

    # The line is written as the call's handler unwinds, which may come just after the
    # client has its answer (both run on this test's event loop).
    await wait_until(logged, within=5, what=f"the access log line of {path}")
    assert access() == ["INVALID_ARGUMENT"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert metric_count(metrics, method, "INVALID_ARGUMENT") == counted + 1


async def test_the_service_still_works_after_bad_input(client: ChorusClient) -> None:
    user = await client.sign_up(unique_email("after"), PASSWORD)
    song = await user.songs.create("Aberdeen", "Cage the Elephant", year=2011)
    assert song.name == "Aberdeen"
