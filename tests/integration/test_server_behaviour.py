"""What every Chorus server does whatever its service: health, reflection,
message size limit, deadlines, and no internals leaked by unexpected errors."""

from __future__ import annotations  # the Async stubs exist in type stubs only

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import auth_service_pb2_grpc as auth_grpc
from chorus.auth.v1 import tenant_service_pb2 as tenant_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus.resource.v1 import song_service_pb2_grpc as song_grpc
from chorus_client import ChorusClient, UserSession
from chorus_core.errors import NotFound
from chorus_core.interceptors.error_interceptor import ErrorInterceptor
from chorus_core.interceptors.logging_interceptor import LoggingInterceptor
from chorus_core.reflection import api_services
from chorus_core.server import GrpcServer, ServerSettings, ServiceRegistration
from chorus_devtools.health import SERVING, health_status
from chorus_resource.catalog import RESOURCES
from tests.support.in_process import InProcessSuite

AUTH = auth_pb.DESCRIPTOR.services_by_name["AuthService"]
SONGS = song_pb.DESCRIPTOR.services_by_name["SongService"]
TENANTS = tenant_pb.DESCRIPTOR.services_by_name["TenantService"]
COMMON_SERVICES = {
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
}
ALSO_DESCRIBED = {
    "auth": set(api_services()),
    "resource": {r.service.full_name for r in RESOURCES} - {SONGS.full_name}
    | {"chorus.resource.v1.OperationService"},
}
"""Other Chorus services that reflection describes: on auth, every service of the
API (the gateway sends reflection there); on resource, every resource's and the
operations of imports."""
REFLECTION_PATHS = (
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
)
TOO_BIG = 2 * 1024 * 1024
"""Twice the default CHORUS_MAX_MESSAGE_BYTES the suite runs with."""


def served(suite: InProcessSuite, service: str) -> tuple[str, Any]:
    """The target serving `service` ("auth" or "resource") and its descriptor."""
    if service == "auth":
        return suite.auth_target, AUTH
    return suite.resource_target, SONGS


@pytest.fixture
async def songs(suite: InProcessSuite) -> AsyncIterator[song_grpc.SongServiceAsyncStub]:
    async with grpc.aio.insecure_channel(suite.resource_target) as channel:
        yield song_grpc.SongServiceStub(channel)


@pytest.mark.parametrize("service", ["auth", "resource"])
async def test_health_reports_serving_for_the_server_and_its_service(
    suite: InProcessSuite, service: str
) -> None:
    target, descriptor = served(suite, service)
    assert await health_status(target) == SERVING
    assert await health_status(target, descriptor.full_name) == SERVING
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await health_status(target, "chorus.nothing.v1.NothingService")
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


async def _reflect(
    target: str,
    request: reflection_pb2.ServerReflectionRequest,
    path: str = REFLECTION_PATHS[0],
) -> reflection_pb2.ServerReflectionResponse:
    """One reflection request; v1 and v1alpha messages are the same on the wire."""
    async with grpc.aio.insecure_channel(target) as channel:
        call = channel.stream_stream(
            path,
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )(iter([request]), timeout=5)
        [response] = [response async for response in call]
    return response


@pytest.mark.parametrize("path", REFLECTION_PATHS)
@pytest.mark.parametrize("service", ["auth", "resource"])
async def test_reflection_lists_and_describes_the_services_with_comments(
    suite: InProcessSuite, service: str, path: str
) -> None:
    target, descriptor = served(suite, service)
    listed = await _reflect(target, reflection_pb2.ServerReflectionRequest(list_services=""), path)
    names = {s.name for s in listed.list_services_response.service}
    assert names == {descriptor.full_name, *ALSO_DESCRIBED[service], *COMMON_SERVICES}

    described = await _reflect(
        target,
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=descriptor.full_name),
        path,
    )
    files = {}
    for serialized in described.file_descriptor_response.file_descriptor_proto:
        file = descriptor_pb2.FileDescriptorProto.FromString(serialized)
        files[file.name] = file
    main = files[descriptor.file.name]
    [reflected] = [s for s in main.service if s.name == descriptor.name]
    assert [m.name for m in reflected.method] == [m.name for m in descriptor.methods]
    assert set(main.dependency) <= set(files)  # grpcurl can resolve every imported type
    comments = [location.leading_comments for location in main.source_code_info.location]
    assert any(comment.strip() for comment in comments), "the proto comments are missing"


async def test_oversized_song_is_resource_exhausted_and_songs_still_work(
    songs: song_grpc.SongServiceAsyncStub, jane: UserSession
) -> None:
    metadata = await jane.tokens.metadata()
    huge = song_pb.Song(name="x" * TOO_BIG, artist="Cage the Elephant")
    with pytest.raises(grpc.aio.AioRpcError) as rejected:
        await songs.CreateSong(song_pb.CreateSongRequest(song=huge), metadata=metadata, timeout=10)
    assert rejected.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    listed = await songs.ListSongs(song_pb.ListSongsRequest(), metadata=metadata, timeout=10)
    assert [s.name for s in listed.songs] == ["Aberdeen", "Cigarette Daydreams"]


async def test_oversized_sign_up_is_resource_exhausted_and_auth_still_works(
    client: ChorusClient,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as rejected:
        await client.sign_up("big@example.com", "x" * TOO_BIG)
    assert rejected.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    jwks = await client.auth.GetJwks(auth_pb.GetJwksRequest(), timeout=10)
    assert len(jwks.keys) == 1


class BrokenAuthServicer(auth_grpc.AuthServiceServicer):
    """WhoAmI fails unexpectedly; GetJwks fails the expected way; Login hangs."""

    def __init__(self) -> None:
        self.login_cancelled = asyncio.Event()

    async def Login(
        self, request: auth_pb.LoginRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb.LoginResponse:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            self.login_cancelled.set()
            raise
        return auth_pb.LoginResponse()

    async def WhoAmI(
        self, request: auth_pb.WhoAmIRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb.WhoAmIResponse:
        raise RuntimeError("connection to postgresql://chorus:hunter2@db failed")

    async def GetJwks(
        self, request: auth_pb.GetJwksRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb.GetJwksResponse:
        raise NotFound("no keys here")


@pytest.fixture
def broken_servicer() -> BrokenAuthServicer:
    return BrokenAuthServicer()  # type: ignore[abstract]  # only these three are called


@pytest.fixture
async def broken_auth(
    broken_servicer: BrokenAuthServicer,
) -> AsyncIterator[auth_grpc.AuthServiceAsyncStub]:
    """A server with the real scaffolding and interceptors around BrokenAuthServicer."""
    server = GrpcServer(
        ServerSettings(listen="127.0.0.1:0", shutdown_grace_seconds=1),
        [
            ServiceRegistration(
                AUTH.full_name,
                broken_servicer,
                auth_grpc.add_AuthServiceServicer_to_server,
            )
        ],
        [LoggingInterceptor(), ErrorInterceptor()],
    )
    port = await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield auth_grpc.AuthServiceStub(channel)
    finally:
        await server.stop()


async def test_unexpected_exception_is_internal_error_without_details(
    broken_auth: auth_grpc.AuthServiceAsyncStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="chorus")
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await broken_auth.WhoAmI(auth_pb.WhoAmIRequest(), timeout=5)
    assert failed.value.code() == grpc.StatusCode.INTERNAL
    assert failed.value.details() == "internal error"
    trailers = str(failed.value.trailing_metadata())
    assert "hunter2" not in trailers
    assert "Traceback" not in trailers
    # Operators still find the cause in the server log, with the access line.
    [logged] = [r for r in caplog.records if r.name == "chorus.errors"]
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], RuntimeError)
    assert "/chorus.auth.v1.AuthService/WhoAmI INTERNAL" in caplog.messages[-1]


async def test_expected_service_error_keeps_its_code_and_message(
    broken_auth: auth_grpc.AuthServiceAsyncStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await broken_auth.GetJwks(auth_pb.GetJwksRequest(), timeout=5)
    assert failed.value.code() == grpc.StatusCode.NOT_FOUND
    assert failed.value.details() == "no keys here"


async def test_call_past_its_deadline_is_abandoned_by_the_server(
    broken_auth: auth_grpc.AuthServiceAsyncStub, broken_servicer: BrokenAuthServicer
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await broken_auth.Login(auth_pb.LoginRequest(), timeout=0.3)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    # The server cancels the handler instead of working on for nobody.
    await asyncio.wait_for(broken_servicer.login_cancelled.wait(), timeout=5)
