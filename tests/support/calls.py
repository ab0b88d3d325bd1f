"""Raw calls to protected methods with metadata of the test's choosing.

The Python client always sends its own (valid, refreshed) token; these calls
send exactly what a test gives them, or nothing at all.
"""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime

import grpc
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.auth.v1 import tenant_service_pb2 as tenant_pb
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient
from tests.support.in_process import InProcessSuite

Metadata = tuple[tuple[str, str], ...]

TIMEOUT = 10.0


def authorization(value: str | None) -> Metadata:
    """`authorization: <value>` metadata, or none at all for None."""
    return () if value is None else (("authorization", value),)


def bearer(access_token: str) -> Metadata:
    return authorization(f"Bearer {access_token}")


async def list_songs(suite: InProcessSuite, metadata: Metadata) -> song_pb.ListSongsResponse:
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        stub = song_grpc.SongServiceStub(channel)
        return await stub.ListSongs(song_pb.ListSongsRequest(), metadata=metadata, timeout=TIMEOUT)


async def who_am_i(suite: InProcessSuite, metadata: Metadata) -> auth_pb.WhoAmIResponse:
    async with grpc.aio.insecure_channel(suite.auth_target) as channel:
        stub = auth_grpc.AuthServiceStub(channel)
        return await stub.WhoAmI(auth_pb.WhoAmIRequest(), metadata=metadata, timeout=TIMEOUT)


async def switch_tenant(
    suite: InProcessSuite, metadata: Metadata, tenant_id: str, refresh_token: str
) -> tenant_pb.SwitchTenantResponse:
    async with grpc.aio.insecure_channel(suite.auth_target) as channel:
        stub = tenant_grpc.TenantServiceStub(channel)
        request = tenant_pb.SwitchTenantRequest(tenant_id=tenant_id, refresh_token=refresh_token)
        return await stub.SwitchTenant(request, metadata=metadata, timeout=TIMEOUT)


async def rpc_error(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    """The error a call fails with; the test fails if the call succeeds."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def fails_with(code: grpc.StatusCode, call: Awaitable[object]) -> str:
    """Assert the call fails with `code`; its message."""
    error = await rpc_error(call)
    assert error.code() == code, error.details()
    return error.details() or ""


async def status_of(call: Awaitable[object]) -> grpc.StatusCode:
    """OK if the call succeeds, else the code it fails with."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def refresh(client: ChorusClient, refresh_token: str) -> auth_pb.Session:
    response = await client.auth.Refresh(auth_pb.RefreshRequest(refresh_token=refresh_token))
    return response.session


async def assert_refresh_fails(client: ChorusClient, refresh_token: str) -> None:
    error = await rpc_error(refresh(client, refresh_token))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def sleep_past(moment: datetime, margin_seconds: float = 0.3) -> None:
    """Wait until `moment` (aware) is safely in the past."""
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + margin_seconds)
