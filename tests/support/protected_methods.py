"""Every protected method the running services serve, found through server reflection.

Nothing here lists methods by hand: a new service or RPC (a Playlists
service, a streaming Watch call) is covered as soon as a server registers it.
A method is protected unless it is one of AuthService's public methods or
belongs to the health and reflection services, which every server exposes.
A server serves the services its health service knows: the auth service's
reflection describes every service of the API (for grpcurl through the
gateway), including those it does not serve.
"""

import asyncio
from collections.abc import AsyncIterable
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from chorus_auth.auth_servicer import PUBLIC_METHODS
from chorus_core.interceptors.auth_interceptor import ALWAYS_PUBLIC_PREFIXES

CALL_SECONDS = 10.0
STREAM_SECONDS = 2.0
"""How long a server stream may stay open (e.g. waiting for changes) before we stop it."""


@dataclass(frozen=True)
class Method:
    target: str
    """host:port of the server that serves it."""
    path: str
    """/package.Service/Method"""
    client_streaming: bool
    server_streaming: bool

    async def call(self, metadata: tuple[tuple[str, str], ...]) -> None:
        """Call with an empty request (any message's empty encoding) and `metadata`.

        A server stream is read to its first message; one still open after
        STREAM_SECONDS ends with DEADLINE_EXCEEDED (the call was accepted).
        """
        identity = {"request_serializer": bytes, "response_deserializer": bytes}
        async with grpc.aio.insecure_channel(self.target) as channel:
            if self.client_streaming and self.server_streaming:
                await _first(
                    channel.stream_stream(self.path, **identity)(
                        iter([b""]), metadata=metadata, timeout=STREAM_SECONDS
                    )
                )
            elif self.client_streaming:
                await channel.stream_unary(self.path, **identity)(
                    iter([b""]), metadata=metadata, timeout=CALL_SECONDS
                )
            elif self.server_streaming:
                await _first(
                    channel.unary_stream(self.path, **identity)(
                        b"", metadata=metadata, timeout=STREAM_SECONDS
                    )
                )
            else:
                await channel.unary_unary(self.path, **identity)(
                    b"", metadata=metadata, timeout=CALL_SECONDS
                )


async def _first(stream: AsyncIterable[bytes]) -> None:
    async for _ in stream:
        return


def is_public(path: str) -> bool:
    return path in PUBLIC_METHODS or path.startswith(ALWAYS_PUBLIC_PREFIXES)


def _served_methods(target: str) -> list[Method]:
    with grpc.insecure_channel(target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        pool = DescriptorPool(database)
        methods = []
        for name in database.get_services():
            if not _serves(channel, name):
                continue
            service = pool.FindServiceByName(name)
            for method in service.methods:
                methods.append(
                    Method(
                        target,
                        f"/{service.full_name}/{method.name}",
                        method.client_streaming,
                        method.server_streaming,
                    )
                )
        return methods


def _serves(channel: grpc.Channel, service: str) -> bool:
    if service.startswith(("grpc.health.", "grpc.reflection.")):
        return True
    try:
        health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=CALL_SECONDS
        )
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return False
        raise
    return True


async def protected_methods(*targets: str) -> list[Method]:
    """Every protected method of the servers at `targets`, sorted by path."""
    served = await asyncio.gather(*(asyncio.to_thread(_served_methods, t) for t in targets))
    return sorted(
        (method for methods in served for method in methods if not is_public(method.path)),
        key=lambda method: method.path,
    )
